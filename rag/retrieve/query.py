"""One question, validated and prepared once, then passed down: its language, search text,
vector and dates.

Retrieval, the evidence ranking and the answer all use the same `Query`, so the question is
embedded once and its language decides the language of the answer, refusal and notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rag.embed import Embedder
from rag.errors import InputError
from rag.llm.base import LLM
from rag.retrieve.dates import DateIntent, parse_date_intent
from rag.retrieve.parts import split_parts
from rag.retrieve.translate import CROSS_LINGUAL_EMBEDDERS, translate_question
from rag.text.language import Language, Note, is_cjk, language_of


def validate_question(question: str, max_chars: int) -> str:
    """The question, stripped; empty or over-long questions raise InputError."""
    cleaned = question.strip() if isinstance(question, str) else ""
    if not cleaned:
        raise InputError("the question is empty: type a question about the articles")
    if len(cleaned) > max_chars:
        raise InputError(
            f"the question is {len(cleaned):,} characters long; the limit is "
            f"{max_chars:,} (RAG_MAX_QUESTION_CHARS): shorten it"
        )
    return cleaned


@dataclass(frozen=True)
class Query:
    """A validated question ready for retrieval."""

    asked: str  # as the user wrote it
    text: str  # what is searched: the question, or its English translation
    language: Language  # of `asked`: answers, refusals and notices use it
    vector: np.ndarray  # embedding of `text`
    dates: DateIntent = field(default_factory=DateIntent)
    notes: tuple[Note, ...] = ()  # e.g. the English translation that was searched
    parts: tuple[Query, ...] = ()  # a question with several parts: each, prepared alike

    def without_parts(self) -> Query:
        return replace(self, parts=())

    @property
    def period(self) -> DateIntent | None:
        """The time window the question names, if any."""
        return self.dates if self.dates.after or self.dates.before else None


def prepare(
    question: str,
    embedder: Embedder,
    llm: LLM | None,
    *,
    translate: bool = True,
    read_dates: bool = True,
) -> Query:
    """Language, translation (only for an English-only embedder with an LLM), vector, dates."""
    language = language_of(question)
    text, notes = question, []
    cross_lingual = getattr(embedder, "model_id", "") in CROSS_LINGUAL_EMBEDDERS
    if llm is not None and translate and not cross_lingual and is_cjk(question):
        english = translate_question(llm, question)
        if english:
            text = english
            notes.append(Note.of("translated", english=english))
    pieces = split_parts(question) if text == question else []  # (not a translation's)
    vectors = embedder.embed_queries([text, *pieces])
    dates = parse_date_intent(question) if read_dates else DateIntent()
    parts = tuple(
        Query(
            piece, piece, language, vector, parse_date_intent(piece) if read_dates else DateIntent()
        )
        for piece, vector in zip(pieces, vectors[1:], strict=True)
    )
    return Query(question, text, language, vectors[0], dates, tuple(notes), parts)
