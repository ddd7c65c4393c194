"""The Companion's windows (PySide6): the secure-attachment viewer and its hand-off menu."""
