"""The store interface: what retrieval, ingest and the UI need from an index, whatever the
engine (FAISS in-process, Milvus embedded or on a server).

A reader answers `candidates` (each signal's top rows for a question, with filters pushed
down to the engine, every signal filled in for the union, plus a fixed reference sample of
rows that tells the fusion how widely each signal spreads over the whole collection),
`chunks`, `sentence_vectors` and `stats`. A writer takes `add` / `remove` and makes them
visible together at `commit`. Nothing outside `rag/store/` knows about files, generations,
matrices or engines.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from rag.models import ArticleRecord, Chunk, SearchFilters
from rag.store.manifest import Manifest

POOL = 300  # candidates per signal (measured on SciFact: see docs/vector-stores-2026-12-01.md)
SAMPLE_CHUNKS = 2000  # rows in the reference sample (whole articles, chosen by id hash)


def sentence_id(chunk_id: str, n: int) -> str:
    return f"{chunk_id}#{n}"


def chunk_of(sentence_vector_id: str) -> str:
    return sentence_vector_id.rsplit("#", 1)[0]


@dataclass
class Scored:
    """Rows with every signal's score (aligned arrays)."""

    ids: list[str]
    articles: list[str]  # article id of each row
    published: np.ndarray  # POSIX time, NaN when unknown
    dense: np.ndarray  # passage cosine
    keyword: np.ndarray  # BM25
    sentence: np.ndarray  # best-sentence cosine (the passage cosine when not asked for)

    @classmethod
    def empty(cls) -> Scored:
        z = np.zeros(0, np.float32)
        return cls([], [], np.zeros(0), z, z, z)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class Candidates:
    """What a store found for one question.

    `found`: the union of each signal's top rows among those passing the filters.
    `sample`: the reference-sample rows passing the filters, scored the same way, or None
    when `found` already holds every row that passes (then it is its own population).
    """

    found: Scored
    sample: Scored | None = None
    engine_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Signals:
    """Which signals to compute."""

    dense: bool = True
    keyword: bool = True
    sentence: bool = False


ALL_DEFAULT = Signals()  # dense and keyword


@dataclass(frozen=True)
class StoreStats:
    engine: str  # "faiss" | "milvus"
    location: str  # folder or URI (+ collection)
    dense_index: str  # e.g. "flat", "hnsw32-sq8", "milvus HNSW"
    keyword_index: str  # "side index (segmented BM25)" or "milvus BM25"
    chunks: int
    sentences: int
    disk_bytes: int | None


class StoreReader(Protocol):
    manifest: Manifest

    def candidates(
        self,
        vector: np.ndarray,
        text: str,
        k: int,
        filters: SearchFilters | None = None,
        signals: Signals = ALL_DEFAULT,
    ) -> Candidates: ...

    def chunks(self, ids: Sequence[str]) -> list[Chunk]: ...

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def stats(self) -> StoreStats: ...

    def iter_chunks(self, batch: int = 1000) -> Iterator[tuple[list[Chunk], np.ndarray]]: ...


class StoreWriter(Protocol):
    manifest: Manifest

    def add(
        self,
        records: Sequence[ArticleRecord],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentence_vectors: Mapping[str, np.ndarray],
    ) -> None: ...

    def remove(self, article_ids: Sequence[str]) -> None: ...

    def keep(self, records: Sequence[ArticleRecord]) -> None: ...

    def commit(self) -> None: ...


class Store(StoreReader, StoreWriter, Protocol):
    def close(self) -> None: ...
