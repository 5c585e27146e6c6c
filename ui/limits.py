"""Per-user limits of the chat UI: sliding-window rate limits and upload size checks."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024


class RateLimiter:
    """At most `limit` events per key in any `window_s` seconds (0: unlimited); in memory."""

    def __init__(
        self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str, count: int = 1) -> float:
        """Record `count` events and return 0, or return the seconds to wait (nothing recorded)."""
        if self.limit <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window_s:
                events.popleft()
            if len(events) + count > self.limit:
                if count > self.limit or not events:
                    return self.window_s
                # wait until enough old events have left the window
                oldest_needed = events[len(events) + count - self.limit - 1]
                return max(0.0, oldest_needed + self.window_s - now)
            events.extend([now] * count)
            return 0.0


def wait_text(seconds: float) -> str:
    """'12 s' or '3 min' for a friendly message."""
    if seconds < 90:
        return f"{max(1, math.ceil(seconds))} s"
    return f"{math.ceil(seconds / 60)} min"


def megabytes(size: float) -> str:
    """A byte count for messages ('40 KB', '1.5 MB', '12 MB')."""
    if size < MB:
        return f"{max(1, round(size / 1024))} KB"
    value = size / MB
    return f"{value:.1f} MB" if value < 10 else f"{value:.0f} MB"


def size_problem(path: Path, max_file_mb: float) -> str | None:
    """Why a file is too big (checked on disk, before anything reads it), or None."""
    size = path.stat().st_size
    if size > max_file_mb * MB:
        return f"the file is {megabytes(size)}, larger than the {megabytes(max_file_mb * MB)} limit"
    return None


def quota_problem(used: int, adding: int, max_user_mb: float) -> str | None:
    """Why `adding` bytes would take a user over their upload quota, or None."""
    if used + adding > max_user_mb * MB:
        left = max(0, int(max_user_mb * MB) - used)
        return (
            f"your uploads would exceed {megabytes(max_user_mb * MB)} in all "
            f"({megabytes(left)} left)"
        )
    return None
