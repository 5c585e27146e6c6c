"""The vector store interface: what the index needs from a backend (faiss today, Milvus later)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np


class VectorStore(Protocol):
    """Chunk vectors keyed by chunk id; inner product on normalized vectors."""

    name: str

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None: ...

    def vectors(self, ids: Sequence[str]) -> np.ndarray: ...

    def search(
        self, query: np.ndarray, k: int, allowed: set[str] | None = None
    ) -> list[tuple[str, float]]: ...

    def save(self, folder: Path) -> None: ...
