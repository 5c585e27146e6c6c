"""The ONNX query encoder: exported from the real model, same vectors as torch, cached."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.embed.minilm import SentenceTransformerEmbedder

pytestmark = pytest.mark.integration
QUESTIONS = ["What is Xiaomi's Africa strategy?", "How many followers did Lei Jun lose?", "51%"]


@pytest.fixture(scope="module")
def embedder() -> SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 through torch (the ONNX export is of this model)."""
    return SentenceTransformerEmbedder()


def test_onnx_queries_match_torch_and_the_export_is_reused(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    onnx = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    vectors = onnx.embed_queries(QUESTIONS)
    assert onnx._query_encoder, "the ONNX encoder was not used"
    torch_vectors = embedder.embed_queries(QUESTIONS)
    assert vectors.shape == torch_vectors.shape
    assert np.all(np.sum(vectors * torch_vectors, axis=1) > 0.9999)
    assert len(list(tmp_path.glob("*.onnx"))) == 1 and list(tmp_path.glob("*.checked"))

    again = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    assert np.allclose(again.embed_queries(QUESTIONS[:1]), vectors[:1], atol=1e-5)
    assert again._model is None, "a cached export must not load torch"


def test_a_broken_export_falls_back_to_torch(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    onnx = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    onnx.embed_queries(QUESTIONS[:1])
    for path in tmp_path.glob("*.onnx"):
        path.write_bytes(b"not a model")
    broken = SentenceTransformerEmbedder(onnx_cache=tmp_path)
    vector = broken.embed_queries(QUESTIONS[:1])
    assert broken._query_encoder is False
    assert float(vector[0] @ embedder.embed_queries(QUESTIONS[:1])[0]) > 0.9999
