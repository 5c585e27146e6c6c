"""Settings: env prefix, rag.toml, validation."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.config import Settings


def test_env_overrides_toml_and_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rag.toml").write_text("top_k = 7\nchunk_size = 150\n")
    monkeypatch.setenv("RAG_TOP_K", "9")
    settings = Settings()
    assert (settings.top_k, settings.chunk_size, settings.chunk_overlap) == (9, 150, 30)


def test_invalid_values_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Settings(chunk_size=100, chunk_overlap=100)
    with pytest.raises(ValidationError):
        Settings(top_k=0)
    with pytest.raises(ValidationError):
        Settings(not_a_setting=1)  # type: ignore[call-arg]


def test_every_field_is_described() -> None:
    missing = [n for n, f in Settings.model_fields.items() if not f.description]
    assert missing == []


@pytest.mark.parametrize(
    "model", ["all-MiniLM-L6-v2", "multilingual-e5-small", "bge-small-en-v1.5"]
)
def test_each_model_brings_its_thresholds_unless_one_is_set(model: str) -> None:
    from rag.config import MODEL_THRESHOLDS

    settings = Settings(embedding_model=model)
    for name, value in MODEL_THRESHOLDS[model].items():
        assert getattr(settings, name) == value
    assert Settings(embedding_model=model, refusal_threshold=0.1).refusal_threshold == 0.1
