"""A broad question's answer carries the facts of the passage retrieval ranked first.

"What is Xiaomi's Africa strategy?" is best matched, sentence by sentence, by the one sentence
that repeats "strategy", and a small model answers with that sentence alone; the facts that
make up the strategy (a first direct store in Morocco, third place with 14%, 1,000 AIoT
talents) sit in the passage that hybrid search ranks first, whose sentences do not echo the
question. So an answer to a broad question (a description or reasons, not one fact of a
kind) that cites nothing of the first-ranked passage gets that passage's most relevant
sentences, quoted and cited, before what it said: the facts lead, the general statement
follows. The same stage serves both backends: it needs no
model's goodwill, and every added sentence is a source sentence.
"""

from __future__ import annotations

from dataclasses import replace

from rag.answer.answerability import is_broad
from rag.answer.evidence import EvidenceSet, make_citation
from rag.answer.extract import with_marker
from rag.answer.reply import Draft
from rag.text.language import language_of
from rag.text.sentences import is_filler

ADDED = 2  # sentences of the first-ranked passage added at most


def complete_broad(
    draft: Draft,
    question: str,
    evidence: EvidenceSet,
    threshold: float,
    refusal_threshold: float,
) -> Draft:
    """The draft, led by the first-ranked passage's best sentences (score ≥ `threshold`, in
    the question's language) when a broad question's answer cites none of it."""
    if draft.text is None or not evidence.hits or not is_broad(question):
        return draft
    top = evidence.hits[0]
    if top.score < refusal_threshold or any(c.chunk_id == top.chunk.id for c in draft.citations):
        return draft
    language = language_of(question)
    said = {c.quote for c in draft.citations}
    added = [
        (item, score)
        for item, score in evidence.rank(question)
        if item.hit.chunk.id == top.chunk.id
        and score >= threshold
        and not is_filler(item.sentence)
        and item.sentence not in said
        and language_of(item.sentence) == language
    ][:ADDED]
    if not added:
        return draft
    first = max((c.n for c in draft.citations), default=0) + 1
    citations = [make_citation(n, item, score) for n, (item, score) in enumerate(added, first)]
    text = " ".join([*(with_marker(c.quote, c.n) for c in citations), draft.text])
    return replace(
        draft,
        text=text,
        citations=[*citations, *draft.citations],  # in text order: the reply numbers them 1, 2, 3
        context=list(dict.fromkeys([*draft.context, top.chunk.id])),
    )
