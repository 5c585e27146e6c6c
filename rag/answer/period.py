"""The asked period: an answer drawn from another year than the question names is refused."""

from __future__ import annotations

from rag.answer.answerability import asked_kind
from rag.answer.reply import Draft, not_answered, refusal
from rag.models import Citation
from rag.retrieve.dates import DateIntent
from rag.retrieve.period import YearWords, mentioned_years, mentions, published_in, years_of
from rag.retrieve.query import Query
from rag.text.language import Note


def citation_fits(citation: Citation, intent: DateIntent) -> bool:
    """The cited passage was published in the period (plus grace) or mentions its years."""
    text = f"{citation.title}\n{citation.passage}"
    return published_in(citation.published, intent) or mentions(text, intent)


def period_mismatch(intent: DateIntent, answer: Draft, asks_date: bool) -> set[int] | None:
    """The years a question names when its answer does not fit them: no citation is from
    or about them, or (unless the question asks for a date, which may lie in another
    year) the answer states only other years. None when the answer fits."""
    years = years_of(intent)
    if not years or answer.text is None or not answer.citations:
        return None
    if not any(citation_fits(c, intent) for c in answer.citations):
        return years
    stated = mentioned_years(answer.text)
    if not asks_date and stated and not stated & years:
        return years
    return None


def check_period(query: Query, draft: Draft, backend: str) -> Draft:
    """The draft, or a refusal when it answers for another year than the question names."""
    if query.period is None:
        return draft
    asked = asked_kind(query.asked)
    years = period_mismatch(query.dates, draft, bool(asked and asked.kind == "date"))
    if years is None:
        return draft
    reason = Note.of("wrong_period", years=YearWords(frozenset(years)))
    refused = refusal(draft.hits, backend, not_answered(reason), *draft.notes)
    refused.context = draft.context
    return refused
