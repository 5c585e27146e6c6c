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
    """Hybrid search for the question, its dates applied as `date_mode` says; a question with
    several parts is searched part by part as well (`merge_parts`)."""
    if query.parts:
        whole = search_passages(query.without_parts(), retriever, k, filters, date_mode)
        each = [search_passages(p, retriever, k, filters, date_mode) for p in query.parts]
        return merge_parts([whole, *each], k)
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


def merge_parts(searches: list[Retrieved], k: int) -> Retrieved:
    """The top k of several searches (the whole question's, then each part's), taken in
    turns so that every part's best passages are among them; ranks renumbered."""
    seen: set[str] = set()
    merged: list[Hit] = []
    for rank in range(k):
        for found in searches:
            if rank < len(found.hits) and found.hits[rank].chunk.id not in seen:
                seen.add(found.hits[rank].chunk.id)
                merged.append(found.hits[rank])
    notes = list(searches[0].notes) if searches else []
    hits = [h.model_copy(update={"rank": n}) for n, h in enumerate(merged[:k], start=1)]
    return Retrieved(hits, notes)
