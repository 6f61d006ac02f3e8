"""The only modules of the apps that use a UI library's private names, one per library."""
