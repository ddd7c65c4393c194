"""Work off the UI thread: one worker thread owns the store, and coroutines run on the qasync
loop, so the window never waits on the database or the network."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

log = logging.getLogger("traveler.todo.ui")

S = TypeVar("S")
T = TypeVar("T")

# Tasks started with spawn(); asyncio keeps only weak references to running tasks.
_running: set[asyncio.Task[Any]] = set()


def spawn(
    coro: Coroutine[Any, Any, T], on_error: Callable[[BaseException], None] | None = None
) -> asyncio.Task[T]:
    """Run ``coro`` on the UI thread's loop; an exception goes to ``on_error`` (else the log)."""
    task = asyncio.ensure_future(coro)
    _running.add(task)

    def finished(done: asyncio.Task[T]) -> None:
        _running.discard(done)
        if done.cancelled():
            return
        error = done.exception()
        if error is None:
            return
        if on_error is not None:
            on_error(error)
        else:
            log.error("background task failed", exc_info=error)

    task.add_done_callback(finished)
    return task


class StoreRunner(Generic[S]):
    """Runs calls on one worker thread that opened, and alone uses, the store (an SQLite
    connection belongs to the thread that opened it; one thread also keeps writes in order)."""

    def __init__(self, open_store: Callable[[], S], close_store: Callable[[S], None]) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="todo-store")
        self._close_store = close_store
        self._store: Future[S] = self._executor.submit(open_store)

    async def run(self, call: Callable[[S], T]) -> T:
        """``call(store)`` on the store's thread; the awaiting coroutine resumes with the result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: call(self._store.result()))

    def close(self) -> None:
        """Close the store after the calls already queued, and end the worker thread."""

        def close() -> None:
            if self._store.exception() is None:
                self._close_store(self._store.result())

        self._executor.submit(close)
        self._executor.shutdown(wait=True)
