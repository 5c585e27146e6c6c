"""FAISS backend: an exact inner-product index plus the chunk id of each row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.errors import IndexError_

VECTORS_FILE = "vectors.faiss"
IDS_FILE = "vector_ids.json"


class FaissStore:
    """Exact search (IndexFlatIP); rows are addressed by position, mapped to chunk ids."""

    name = "faiss"

    def __init__(self, dimension: int, prefix: str = "") -> None:
        import faiss

        self.dimension = dimension
        self.prefix = prefix  # file name prefix: "" for chunks, "sentence_" for sentences
        self._index: faiss.Index = faiss.IndexFlatIP(dimension)
        self._ids: list[str] = []
        self._row: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, vector_id: object) -> bool:
        return vector_id in self._row

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        if len(ids) != len(vectors):
            raise ValueError("ids and vectors differ in length")
        if len(ids) == 0:
            return
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        for chunk_id in ids:
            self._row[chunk_id] = len(self._ids)
            self._ids.append(chunk_id)

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        rows = [self._row[i] for i in ids]
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack([self._index.reconstruct(r) for r in rows]).astype(np.float32)

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def matrix(self) -> np.ndarray:
        """All vectors, row i belonging to `ids[i]` (for scoring every row at once)."""
        if not self._ids:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._index.reconstruct_n(0, len(self._ids)), dtype=np.float32)

    def search(
        self, query: np.ndarray, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]:
        import faiss

        if not self._ids:
            return []
        query = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            rows = np.array([self._row[i] for i in allowed if i in self._row], dtype=np.int64)
            if rows.size == 0:
                return []
            params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBatch(rows)
        scores, rows_found = self._index.search(query, min(k, len(self._ids)), params=params)
        return [
            (self._ids[r], float(s))
            for s, r in zip(scores[0], rows_found[0], strict=True)
            if r >= 0
        ]

    def save(self, folder: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(folder / (self.prefix + VECTORS_FILE)))
        (folder / (self.prefix + IDS_FILE)).write_text(json.dumps(self._ids))

    @classmethod
    def load(cls, folder: Path, dimension: int, prefix: str = "") -> FaissStore:
        import faiss

        try:
            index = faiss.read_index(str(folder / (prefix + VECTORS_FILE)))
            ids = json.loads((folder / (prefix + IDS_FILE)).read_text())
        except (OSError, RuntimeError, ValueError) as exc:
            raise IndexError_(
                f"the vector file in {folder} is damaged ({exc}); run `rag ingest --rebuild`"
            ) from exc
        if index.d != dimension or index.ntotal != len(ids):
            raise IndexError_(
                f"the vector file in {folder} does not match its manifest; run `rag ingest --rebuild`"
            )
        store = cls(dimension, prefix)
        store._index = index
        store._ids = list(ids)
        store._row = {chunk_id: row for row, chunk_id in enumerate(ids)}
        return store
