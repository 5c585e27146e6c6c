"""Answering without an LLM: the retrieved sentences that best answer the question, cited."""

from __future__ import annotations

from rag.evidence import Evidence, EvidenceSet, make_citation
from rag.models import Citation

# Sentences scoring this far below the best one are not worth adding to the answer.
MARGIN = 0.1


def with_marker(sentence: str, n: int) -> str:
    """'Text.' → 'Text [n].' (the marker goes before the final punctuation)."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?。！？" else "."
    body = body[:-1] if body and body[-1] in ".!?。！？" else body
    return f"{body} [{n}]{end}"


def select_sentences(
    question: str, evidence: EvidenceSet, limit: int
) -> list[tuple[Evidence, float]]:
    """The best-matching distinct sentences, close enough to the best one."""
    chosen: list[tuple[Evidence, float]] = []
    for item, score in evidence.rank(question):
        if chosen and score < chosen[0][1] - MARGIN:
            break
        if any(item.sentence == c.sentence for c, _ in chosen):
            continue
        chosen.append((item, score))
        if len(chosen) == limit:
            break
    return chosen


def compose(chosen: list[tuple[Evidence, float]]) -> tuple[str, list[Citation]]:
    """Answer text where each sentence carries its [n], and the numbered citations."""
    citations = [make_citation(n, item, score) for n, (item, score) in enumerate(chosen, start=1)]
    text = " ".join(with_marker(c.quote, c.n) for c in citations)
    return text, citations
