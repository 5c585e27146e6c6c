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
                _keep_one_logits_row(_MODELS[key])
        return _MODELS[key]


def _keep_one_logits_row(model: Any) -> None:
    """Saved states keep one row of the logits buffer instead of one per prompt token.

    llama-cpp-python copies rows up to the prompt's length of its n_batch x vocabulary
    buffer into every saved state: ~200-300 MB and ~0.5 s after each completion, more than
    the whole state cache (so the state was evicted as soon as stored). Without all logits
    no row is ever read back: llama.cpp samples from its own logits, and a restored state
    re-evaluates its last token first.
    """
    if getattr(model, "_logits_all", True):
        return
    save = model.save_state

    def save_state() -> Any:
        full = model.scores
        model.scores = full[:1]
        try:
            return save()
        finally:
            model.scores = full

    model.save_state = save_state


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

    def yes_probability(self, messages: list[Message]) -> float:
        """P("yes") against "no" from the logits of the reply's first token. `messages`
        continuing the last generation (its prompt and answer, then a question) cost only
        the new tokens: llama.cpp reuses the cached prefix."""
        import numpy as np
        from llama_cpp import LogitsProcessorList

        model = self._model()
        yes, no = (
            _first_tokens(model, ("yes", "Yes", "YES", "是")),
            _first_tokens(model, ("no", "No", "NO", "否", "不")),
        )
        seen: dict[str, float] = {}

        def capture(_ids: Any, logits: Any) -> Any:
            top = float(np.max(logits))
            seen["yes"] = float(np.sum(np.exp(logits[yes] - top)))
            seen["no"] = float(np.sum(np.exp(logits[no] - top)))
            return logits

        with _GENERATE_LOCK:
            # not saved to the state cache: saving copies every prompt row of logits
            # (~0.5 s), and the next prompt shares the cached prefix anyway
            states, model.cache = model.cache, None
            try:
                model.create_chat_completion(
                    messages=messages,
                    max_tokens=1,
                    temperature=0.0,
                    logits_processor=LogitsProcessorList([capture]),
                )
            except ValueError as exc:
                raise LLMError(f"llama.cpp failed: {exc}") from exc
            finally:
                model.cache = states
        total = seen.get("yes", 0.0) + seen.get("no", 0.0)
        return seen["yes"] / total if total > 0 else 0.5


# first words of a yes or no reply, in English and Chinese ("不是" is one token of its own)
YES_WORDS = ("yes", "Yes", "YES", " yes", " Yes", "是", "对", "正确")
NO_WORDS = ("no", "No", "NO", " no", " No", "否", "不", "不是", "没有", "错误")


def _first_tokens(model: Any, words: tuple[str, ...]) -> list[int]:
    """The first token of each word (as the reply's first word), without duplicates."""
    ids = {model.tokenize(w.encode(), add_bos=False, special=False)[0] for w in words}
    return sorted(ids)
