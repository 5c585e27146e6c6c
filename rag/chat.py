"""Multi-turn chat: follow-ups that refer back are condensed into standalone questions
before retrieval; one that names its own subject is searched as it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.errors import LLMError
from rag.evidence import content_words
from rag.llm.base import LLM, Message, complete
from rag.models import Answer

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.retrieval import SearchFilters

REFERRING = re.compile(
    r"\b(it|its|it's|they|their|them|there|that|this|these|those|he|his|she|her|the company|"
    r"the same|else|also|more)\b|^(and|what about|how about)\b",
    re.IGNORECASE,
)
CONDENSE_PROMPT = (
    "You rewrite follow-up questions; you never answer them. Rewrite the follow-up question "
    "as one standalone question that names the people, companies, places and topics it refers "
    "to. Reply with the rewritten question only.\n\n"
    "Example:\nUser: What did Apple announce in Paris?\nFollow-up question: When will it ship?\n"
    "Standalone question: When will the product Apple announced in Paris ship?"
)


@dataclass
class Turn:
    question: str  # standalone form
    answer: str


def rule_based_condense(question: str, history: list[Turn]) -> str:
    """Prefix a follow-up that refers back (pronouns, very short) with the previous question."""
    if not history:
        return question
    if REFERRING.search(question) or len(question.split()) < 5:
        return f"{history[-1].question} {question}"
    return question


NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]*")  # a capitalised word past the start


def stands_alone(question: str) -> bool:
    """A follow-up that needs no rewrite: no word referring back, at least five words, and a
    name of its own ("How many followers did Lei Jun lose?"). Chinese questions, and "What
    share does the leader hold?", are rewritten: nothing cheap tells what they refer to."""
    return (
        not REFERRING.search(question)
        and len(question.split()) >= 5
        and any(m.group() != "I" for m in NAME.finditer(question.strip()))
    )


def looks_like_rewrite(candidate: str, question: str) -> bool:
    """Small models sometimes answer instead of rewriting: accept only a question that keeps
    most of the follow-up's words."""
    words = content_words(question)
    kept = len(words & content_words(candidate)) / len(words) if words else 1.0
    return (
        candidate.endswith(("?", "？"))
        and kept >= 0.5
        and len(candidate) <= 4 * len(question) + 200
    )


class ChatSession:
    """A conversation: keeps a bounded history and answers follow-up questions."""

    def __init__(
        self, assistant: Assistant, filters: SearchFilters | None = None, k: int | None = None
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
        return self._condense_with_llm(llm, question)

    def _condense_with_llm(self, llm: LLM, question: str) -> str:
        recent = self.history[-2:]
        convo = "\n".join(f"User: {t.question}\nAssistant: {t.answer[:300]}" for t in recent)
        messages: list[Message] = [
            {"role": "system", "content": CONDENSE_PROMPT},
            {
                "role": "user",
                "content": f"{convo}\nFollow-up question: {question}\nStandalone question:",
            },
        ]
        try:
            rewritten = complete(llm, messages, max_tokens=48).strip().strip('"').splitlines()
        except LLMError:
            return rule_based_condense(question, self.history)
        candidate = rewritten[0].strip() if rewritten else ""
        if not looks_like_rewrite(candidate, question):
            return rule_based_condense(question, self.history)
        return candidate

    def stream(self, question: str) -> Iterator[str | Answer]:
        """Like Assistant.stream, with the conversation's context."""
        from rag.answering import validate_question

        question = validate_question(question, self.assistant.settings)
        standalone = self.condense(question)
        for item in self.assistant.stream(standalone, k=self.k, filters=self.filters):
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
