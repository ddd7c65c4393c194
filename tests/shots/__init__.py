"""Screenshots of the desktop apps, for people to look at (not a test)."""
