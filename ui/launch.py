"""Run the chat UI as a subprocess on a free loopback port (browser tests, UI benchmark)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 120


class ServerError(RuntimeError):
    """The chat server exited or did not answer in time (the message ends with its log)."""


def free_port() -> int:
    """A TCP port nothing listens on right now, on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float) -> None:
    """Poll until `url` answers 200; ServerError with the log tail if it dies or is too slow."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerError(f"the chat server exited ({proc.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)  # readiness probe interval
    raise ServerError(f"the chat server did not answer in {timeout_s:.0f} s:\n{_tail(log)}")


@contextmanager
def chat_ui(env: dict[str, str], log: Path, timeout_s: float = START_TIMEOUT_S) -> Iterator[str]:
    """`chainlit run ui/app.py --headless` with `env` added; yields its URL, stops it after."""
    port = free_port()
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false", **env}
    command = [sys.executable, "-m", "chainlit", "run", "ui/app.py", "--headless",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url, proc, log, timeout_s)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""
