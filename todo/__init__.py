"""ToDo: the task domain model and its iCalendar / vCalendar mapping (the app follows)."""
