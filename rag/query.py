"""One question, prepared once and passed down: its language, search text, vector and dates.

Retrieval, the evidence ranking and the answer all use the same `Query`, so the question is
embedded once and its language decides the language of the answer, refusal and notices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rag.dates import DateIntent, parse_date_intent
from rag.embeddings import Embedder
from rag.language import Language, is_cjk, language_of, say
from rag.llm.base import LLM
from rag.translate import CROSS_LINGUAL_EMBEDDERS, translate_question


@dataclass(frozen=True)
class Query:
    """A validated question ready for retrieval."""

    asked: str  # as the user wrote it
    text: str  # what is searched: the question, or its English translation
    language: Language  # of `asked`: answers, refusals and notices use it
    vector: np.ndarray  # embedding of `text`
    dates: DateIntent = field(default_factory=DateIntent)
    notices: tuple[str, ...] = ()

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
    text, notices = question, []
    cross_lingual = getattr(embedder, "model_id", "") in CROSS_LINGUAL_EMBEDDERS
    if llm is not None and translate and not cross_lingual and is_cjk(question):
        english = translate_question(llm, question)
        if english:
            text = english
            notices.append(say("translated", language, english=english))
    vector = embedder.embed_queries([text])[0]
    dates = parse_date_intent(question) if read_dates else DateIntent()
    return Query(question, text, language, vector, dates, tuple(notices))
