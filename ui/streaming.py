"""Run blocking `rag` work off the event loop: stream a generator, track ingest progress."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import nullcontext
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


async def iterate_in_thread(
    make: Callable[[], Iterator[T]], gate: threading.Semaphore | None = None
) -> AsyncIterator[T]:
    """Yield the items of a blocking iterator produced in a worker thread, as they come.

    An exception of the iterator is re-raised here. When the consumer stops early (the
    user pressed stop, the task was cancelled) the worker stops at its next item. With a
    `gate`, the worker first waits for a free slot: CPU-bound work of many sessions then
    queues instead of starving each other and the event loop.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def put(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the event loop is gone (server shutting down)
            stop.set()

    def produce() -> None:
        iterator = make()
        try:
            for item in iterator:
                put(item)
                if stop.is_set():
                    break
        finally:
            close = getattr(iterator, "close", None)
            if close:
                close()

    def work() -> None:
        try:
            with gate or nullcontext():
                if not stop.is_set():  # the consumer may have gone while we waited
                    produce()
        except BaseException as exc:  # handed over to the consumer
            put(exc)
        finally:
            put(_DONE)

    threading.Thread(target=work, name="rag-stream", daemon=True).start()
    try:
        while (item := await queue.get()) is not _DONE:
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()


class Progress:
    """Thread-safe progress of an ingest, fed by `rag.ingest`'s ProgressFactory protocol."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.label = "reading the files"
        self.total = 0
        self.done = 0
        self._seen = ("", -1)

    def factory(self, total: int, label: str) -> Callable[[int], None]:
        """Called by ingest when a phase starts; returns the per-batch tick."""
        with self._lock:
            self.label, self.total, self.done = label, total, 0

        def tick(n: int) -> None:
            with self._lock:
                self.done += n

        return tick

    def changed(self) -> str | None:
        """A new progress line, or None when nothing moved since the last call."""
        with self._lock:
            state = (self.label, self.done)
            if state == self._seen:
                return None
            self._seen = state
            if self.total:
                return f"{self.label}: {self.done}/{self.total}"
            return self.label
