"""Multi-turn chat: a bounded history, and follow-ups condensed into standalone questions
(rag/retrieve/condense.py) before they are answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, Protocol, overload

from rag.config import Settings
from rag.embed import Embedder
from rag.llm.base import LLM
from rag.models import Answer, SearchFilters, SourcesFound, Turn
from rag.retrieve.condense import condense_with_llm, rule_based_condense, stands_alone
from rag.retrieve.query import validate_question


class Answerer(Protocol):
    """What a chat needs of the Assistant."""

    settings: Settings
    embedder: Embedder

    @property
    def llm(self) -> LLM | None: ...

    @overload
    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        sources: Literal[False] = False,
    ) -> Iterator[str | Answer]: ...

    @overload
    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        sources: bool,
    ) -> Iterator[str | SourcesFound | Answer]: ...


class ChatSession:
    """A conversation: keeps a bounded history and answers follow-up questions."""

    def __init__(
        self, assistant: Answerer, filters: SearchFilters | None = None, k: int | None = None
    ) -> None:
        self.assistant = assistant
        self.filters = filters
        self.k = k
        self.history: list[Turn] = []

    def _tokens(self, turn: Turn) -> int:
        return len(self.assistant.embedder.tokenize(turn.question + " " + turn.answer))

    def _trim(self) -> None:
        budget = self.assistant.settings.history_tokens
        while self.history and sum(self._tokens(t) for t in self.history) > budget:
            self.history.pop(0)  # oldest first

    def condense(self, question: str) -> str:
        """The follow-up as a standalone question (LLM when configured, else a rule)."""
        if not self.history or stands_alone(question):
            return question  # no LLM call before retrieval (~5 s on 2 cores) when none is needed
        llm = self.assistant.llm
        if llm is None:
            return rule_based_condense(question, self.history)
        return condense_with_llm(llm, question, self.history)

    @overload
    def stream(self, question: str, sources: Literal[False] = False) -> Iterator[str | Answer]: ...

    @overload
    def stream(self, question: str, sources: bool) -> Iterator[str | SourcesFound | Answer]: ...

    def stream(self, question: str, sources: bool = False) -> Iterator[str | SourcesFound | Answer]:
        """Like Assistant.stream, with the conversation's context."""
        question = validate_question(question, self.assistant.settings.max_question_chars)
        standalone = self.condense(question)
        found = self.assistant.stream(standalone, k=self.k, filters=self.filters, sources=sources)
        for item in found:
            if isinstance(item, Answer):
                item.question, item.standalone_question = question, standalone
                self.history.append(Turn(standalone, item.text))
                self._trim()
            yield item

    def ask(self, question: str) -> Answer:
        answer = None
        for item in self.stream(question):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer
