"""The retrieval stage: a prepared question → the top passages, with the time it names
preferred (or, with date_mode 'filter', as a publication-date filter), and notes that say so.

With 'filter', "in January 2026" keeps only articles published then; when none is, all
articles are searched and the note says that.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.models import Hit, SearchFilters
from rag.retrieve.period import PeriodWords
from rag.retrieve.query import Query
from rag.retrieve.retriever import Retriever
from rag.text.language import Note


@dataclass(frozen=True)
class Retrieved:
    hits: list[Hit]
    notes: list[Note] = field(default_factory=list)


def search_passages(
    query: Query,
    retriever: Retriever,
    k: int,
    filters: SearchFilters | None = None,
    date_mode: str = "prefer",
) -> Retrieved:
    """Hybrid search for the question, its dates applied as `date_mode` says."""
    intent = query.dates
    search = retriever.search
    if query.period is None or date_mode == "off":
        return Retrieved(search(query.text, k, filters, intent.recent, vector=query.vector))
    expression = intent.expression
    if date_mode == "prefer":
        hits = search(query.text, k, filters, vector=query.vector, period=intent)
        return Retrieved(
            hits, [Note.of("prefer_period", period=PeriodWords(intent), expression=expression)]
        )
    narrowed = (filters or SearchFilters()).narrowed(intent.after, intent.before)
    hits = search(query.text, k, narrowed, vector=query.vector)
    window = PeriodWords(intent, window=True)
    if hits:
        return Retrieved(hits, [Note.of("searched_period", window=window, expression=expression)])
    hits = search(query.text, k, filters, vector=query.vector)
    return Retrieved(hits, [Note.of("no_article_in_period", window=window)])
