"""A deterministic LLM for unit tests of answering logic (never used by users)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from rag.llm.base import Message


class FakeLLM:
    """Replies with `reply(messages)` (or a fixed text), streamed word by word."""

    name = "fake"

    def __init__(
        self,
        reply: str | Callable[[list[Message]], str] = "NOT IN SOURCES",
        judged: float = 1.0,  # what yes_probability answers
    ) -> None:
        self.reply = reply
        self.judged = judged
        self.calls: list[list[Message]] = []

    def stream(
        self, messages: list[Message], *, max_tokens: int, temperature: float
    ) -> Iterator[str]:
        self.calls.append(messages)
        text = self.reply(messages) if callable(self.reply) else self.reply
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == len(words) - 1 else word + " "

    def yes_probability(self, messages: list[Message]) -> float:
        return self.judged
