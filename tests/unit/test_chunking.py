"""Chunks: stable ids, exact offsets, sized to the model window (tokenizer only, no torch)."""

from __future__ import annotations

from rag.corpus import load_file
from rag.corpus.chunking import chunk_article, embedding_text, make_splitter
from rag.embed.minilm import SentenceTransformerEmbedder
from tests.conftest import CORPUS

EMBEDDER = SentenceTransformerEmbedder()


def chunks_of(name: str, size: int = 200, overlap: int = 30):  # type: ignore[no-untyped-def]
    article = load_file(CORPUS / name)[0]
    return article, chunk_article(article, make_splitter(size, overlap, EMBEDDER.tokenize))


def test_offsets_point_at_the_chunk_text() -> None:
    article, chunks = chunks_of("2025-09-01-xiaomi-africa.md", size=80, overlap=10)
    assert len(chunks) > 3
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert chunk.article_id == article.id and chunk.source == article.source


def test_ids_are_stable_and_unique() -> None:
    _, first = chunks_of("2026-01-08-lei-jun-livestreams.md", size=80, overlap=10)
    _, second = chunks_of("2026-01-08-lei-jun-livestreams.md", size=80, overlap=10)
    assert [c.id for c in first] == [c.id for c in second]
    assert len({c.id for c in first}) == len(first)


def test_changed_content_changes_ids() -> None:
    article, chunks = chunks_of("2025-09-01-xiaomi-africa.md")
    edited = article.model_copy(update={"text": article.text + "\n\nOne more line."})
    splitter = make_splitter(200, 30, EMBEDDER.tokenize)
    assert chunk_article(edited, splitter)[0].id != chunks[0].id


def test_no_chunk_exceeds_the_model_window() -> None:
    for name in ("2025-09-01-xiaomi-africa.md", "2026-01-08-lei-jun-livestreams.md"):
        _, chunks = chunks_of(name)
        for chunk in chunks:
            assert len(EMBEDDER.tokenize(embedding_text(chunk))) + 2 <= EMBEDDER.max_tokens
