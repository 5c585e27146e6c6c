"""Disk full during an ingest (a real, small tmpfs made by the test): a clear error, the
previous index intact and answering, and the ingest completes once there is room."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import DiskFullError
from tests.conftest import AFRICA_ID, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SIZE_MB = 16


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {made.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave_bytes: int) -> Path:
    """A ballast file that leaves about `leave_bytes` free."""
    ballast = disk / "ballast"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with ballast.open("wb") as out:
        out.write(b"\0" * max(0, free - leave_bytes))
    return ballast


def test_a_full_disk_stops_the_ingest_and_keeps_the_previous_index(
    small_disk: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(small_disk, corpus_copy, llm_backend="extractive")
    assistant = Assistant(settings, embedder, None)
    assistant.ingest()
    before = set(assistant.articles())
    for n in range(10):
        (corpus_copy / f"extra-{n}.md").write_text(
            f"# Harbour note {n}\n\n"
            + " ".join(f"Harbour note {n} {uuid.uuid4().hex}, line {i}." for i in range(20))
        )
    ballast = _fill(small_disk, leave_bytes=64 * 1024)

    with pytest.raises(DiskFullError, match=r"no space left.*previous index is unchanged"):
        assistant.ingest()

    reopened = Assistant(settings, embedder, None).reload()
    assert set(reopened.articles()) == before
    answer = reopened.ask("What is Xiaomi's Africa strategy?")
    assert not answer.refused and {c.article_id for c in answer.citations} == {AFRICA_ID}

    ballast.unlink()
    report = reopened.ingest()
    assert len(report.added) == 10
    assert reopened.search("Harbour note 7", k=1)[0].chunk.article_id == "extra-7"
