"""Rate limits and upload size checks of the chat UI."""

from __future__ import annotations

from pathlib import Path

from ui.limits import MB, RateLimiter, megabytes, quota_problem, size_problem, wait_text


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_sliding_window_per_key() -> None:
    clock = Clock()
    limiter = RateLimiter(3, 60.0, clock)
    assert [limiter.acquire("alice") for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now += 10
    assert limiter.acquire("alice") == 50.0  # the first one leaves the window in 50 s
    assert limiter.acquire("bob") == 0.0  # other users are not affected
    clock.now += 50
    assert limiter.acquire("alice") == 0.0


def test_batches_and_no_limit() -> None:
    clock = Clock()
    limiter = RateLimiter(5, 3600.0, clock)
    assert limiter.acquire("alice", 4) == 0.0
    clock.now += 100
    assert limiter.acquire("alice", 2) == 3500.0  # nothing recorded when refused
    assert limiter.acquire("alice", 1) == 0.0
    assert limiter.acquire("alice", 9) == 3600.0  # more than the limit: never at once
    assert RateLimiter(0, 60.0, clock).acquire("alice", 1000) == 0.0


def test_wait_and_size_texts() -> None:
    assert wait_text(0.2) == "1 s" and wait_text(42.1) == "43 s" and wait_text(3500) == "59 min"
    assert megabytes(20 * 1024) == "20 KB" and megabytes(1.5 * MB) == "1.5 MB"
    assert megabytes(200 * MB) == "200 MB"


def test_size_is_checked_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"x" * 30_000)
    assert size_problem(path, 0.05) is None
    assert size_problem(path, 0.02) == "the file is 29 KB, larger than the 20 KB limit"


def test_quota() -> None:
    assert quota_problem(int(1.5 * MB), int(0.4 * MB), 2.0) is None
    problem = quota_problem(int(1.5 * MB), int(0.6 * MB), 2.0)
    assert problem is not None and "2.0 MB" in problem and "512 KB left" in problem
