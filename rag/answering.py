"""From hits to an Answer: refuse when the corpus does not hold the answer, else answer + cite."""

from __future__ import annotations

from rag.answerability import asked_for, unanswerable_reason
from rag.config import Settings
from rag.evidence import EvidenceSet
from rag.extractive import compose, select_sentences
from rag.language import KINDS, format_day, say
from rag.models import Answer, Citation, Hit

REFUSAL_TEXT = say("refusal", "en")


def validate_question(question: str, settings: Settings) -> str:
    """The question, stripped; empty or over-long questions raise InputError."""
    from rag.errors import InputError

    cleaned = question.strip() if isinstance(question, str) else ""
    if not cleaned:
        raise InputError("the question is empty: type a question about the articles")
    if len(cleaned) > settings.max_question_chars:
        raise InputError(
            f"the question is {len(cleaned):,} characters long; the limit is "
            f"{settings.max_question_chars:,} (RAG_MAX_QUESTION_CHARS): shorten it"
        )
    return cleaned


def refusal(
    question: str,
    hits: list[Hit],
    backend: str,
    notice: str | None = None,
    language: str = "en",
) -> Answer:
    """The answer that says the articles do not hold it (in the question's language)."""
    return Answer(
        question=question,
        text=say("refusal", language),
        refused=True,
        hits=hits,
        grounded=0.0,
        backend=backend,
        notice=notice,
    )


def name_dates(answer: Answer, language: str = "en") -> Answer:
    """Close an answer to a question about time with the outlet and publication date of each
    article it cites ("Published: 创业邦, 1 September 2025 [1]."): taken from the citations'
    metadata, so it needs no verification. An unknown outlet is left out."""
    first: dict[str, Citation] = {}
    for c in answer.citations:
        if c.published and c.article_id not in first:
            first[c.article_id] = c
    if answer.refused or not first:
        return answer
    dated = "; ".join(
        ", ".join(
            x
            for x in (c.source if c.source != "unknown" else "", format_day(c.published, language))
            if x
        )
        + f" [{c.n}]"
        for c in first.values()
        if c.published
    )
    answer.text = f"{answer.text}\n\n{say('published', language, dated=dated)}"
    return answer


def retrieval_is_confident(hits: list[Hit], settings: Settings) -> bool:
    """Some passage is similar enough to the question (cosine, whatever its fused rank)."""
    return bool(hits) and max(h.score for h in hits) >= settings.refusal_threshold


def answer_extractively(
    question: str,
    hits: list[Hit],
    evidence: EvidenceSet,
    settings: Settings,
    notice: str | None = None,
    language: str = "en",
) -> Answer:
    """The best sentences of the passages, each with its [n]; refuse when none is close enough."""
    asked = asked_for(question)
    chosen = select_sentences(
        question, evidence, settings.extractive_sentences, asked, settings.margin_scale
    )

    def refuse(reason: str | None = None) -> Answer:
        why = say("not_answered", language, reason=reason) if reason else None
        note = " ".join(n for n in (why, notice) if n) or None
        return refusal(question, hits, "extractive", note, language)

    if asked and not chosen and evidence.items:
        kind = KINDS[asked.kind].get(language, asked.kind)
        return refuse(say("no_kind", language, kind=kind))
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
    return Answer(
        question=question,
        text=text,
        refused=False,
        citations=citations,
        hits=hits,
        grounded=1.0,
        backend="extractive",
        notice=notice,
    )
