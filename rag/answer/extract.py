"""Answering without an LLM: the retrieved sentences that best answer the question, cited.

Also the fallback of the LLM path when the model fails or its answer cannot be verified."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.answerability import Asked, asked_for, asks_one_fact, gives, unanswerable_reason
from rag.answer.evidence import Evidence, EvidenceSet, make_citation
from rag.answer.parts import join_parts
from rag.answer.reply import Draft, not_answered, refusal
from rag.config import Settings
from rag.models import Citation, Hit
from rag.text.language import Note
from rag.text.sentences import is_filler

# Sentences scoring this far below the best one are not worth adding to the answer: a
# factoid question ("how many", "when", "who", "which") has one answer, so only near-ties
# join it; a broad one ("what is the strategy", "why") gathers more (tuned on the golden set:
# one margin of 0.1 for all lost the Africa strategy's Morocco store, 0.15 for all added
# off-topic sentences to factoid answers).
MARGIN_FACTOID = 0.1
MARGIN_BROAD = 0.15
# A sentence that gives the asked kind of answer (a figure, a date, a name) may score below
# the best sentence, which often restates the question without answering it; this far and
# no further (tuned on the golden set).
ASKED_GAP = 0.15


def with_marker(sentence: str, n: int) -> str:
    """'Text.' → 'Text [n].' (the marker goes before the final punctuation)."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?。！？" else "."
    body = body[:-1] if body and body[-1] in ".!?。！？" else body
    return f"{body} [{n}]{end}"


def select_sentences(
    question: str,
    evidence: EvidenceSet,
    limit: int,
    asked: Asked | None = None,
    scale: float = 1.0,
) -> list[tuple[Evidence, float]]:
    """The best-matching distinct sentences, close enough to the best one. For a question
    that asks for a figure, date or name, only sentences that give one and score within
    `ASKED_GAP` of the best sentence overall (none: the articles do not answer it).
    `scale` shrinks the margins for a model whose similarities spread less."""
    chosen: list[tuple[Evidence, float]] = []
    margin = (MARGIN_FACTOID if asks_one_fact(question) else MARGIN_BROAD) * scale
    ranked = evidence.rank(question)
    if asked and ranked:
        best = ranked[0][1]
        ranked = [
            (e, s)
            for e, s in ranked
            if s >= best - ASKED_GAP * scale and gives(asked, e.sentence, question)
        ]
    for item, score in ranked:
        if is_filler(item.sentence):
            continue
        if chosen and score < chosen[0][1] - margin:
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


def answer_extractively(
    question: str,
    hits: list[Hit],
    evidence: EvidenceSet,
    settings: Settings,
    notice: Note | None = None,
    parts: Sequence[str] = (),
) -> Draft:
    """The best sentences of the passages, each with its [n]; refuse when none is close
    enough or they do not give what the question asks for. `notice`: why this answer is
    extractive although an LLM is configured. A question with `parts` is answered part by
    part; a part the passages do not answer is named in a note."""
    if parts:
        return _answer_parts(question, hits, evidence, settings, notice, parts)
    asked = asked_for(question)
    chosen = select_sentences(
        question, evidence, settings.extractive_sentences, asked, settings.margin_scale
    )

    def refuse(reason: Note | str | None = None) -> Draft:
        draft = refusal(hits, "extractive", not_answered(reason) if reason else None, notice)
        draft.context = context
        return draft

    context = [h.chunk.id for h in hits]

    if asked and not chosen and evidence.items:
        return refuse(Note.of("no_kind", kind=Note(f"kind_{asked.kind}")))
    if not chosen or chosen[0][1] < settings.evidence_threshold:
        return refuse()
    passages = [f"{h.chunk.title}\n{h.chunk.text}" for h in hits]
    sources = [
        f"{e.hit.chunk.source} {e.hit.chunk.published:%d %B %Y}"
        for e, _ in chosen
        if e.hit.chunk.published
    ]
    reason = unanswerable_reason(question, passages, [e.sentence for e, _ in chosen], sources)
    if reason:
        return refuse(reason)
    text, citations = compose(chosen)
    notes = [notice] if notice else []
    return Draft(hits, "extractive", text, citations, grounded=1.0, notes=notes, context=context)


def _answer_parts(
    question: str,
    hits: list[Hit],
    evidence: EvidenceSet,
    settings: Settings,
    notice: Note | None,
    parts: Sequence[str],
) -> Draft:
    drafts = [answer_extractively(part, hits, evidence, settings) for part in parts]
    joined = join_parts(drafts, parts, hits)
    if joined is None:
        return answer_extractively(question, hits, evidence, settings, notice)
    joined.notes += [notice] if notice else []
    joined.context = [h.chunk.id for h in hits]
    return joined
