"""What the kitchen display and the admin console share: UI code that imports neither app."""
