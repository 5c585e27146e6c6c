"""Incremental ingest, duplicates, bad files, manifest mismatch, locking, crash safety."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock

from rag.assistant import Assistant
from rag.errors import IndexLockedError, IndexMismatchError, IndexMissingError
from rag.ingest import LOCK_FILE, ingest
from rag.store import open_store
from tests.conftest import AFRICA_ID, LIVESTREAM_ID, REPO, make_settings

pytestmark = pytest.mark.integration


class CountingEmbedder:
    """The real embedder, counting how many passages it embeds."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.embedded: list[str] = []
        self.model_id, self.max_tokens = inner.model_id, inner.max_tokens

    @property
    def dimension(self) -> int:
        return int(self.inner.dimension)

    def tokenize(self, text: str) -> list[str]:
        return list(self.inner.tokenize(text))

    def embed_passages(self, texts, progress=None):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return self.inner.embed_passages(texts, progress)

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        return self.inner.embed_queries(texts)


def test_incremental_ingest(tmp_path: Path, corpus_copy: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus_copy)
    counting = CountingEmbedder(embedder)
    first = ingest(settings, counting)
    assert sorted(first.added) == sorted([AFRICA_ID, LIVESTREAM_ID])
    total_chunks = first.chunks

    counting.embedded.clear()
    again = ingest(settings, counting)
    assert counting.embedded == [] and sorted(again.unchanged) == sorted([AFRICA_ID, LIVESTREAM_ID])

    africa = corpus_copy / "2025-09-01-xiaomi-africa.md"
    africa.write_text(africa.read_text() + "\n- Xiaomi also opened a service centre in Lagos.\n")
    changed = ingest(settings, counting)
    assert changed.updated == [AFRICA_ID] and changed.unchanged == [LIVESTREAM_ID]
    africa_text = africa.read_text()
    assert counting.embedded, "the changed article was not re-embedded"
    for text in counting.embedded:  # its passages (title first) and its sentences, nothing else
        assert text.startswith("雷军又签任命通知") or text in africa_text, text
    stats = open_store(settings).stats()
    assert stats.sentences > stats.chunks == changed.chunks
    assistant = Assistant(settings, embedder, None).reload()
    assert "Lagos" in assistant.search("Lagos", k=1)[0].chunk.text
    assert "Lagos" in assistant.search("service centre Lagos", k=1)[0].chunk.text

    (corpus_copy / "2026-01-08-lei-jun-livestreams.md").unlink()
    removed = ingest(settings, counting)
    assert removed.removed == [LIVESTREAM_ID]
    assistant.reload()
    assert {h.chunk.article_id for h in assistant.search("Lei Jun live stream", k=10)} == {
        AFRICA_ID
    }
    assert removed.chunks < total_chunks + 1


def test_duplicates_are_indexed_once_and_bad_files_lose_nothing(
    tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus_copy)
    ingest(settings, embedder)
    africa = corpus_copy / "2025-09-01-xiaomi-africa.md"
    shutil.copy(africa, corpus_copy / "copy-of-africa.md")
    (corpus_copy / "empty.md").write_text("")
    (corpus_copy / "image.txt").write_bytes(b"\x89PNG\x00\x00binary")
    (corpus_copy / "legacy.txt").write_bytes("Xiaomi caf\xe9".encode("latin-1"))
    # An indexed file gets broken front matter: its indexed version must survive.
    livestream = corpus_copy / "2026-01-08-lei-jun-livestreams.md"
    livestream.write_text("---\ntitle: [broken\n---\ntext\n")
    report = ingest(settings, embedder)
    assert any("copy-of-africa.md" in d for d in report.duplicates)
    reasons = " | ".join(report.skipped)
    for name in ("empty.md", "image.txt", "legacy.txt", livestream.name):
        assert name in reasons
    assert report.removed == []
    assert set(open_store(settings).manifest.articles) == {AFRICA_ID, LIVESTREAM_ID}


def test_changed_settings_need_a_rebuild(tmp_path: Path, corpus_copy: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    ingest(make_settings(tmp_path, corpus_copy), embedder)
    other = make_settings(tmp_path, corpus_copy, chunk_size=120)
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        Assistant.open(other)
    with pytest.raises(IndexMismatchError):
        ingest(other, embedder)
    rebuilt = ingest(other, embedder, rebuild=True)
    assert rebuilt.articles == 2
    assert Assistant.open(other).index.manifest.chunk_size == 120


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="rag ingest"):
        Assistant.open(make_settings(tmp_path))


def test_a_second_ingest_is_refused_while_one_runs(
    tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus_copy)
    settings.index_dir.mkdir(parents=True)
    with (
        FileLock(str(settings.index_dir / LOCK_FILE)),
        pytest.raises(IndexLockedError, match="another ingest"),
    ):
        ingest(settings, embedder)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill", "ctrl-c"])
def test_killed_ingest_leaves_the_previous_index_and_resumes_without_re_embedding(
    tmp_path: Path, corpus_copy: Path, embedder, sig: signal.Signals
) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus_copy)
    ingest(settings, embedder)
    before = open_store(settings)
    bulk = corpus_copy / "bulk"
    bulk.mkdir()
    for n in range(300):
        (bulk / f"note-{n}.md").write_text(
            f"# Note {n}\n\n" + " ".join(f"Market note {n}, line {i}." for i in range(6))
        )
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir),
        "RAG_CORPUS_DIR": str(corpus_copy),
        "RAG_INGEST_BATCH_ARTICLES": "8",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest"],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # as in a terminal: a test run started in the background (`cmd &` in a script) would
        # hand the child SIGINT ignored, and the ingest would rightly run to the end
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 240
    batches: list[Path] = []
    while len(batches) < 2 and time.monotonic() < deadline:  # two batches embedded
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
        time.sleep(0.2)
        batches = list(settings.index_dir.glob(".ingest-checkpoint-*/batch-*.keys.npy"))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    if sig == signal.SIGINT:  # Ctrl-C: a clean exit that says what happened
        assert proc.returncode == 130, err.decode(errors="replace")
        assert b"interrupted: the index is unchanged" in err
    after = open_store(settings)
    assert set(after.manifest.articles) == set(before.manifest.articles)
    assert after.stats().chunks == before.stats().chunks
    with FileLock(str(settings.index_dir / LOCK_FILE), timeout=0):
        pass  # the lock was let go (or died with the process)
    counting = CountingEmbedder(embedder)
    report = ingest(settings, counting)  # resumes: the finished batches are not embedded again
    assert len(report.added) == 300
    assert 0 < len(counting.embedded) < report.chunks_embedded + report.sentences_embedded
    assert not list(settings.index_dir.glob(".ingest-checkpoint-*"))  # removed after the commit
    assistant = Assistant(settings, embedder, None).reload()
    assert assistant.search("Market note 17, line 3", k=1)[0].chunk.article_id == "note-17"


def test_passage_vectors_come_back_in_input_order(embedder) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "short",
        "a much longer passage about Xiaomi stores in Morocco " * 5,
        "mid length text",
    ]
    batch = embedder.embed_passages(texts)
    one_by_one = [embedder.embed_passages([t])[0] for t in texts]
    for got, want in zip(batch, one_by_one, strict=True):
        assert float(got @ want) > 0.999
