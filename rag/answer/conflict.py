"""Sources that disagree: say so, and cite the one that says otherwise.

Two articles often report the same fact with a different value: a figure revised, a name
misreported, a forged copy (RGB's counterfactual passages are real news with the answer
replaced). A model given both repeats one. This stage needs no model: a sentence of another
retrieved passage that says nearly the same as a cited sentence (most of their words shared)
but lacks the answer's own words where the cited one has them, and has words of its own in
their place, states a different answer. The answer then adds that sentence, quoted and
cited, after a line saying the sources disagree.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answer.evidence import Evidence, EvidenceSet, make_citation
from rag.answer.extract import with_marker
from rag.answer.reply import Draft
from rag.answer.verify import MARKER
from rag.text.language import say
from rag.text.sentences import HAN
from rag.text.words import content_words

SAME_SENTENCE = 0.7  # share of the two sentences' words in common (of the smaller one)


def _disagrees(cited: str, other: str, answer_words: set[str]) -> float:
    """The share of words the two sentences have in common when `other` says the same but
    another answer; 0.0 when it does not."""
    a, b = content_words(cited), content_words(other)
    if not a or not b or a == b:
        return 0.0
    shared = len(a & b) / min(len(a), len(b))
    if shared < SAME_SENTENCE:
        return 0.0
    # a value of the answer where the other has a value of the same kind: paraphrases that
    # drop or add ordinary words do not disagree
    return shared if _kinds(answer_words & (a - b), cited) & _kinds(b - a, other) else 0.0


def _kinds(words: set[str], sentence: str) -> set[str]:
    """ "number" for a word with a digit, "name" for a capitalised or Chinese one."""
    kinds = set()
    for w in words:
        if any(ch.isdigit() for ch in w):
            kinds.add("number")
        elif HAN.search(w) or re.search(rf"\b{re.escape(w[:1].upper() + w[1:])}", sentence):
            kinds.add("name")
    return kinds


def find_disagreement(
    draft: Draft, question: str, evidence: EvidenceSet
) -> tuple[Evidence, float] | None:
    """A sentence of another article stating a different answer than a cited sentence, with
    the share of words the two have in common."""
    if draft.text is None:
        return None
    answer_words = content_words(MARKER.sub("", draft.text)) - content_words(question)
    cited_chunks = {c.chunk_id for c in draft.citations}
    for citation in draft.citations:
        for item in evidence.items:
            if (
                item.hit.chunk.id in cited_chunks
                or item.hit.chunk.article_id == citation.article_id
            ):
                continue
            shared = _disagrees(citation.quote, item.sentence, answer_words)
            if shared:
                return item, shared
    return None


def show_disagreement(draft: Draft, question: str, evidence: EvidenceSet, language: str) -> Draft:
    """The draft, with the sentence that says otherwise added and cited, if there is one."""
    found = find_disagreement(draft, question, evidence)
    if found is None or draft.text is None:
        return draft
    other, shared = found
    n = max((c.n for c in draft.citations), default=0) + 1
    citation = make_citation(n, other, shared)
    text = f"{draft.text}\n\n{say('disagree', language)} {with_marker(other.sentence, n)}"
    return replace(draft, text=text, citations=[*draft.citations, citation], disputed=True)
