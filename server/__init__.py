"""The KDS order server: the single source of truth for every order."""
