"""The store contract, run for real on every backend: FAISS and milvus-lite here, a Milvus
standalone server in test_milvus_server.py (which imports these tests).

Ingest, search, each filter, private rows, delete, reopen, a manifest mismatch, an ingest
killed mid-way, and the same ranking on both engines (rag migrate)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import IndexMismatchError
from rag.ingest import ingest
from rag.models import SearchFilters
from rag.text.sentences import split_sentences
from tests.conftest import AFRICA_ID, LIVESTREAM_ID, REPO, make_settings
from tests.integration.test_ingest import CountingEmbedder

pytestmark = pytest.mark.integration

BACKENDS = ["faiss", "milvus-lite"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param.startswith("milvus"):
        pytest.importorskip("pymilvus")
    return str(request.param)


@pytest.fixture
def milvus_uri() -> str:
    return ""  # milvus-lite: <data_dir>/milvus.db; the server module overrides this


def backend_settings(backend: str, uri: str, root: Path, corpus: Path | None, **overrides: object):  # type: ignore[no-untyped-def]
    store = {"store": "faiss"}
    if backend.startswith("milvus"):
        store = {
            "store": "milvus",
            "milvus_uri": uri,
            "milvus_collection": f"t{uuid.uuid4().hex[:10]}",
        }
    return make_settings(root, corpus, llm_backend="extractive", **store, **overrides)


def _env(settings) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir),
        "RAG_CORPUS_DIR": str(settings.corpus_dir),
        "RAG_STORE": settings.store,
        "RAG_MILVUS_COLLECTION": settings.milvus_collection,
    }
    if settings.milvus_uri:
        env["RAG_MILVUS_URI"] = settings.milvus_uri
    return env


def _ids(hits) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.chunk.article_id for h in hits]


def test_ingest_search_filters_private_rows_delete_and_reopen(
    backend: str, milvus_uri: str, tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = backend_settings(backend, milvus_uri, tmp_path, corpus_copy)
    first = ingest(settings, embedder)
    assert sorted(first.added) == sorted([AFRICA_ID, LIVESTREAM_ID])
    assistant = Assistant(settings, embedder, None).reload()
    assert assistant.search("Morocco store", k=1)[0].chunk.article_id == AFRICA_ID
    outlet = assistant.search("Xiaomi", k=5, filters=SearchFilters(sources=["Bei Jing Shang Bao"]))
    assert outlet and set(_ids(outlet)) == {LIVESTREAM_ID}
    january = SearchFilters(published_after=datetime(2026, 1, 1), published_before="2026-01-31")
    assert set(_ids(assistant.search("Xiaomi Africa", k=5, filters=january))) == {LIVESTREAM_ID}
    before_2026 = SearchFilters(published_before=datetime(2025, 12, 31))
    assert set(_ids(assistant.search("Lei Jun", k=5, filters=before_2026))) == {AFRICA_ID}
    assert assistant.search("Xiaomi", k=5, filters=SearchFilters(sources=["nobody"])) == []

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / "memo.md").write_text(
        "---\ntitle: Private memo\nsource: Alice Notes\n---\n\nThe Nairobi warehouse opens in May."
    )
    ingest(settings, embedder, [uploads], owner="alice")
    assistant.reload()
    nairobi = "Where is the warehouse that opens in May?"
    assert "memo" in _ids(assistant.search(nairobi, k=3, filters=SearchFilters(visible_to="alice")))
    assert "memo" not in _ids(assistant.search(nairobi, k=10))
    assert "memo" not in _ids(
        assistant.search(nairobi, k=10, filters=SearchFilters(visible_to="bob"))
    )

    (corpus_copy / "2026-01-08-lei-jun-livestreams.md").unlink()
    removed = ingest(settings, embedder)
    assert removed.removed == [LIVESTREAM_ID]
    reopened = Assistant.open(settings)  # a fresh process would do the same
    assert set(reopened.articles()) == {AFRICA_ID, "memo"}
    assert LIVESTREAM_ID not in _ids(reopened.search("Lei Jun live stream", k=10))
    stats = reopened.stats()
    assert stats.articles == 2 and stats.chunks == removed.chunks
    hit = reopened.search("Morocco store", k=1)[0]
    stored = reopened.index.sentence_vectors([hit.chunk.id])[hit.chunk.id]
    assert stored.shape == (len(split_sentences(hit.chunk.text)), 384)

    # an edited article: its unchanged passages keep their ids and are written again
    africa = corpus_copy / "2025-09-01-xiaomi-africa.md"
    africa.write_text(africa.read_text() + "\n\nXiaomi also plans a service centre in Lagos.\n")
    assert ingest(settings, embedder).updated == [AFRICA_ID]
    edited = Assistant.open(settings)
    assert edited.search("service centre in Lagos", k=1)[0].chunk.article_id == AFRICA_ID
    ids = edited.articles()[AFRICA_ID].chunk_ids
    assert edited.stats().chunks == len(ids) + 1  # and the memo's
    live = edited.passages([c for r in edited.articles().values() for c in r.chunk_ids])
    # each sentence stored once (an insert of an id Milvus holds would keep both copies)
    assert edited.store_stats().sentences == sum(len(split_sentences(c.text)) for c in live)


def test_a_manifest_built_with_other_settings_is_refused(
    backend: str, milvus_uri: str, tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = backend_settings(backend, milvus_uri, tmp_path, corpus_copy)
    ingest(settings, embedder)
    other = settings.model_copy(update={"chunk_size": 120})
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        Assistant.open(other)
    with pytest.raises(IndexMismatchError):
        ingest(other, embedder)
    assert ingest(other, embedder, rebuild=True).articles == 2
    assert Assistant.open(other).index.manifest.chunk_size == 120


def test_an_ingest_killed_mid_way_changes_nothing_and_resumes(
    backend: str, milvus_uri: str, tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    settings = backend_settings(backend, milvus_uri, tmp_path, corpus_copy)
    ingest(settings, embedder)
    before = Assistant.open(settings)
    articles, chunks = set(before.articles()), before.stats().chunks
    if backend == "milvus-lite":  # one process at a time may open a milvus-lite file
        from rag.store.milvus_store import release_embedded

        release_embedded(settings)
    bulk = corpus_copy / "bulk"
    bulk.mkdir()
    for n in range(30):
        (bulk / f"note-{n}.md").write_text(
            f"# Note {n}\n\n" + " ".join(f"Port note {n}, line {i}." for i in range(4))
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest"],
        cwd=REPO,
        env={**_env(settings), "RAG_INGEST_BATCH_ARTICLES": "3"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode(errors="replace")  # type: ignore[union-attr]
        if len(list(settings.index_dir.glob(".ingest-checkpoint-*/batch-*.keys.npy"))) >= 2:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    time.sleep(1.0)  # let an embedded engine's server notice its parent is gone
    after = Assistant.open(settings)
    assert set(after.articles()) == articles
    assert after.stats().chunks == chunks
    counting = CountingEmbedder(embedder)
    report = ingest(settings, counting)
    assert len(report.added) == 30
    assert report.chunks == chunks + 30
    assert 0 < len(counting.embedded) < report.chunks_embedded + report.sentences_embedded
    resumed = Assistant.open(settings)
    assert resumed.search("Port note 17, line 3", k=1)[0].chunk.article_id == "note-17"


def test_both_engines_rank_alike_after_a_migration(
    tmp_path: Path, corpus_copy: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("pymilvus")
    from rag.store.migrate import migrate_index

    bulk = corpus_copy / "bulk"
    bulk.mkdir()
    for n in range(40):  # more passages than the candidate pool: the sample sets the spreads
        (bulk / f"market-{n}.md").write_text(
            f"---\ntitle: Market {n}\nsource: {'Wire' if n % 2 else 'Daily'}\n"
            f"published: '2025-0{1 + n % 9}-10'\n---\n\n"
            + f"Phone sales in market {n} rose {n}% as Xiaomi and Transsion opened stores."
        )
    faiss = make_settings(tmp_path, corpus_copy, llm_backend="extractive", candidate_pool=12)
    ingest(faiss, embedder)
    milvus = faiss.model_copy(update={"store": "milvus"})
    copied, _ = migrate_index(faiss, milvus)
    assert copied == Assistant.open(faiss).stats().chunks
    one, two = Assistant.open(faiss), Assistant.open(milvus)
    for question, filters in [
        ("Xiaomi stores in Morocco", None),
        ("phone sales rose 17%", None),
        ("Transsion market", SearchFilters(sources=["Wire"])),
        ("Xiaomi", SearchFilters(published_after=datetime(2025, 3, 1))),
    ]:
        a, b = (
            one.search(question, k=5, filters=filters),
            two.search(question, k=5, filters=filters),
        )
        assert [h.chunk.id for h in a] == [h.chunk.id for h in b], question
        assert [h.fused for h in a] == pytest.approx([h.fused for h in b], abs=1e-3)
