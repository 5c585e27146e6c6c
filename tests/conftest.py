"""Shared fixtures: settings in temp folders, the real embedding model, a real index."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
AFRICA_ID = "xiaomi-africa-2025-09-01"
LIVESTREAM_ID = "lei-jun-livestreams-2026-01-08"
AFRICA_Q = "What is Xiaomi's Africa strategy?"
# the strategy's facts as the Africa article states them (and as a Chinese answer may write them)
AFRICA_FACTS = {
    "store in Morocco": ("Morocco", "摩洛哥"),
    "14% share": ("14%",),
    "AIoT ecosystem": ("AIoT",),
    "1,000 talents": ("1,000", "1000", "一千"),
    "restructured team": ("restructur", "重组"),
}


def cited_facts(answer, facts, article_id):  # type: ignore[no-untyped-def]
    """The facts an answer names in a sentence that cites `article_id` by a verified [n]."""
    import re

    from rag.answer.verify import split_answer

    article_of = {c.n: c.article_id for c in answer.citations}
    named = set()
    for sentence in split_answer(answer.text):
        cites = {article_of.get(int(n)) for n in re.findall(r"\[(\d+)\]", sentence)}
        if article_id in cites:
            low = sentence.lower()
            named |= {f for f, forms in facts.items() if any(x.lower() in low for x in forms)}
    return named


def make_settings(root: Path, corpus: Path | None = None, **overrides: object):  # type: ignore[no-untyped-def]
    from rag.config import Settings

    return Settings(
        data_dir=root / ".rag",
        corpus_dir=corpus or root / "corpus",
        model_cache_dir=Path.home() / ".cache" / "rag-models",
        **overrides,
    )


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the real corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture(scope="session")
def embedder():  # type: ignore[no-untyped-def]
    """The real packaged default embedding model, loaded once per test session."""
    from rag.config import DEFAULT_EMBEDDING_MODEL
    from rag.embed import load_embedder

    model = load_embedder(DEFAULT_EMBEDDING_MODEL)
    _ = model.dimension
    return model


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """An Assistant over a real FAISS index of the real corpus, built once."""
    from rag.assistant import Assistant
    from rag.ingest import ingest

    root = tmp_path_factory.mktemp("corpus-index")
    settings = make_settings(root, corpus=CORPUS, llm_backend="extractive")
    ingest(settings, embedder)
    yield Assistant(settings, embedder, None).reload()
