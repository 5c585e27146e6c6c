"""bge-small-en-v1.5 (the packaged ONNX export) as a llama-index embedding, for llama-index
pipelines: the same vectors as `rag.embed.onnx_embedder.OnnxEmbedder` (a test checks it)."""

from __future__ import annotations

from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from rag.config import BGE_MODEL
from rag.embed.onnx_embedder import OnnxEmbedder


class OnnxBgeEmbedding(BaseEmbedding):
    """A packaged ONNX encoder as a llama-index embedding ([CLS] pooling, no prefixes)."""

    model_name: str = BGE_MODEL
    _encoder: Any = PrivateAttr(default=None)

    def _model(self) -> OnnxEmbedder:
        if self._encoder is None:
            self._encoder = OnnxEmbedder(self.model_name)
        return self._encoder  # type: ignore[no-any-return]

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in self._model().embed_queries([query])[0]]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in self._model().embed_passages([text])[0]]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in self._model().embed_passages(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
