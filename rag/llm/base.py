"""The LLM interface every backend implements: stream a chat completion as text pieces."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TypedDict


class Message(TypedDict):
    role: str  # "system" | "user" | "assistant"
    content: str


class LLM(Protocol):
    """A chat model. Implementations raise rag.errors.LLMError on failure."""

    name: str

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]: ...


def complete(
    llm: LLM, messages: list[Message], *, max_tokens: int, temperature: float = 0.0
) -> str:
    """The whole completion as one string."""
    return "".join(llm.stream(messages, max_tokens=max_tokens, temperature=temperature))
