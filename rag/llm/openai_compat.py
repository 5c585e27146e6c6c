"""Any OpenAI-compatible chat endpoint: Ollama, vLLM, llama.cpp server, a hosted API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from rag.errors import ConfigError, LLMError
from rag.llm.base import Message


class OpenAICompatibleLLM:
    """Streams chat completions from `base_url` with the `openai` client."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float) -> None:
        try:
            import openai
        except ImportError as exc:
            raise ConfigError(
                "install openai to use the openai backend (`pip install openai`)"
            ) from exc
        self.base_url = base_url
        self.model = model
        self._openai = openai
        self._client: Any = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0
        )

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        errors = self._openai
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                messages=messages,
                stream=True,
                max_tokens=max_tokens,
                temperature=temperature,
            )
            for event in response:
                if event.choices and event.choices[0].delta.content:
                    yield event.choices[0].delta.content
        except errors.APITimeoutError as exc:
            raise LLMError(f"the LLM server at {self.base_url} timed out") from exc
        except errors.APIConnectionError as exc:
            raise LLMError(
                f"cannot reach the LLM server at {self.base_url}: start it, fix RAG_OPENAI_BASE_URL, "
                "or use the extractive backend"
            ) from exc
        except errors.APIStatusError as exc:
            raise LLMError(
                f"the LLM server at {self.base_url} answered {exc.status_code}: {exc.message}"
            ) from exc
        except (httpx.HTTPError, ConnectionError) as exc:  # the stream broke off
            raise LLMError(f"the LLM server at {self.base_url} stopped answering ({exc})") from exc
