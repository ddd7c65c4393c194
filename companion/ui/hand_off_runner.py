"""Starts the chosen application on a decrypted copy and removes the copy when it exits."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QProcess, Signal

import tef
from companion.hand_off import DesktopApp, HandOffFolder, exec_argv

__all__ = ["HandOffRunner"]


class HandOffRunner(QObject):
    """One per window; `remove_all` when the Companion closes."""

    started = Signal(str, str)  # application name, copy path
    finished = Signal(str)  # copy path, removed
    failed = Signal(str)  # what went wrong

    def __init__(self, folder: HandOffFolder | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder if folder is not None else HandOffFolder()
        self.folder.remove_stale()
        self._running: dict[QProcess, Path] = {}

    def start(self, app: DesktopApp, plain: tef.TefFile) -> QProcess | None:
        plain.seek(0)
        try:
            copy = self.folder.write_copy(plain.metadata.name, plain)
        except (OSError, tef.TefError) as exc:
            self.failed.emit(str(exc))
            return None
        argv = exec_argv(app, copy)
        process = QProcess(self)
        process.setProgram(argv[0])
        process.setArguments(argv[1:])
        process.finished.connect(lambda *_: self._done(process))
        process.errorOccurred.connect(lambda error: self._error(process, error))
        self._running[process] = copy
        process.start()
        self.started.emit(app.name, str(copy))
        return process

    def _done(self, process: QProcess) -> None:
        copy = self._running.pop(process, None)
        if copy is not None:
            self.folder.remove(copy)
            self.finished.emit(str(copy))
        process.deleteLater()

    def _error(self, process: QProcess, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.failed.emit(process.errorString())
            self._done(process)

    def remove_all(self) -> None:
        for process in list(self._running):
            process.finished.disconnect()
        self._running.clear()
        self.folder.remove_all()
