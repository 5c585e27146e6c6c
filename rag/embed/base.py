"""What the index and the answer path need from an embedding model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

Progress = Callable[[int], None]


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    model_id: str
    max_tokens: int

    @property
    def dimension(self) -> int: ...

    def tokenize(self, text: str) -> list[str]: ...

    def embed_passages(
        self, texts: Sequence[str], progress: Progress | None = None
    ) -> np.ndarray: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...
