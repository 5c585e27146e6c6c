"""The second pass of an ingest: the new and changed articles read again in batches,
chunked, embedded (through the resumable checkpoint) and written to the store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from rag.config import Settings
from rag.corpus import iter_files, load_file
from rag.corpus.chunking import chunk_article, embedding_text, make_splitter
from rag.embed import Embedder
from rag.errors import LoaderError
from rag.ingest.plan import Seen
from rag.models import Article, ArticleRecord, Chunk, IngestReport
from rag.store import Store
from rag.store.checkpoint import Checkpoint
from rag.text.sentences import split_sentences


def read_batches(
    paths: Sequence[Path], wanted: dict[str, Seen], owner: str | None, size: int
) -> Iterator[list[Article]]:
    """The wanted articles, read again file by file, in batches of `size`."""
    batch: list[Article] = []
    left = dict(wanted)
    for path in iter_files(paths):
        if not left:
            break
        try:
            loaded = load_file(path)
        except LoaderError:
            continue
        for article in loaded:
            seen = left.get(article.id)
            if seen is None or seen.content_hash != article.content_hash:
                continue
            del left[article.id]
            batch.append(article.model_copy(update={"owner": seen.owner}) if owner else article)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def _record(article: Article, chunks: list[Chunk]) -> ArticleRecord:
    return ArticleRecord(
        id=article.id,
        content_hash=article.content_hash,
        path=article.path,
        title=article.title,
        source=article.source,
        published=article.published,
        chunk_ids=[c.id for c in chunks],
        owner=article.owner,
    )


class Writer:
    """Chunks and embeds batches of articles into the store (through the checkpoint)."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: Store,
        checkpoint: Checkpoint,
        report: IngestReport,
    ) -> None:
        self.embedder, self.store, self.checkpoint, self.report = (
            embedder,
            store,
            checkpoint,
            report,
        )
        self.splitter = make_splitter(
            settings.chunk_size, settings.chunk_overlap, embedder.tokenize
        )

    def add(self, articles: list[Article]) -> None:
        chunked = {a.id: chunk_article(a, self.splitter) for a in articles}
        chunks = [c for a in articles for c in chunked[a.id]]
        sentences = {c.id: split_sentences(c.text) for c in chunks}
        texts = [embedding_text(c) for c in chunks]
        flat = [s for c in chunks for s in sentences[c.id]]
        vectors = self.checkpoint.embed(texts + flat)
        passages, rest = vectors[: len(chunks)], vectors[len(chunks) :]
        by_chunk, start = {}, 0
        for chunk in chunks:
            count = len(sentences[chunk.id])
            by_chunk[chunk.id] = rest[start : start + count]
            start += count
        self.store.add([_record(a, chunked[a.id]) for a in articles], chunks, passages, by_chunk)
        self.report.chunks_embedded += len(chunks)
        self.report.sentences_embedded += len(flat)

    def add_missing_sentences(self, records: dict[str, ArticleRecord], skip: set[str]) -> None:
        """After importing an index older than format 3: embed every kept chunk's sentences
        (its passage vector is kept) and store the articles again with them. Old indexes
        were small (every vector was copied at each ingest), so this holds them in memory."""
        batches = list(self.store.iter_chunks(1000))
        chunks = [c for part, _ in batches for c in part]
        if not chunks:
            return
        vectors = np.concatenate([v for _, v in batches])
        sentences = {c.id: split_sentences(c.text) for c in chunks}
        flat = [s for c in chunks for s in sentences[c.id]]
        embedded = self.checkpoint.embed(flat)
        by_chunk, start = {}, 0
        for chunk in chunks:
            by_chunk[chunk.id] = embedded[start : start + len(sentences[chunk.id])]
            start += len(sentences[chunk.id])
        by_article: dict[str, list[int]] = {}
        for n, chunk in enumerate(chunks):
            if chunk.article_id not in skip and chunk.article_id in records:
                by_article.setdefault(chunk.article_id, []).append(n)
        self.store.remove(list(by_article))
        for article_id, rows in by_article.items():
            part = [chunks[r] for r in rows]
            self.store.add(
                [records[article_id]], part, vectors[rows], {c.id: by_chunk[c.id] for c in part}
            )
        self.report.sentences_embedded += len(flat)
