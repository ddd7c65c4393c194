"""Network calls off the UI thread: a coroutine runs in a pool thread, its result comes back
as a signal on the UI thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

__all__ = ["Background"]


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, factory: Callable[[], Coroutine[Any, Any, Any]], relay: _Relay) -> None:
        super().__init__()
        self._factory = factory
        self._relay = relay

    def run(self) -> None:
        try:
            result = asyncio.run(self._factory())
        except Exception as exc:  # every failure goes back to the window, which words it
            self._relay.failed.emit(exc)
        else:
            self._relay.done.emit(result)


class Background(QObject):
    """Runs coroutines in a thread pool; callbacks are called on the UI thread."""

    def __init__(self, parent: QObject | None = None, *, threads: int | None = None) -> None:
        """``threads=1`` runs the jobs one after the other, in the order given."""
        super().__init__()
        if parent is not None:
            self.setParent(parent)
        self._pool = QThreadPool(self)
        if threads is not None:
            self._pool.setMaxThreadCount(threads)
        self._relays: set[_Relay] = set()

    def run(
        self,
        factory: Callable[[], Coroutine[Any, Any, Any]],
        done: Callable[[Any], None],
        failed: Callable[[Exception], None],
    ) -> None:
        relay = _Relay()
        self._relays.add(relay)

        def finish(result: Any, callback: Callable[[Any], None]) -> None:
            self._relays.discard(relay)
            # The window that asked may be gone by the time the answer comes: drop it.
            if shiboken6.isValid(self):
                callback(result)

        relay.done.connect(lambda result: finish(result, done))
        relay.failed.connect(lambda error: finish(error, failed))
        self._pool.start(_Job(factory, relay))

    def wait(self) -> None:
        self._pool.waitForDone()
