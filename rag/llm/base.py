"""The LLM interface every backend implements: stream a chat completion as text pieces."""

from __future__ import annotations

import re
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

    def yes_probability(self, messages: list[Message]) -> float:
        """P("yes") against "no" as the first word of the reply to `messages` (a chat that
        ends with a yes/no question). A backend without token probabilities answers 1.0 or
        0.0 from the reply's text."""
        ...


def yes_no(text: str) -> float:
    """1.0 for a reply that starts with yes (是/对), 0.0 otherwise."""
    return 1.0 if re.match(r"\W*(yes|是|对)", text, re.IGNORECASE) else 0.0


def complete(
    llm: LLM, messages: list[Message], *, max_tokens: int, temperature: float = 0.0
) -> str:
    """The whole completion as one string."""
    return "".join(llm.stream(messages, max_tokens=max_tokens, temperature=temperature))
