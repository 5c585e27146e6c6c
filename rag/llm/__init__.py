"""LLM backends behind one interface, chosen by `Settings.llm_backend` and loaded lazily."""

from __future__ import annotations

from rag.config import Settings
from rag.llm.base import LLM, Message, complete

__all__ = ["LLM", "Message", "complete", "load_llm"]


def load_llm(settings: Settings) -> LLM | None:
    """The configured backend; None for the extractive (no-LLM) mode."""
    backend = settings.llm_backend
    if backend == "extractive":
        return None
    if backend == "llamacpp":
        from rag.llm.llamacpp import LlamaCppLLM
        from rag.llm.model_files import default_model_path

        path = settings.llm_model_path or default_model_path(settings.model_cache_dir)
        return LlamaCppLLM(
            path,
            settings.llm_context,
            settings.llm_threads,
            settings.llm_state_cache_mb,
            settings.llm_prompt_lookup,
        )
    if backend == "openai":
        from rag.llm.openai_compat import OpenAICompatibleLLM

        return OpenAICompatibleLLM(
            settings.openai_base_url,
            settings.openai_model,
            settings.openai_api_key,
            settings.llm_timeout_s,
        )
    from rag.llm.fake import FakeLLM

    return FakeLLM()
