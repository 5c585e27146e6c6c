"""Any OpenAI-compatible chat endpoint: Ollama, vLLM, llama.cpp server, a hosted API."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from rag.errors import ConfigError, LLMError
from rag.llm.base import Message, yes_no


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
        with self._errors():
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

    def yes_probability(self, messages: list[Message]) -> float:
        """P("yes") against "no" from the first token's top log-probabilities; from the
        reply's text (1.0 or 0.0) where the server gives none (llama.cpp's server gives them
        only for a model loaded with all logits)."""
        with self._errors():
            try:
                response = self._client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    max_tokens=1,
                    temperature=0.0,
                    logprobs=True,
                    top_logprobs=10,
                )
            except self._openai.APIStatusError:
                response = self._client.chat.completions.create(
                    model=self.model, messages=messages, max_tokens=1, temperature=0.0
                )
            choice = response.choices[0]
            content = choice.logprobs.content if choice.logprobs else None
            if not content or not content[0].top_logprobs:
                return yes_no(choice.message.content or "")
            weights = {"yes": 0.0, "no": 0.0}
            for top in content[0].top_logprobs:
                word = "yes" if yes_no(top.token) else "no" if _NO.match(top.token) else ""
                if word:
                    weights[word] += math.exp(top.logprob)
            total = weights["yes"] + weights["no"]
            return weights["yes"] / total if total > 0 else yes_no(choice.message.content or "")

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """The client's failures as LLMError, with what to do about them."""
        errors = self._openai
        try:
            yield
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


_NO = re.compile(r"\W*(no|否|不)", re.IGNORECASE)
