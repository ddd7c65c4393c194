"""The ToDo desktop app (PySide6 on a qasync loop): every action goes through :mod:`todo`'s
store and sync client, run off the UI thread (see :mod:`todo.ui.background`)."""
