"""In-process llama.cpp: one model per process, shared, generation serialized by a lock."""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import ConfigError, LLMError
from rag.llm.base import Message

_MODELS: dict[tuple[str, int, int, int, int], Any] = {}
_LOAD_LOCK = threading.Lock()
# llama.cpp contexts are not thread-safe: every generation in this process takes this lock.
_GENERATE_LOCK = threading.Lock()


def _load(
    path: Path, n_ctx: int, n_threads: int, state_cache_mb: int = 0, prompt_lookup: int = 0
) -> Any:
    key = (str(path), n_ctx, n_threads, state_cache_mb, prompt_lookup)
    with _LOAD_LOCK:
        if key not in _MODELS:
            try:
                from llama_cpp import Llama
                from llama_cpp.llama_cache import LlamaRAMCache
                from llama_cpp.llama_speculative import LlamaPromptLookupDecoding
            except ImportError as exc:
                raise ConfigError(
                    "install llama-cpp-python to use the llamacpp backend (`pip install -e '.[llm]'`)"
                ) from exc
            if not path.is_file():
                raise LLMError(f"model file {path} does not exist (RAG_LLM_MODEL_PATH)")
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            try:
                _MODELS[key] = Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=n_threads,
                    chat_format="chatml",
                    verbose=False,
                    # answers copy phrases of their sources: draft tokens from the prompt
                    draft_model=(
                        LlamaPromptLookupDecoding(num_pred_tokens=prompt_lookup)
                        if prompt_lookup
                        else None
                    ),
                )
            except (ValueError, RuntimeError) as exc:
                raise LLMError(
                    f"llama.cpp could not load {path}: corrupt or not a GGUF model"
                ) from exc
            if state_cache_mb:
                # llama.cpp keeps one prompt's cache; a rewrite or translation prompt in
                # between would make the next answer recompute the system rules (~7 s on
                # 2 cores). Saved states let it restore the longest matching prefix instead.
                _MODELS[key].set_cache(LlamaRAMCache(capacity_bytes=state_cache_mb << 20))
        return _MODELS[key]


@atexit.register
def _close_models() -> None:
    """Free models before interpreter teardown (llama.cpp's __del__ fails late in shutdown)."""
    for model in _MODELS.values():
        model.close()
    _MODELS.clear()


class LlamaCppLLM:
    """A GGUF model run in this process (ChatML template for Qwen)."""

    name = "llamacpp"

    def __init__(
        self,
        model_path: Path,
        n_ctx: int = 2048,
        n_threads: int = 2,
        state_cache_mb: int = 0,
        prompt_lookup: int = 0,
    ) -> None:
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.state_cache_mb = state_cache_mb
        self.prompt_lookup = prompt_lookup

    def _model(self) -> Any:
        return _load(
            self.model_path, self.n_ctx, self.n_threads, self.state_cache_mb, self.prompt_lookup
        )

    def warm_up(self, prefix: list[Message] | None = None) -> None:
        """Load the model; with `prefix` (the start every prompt shares), also compute its
        cache now. llama.cpp reuses the longest cached prefix of the previous prompt, so the
        first question then costs only its own sources and question."""
        model = self._model()
        if prefix:
            with _GENERATE_LOCK:
                model.create_chat_completion(messages=prefix, max_tokens=1, temperature=0.0)

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        model = self._model()
        with _GENERATE_LOCK:
            try:
                chunks = model.create_chat_completion(
                    messages=messages,
                    stream=True,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    seed=0,
                )
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            except ValueError as exc:  # e.g. prompt longer than the context window
                raise LLMError(f"llama.cpp failed: {exc}") from exc
