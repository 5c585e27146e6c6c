"""Grounded generation: the prompt (rag/answer/prompt.py), the LLM's streamed answer, and its
verification (rag/answer/verify.py).

A model refusal ("NOT IN SOURCES", "没有提到…") becomes a refusal; an answer with no
verifiable sentence, or an LLM failure, falls back to the extractive answer with a notice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Generator, Sequence

from rag.answer.answerability import about_reporting
from rag.answer.evidence import EvidenceSet
from rag.answer.extract import answer_extractively
from rag.answer.gate import judge_messages, wants_judge
from rag.answer.prompt import Source, build_messages, preview, select_context
from rag.answer.reply import Draft, refusal
from rag.answer.verify import MARKER, CitationVerifier, split_answer
from rag.config import Settings
from rag.errors import LLMError
from rag.llm.base import LLM, Message
from rag.models import Hit, SourcesFound
from rag.text.dates import complete_dates, localize_dates
from rag.text.language import Note

NOT_IN_SOURCES = "NOT IN SOURCES"
MODEL_REFUSAL = re.compile(
    r"not in (the )?sources|(do|does|did) not (contain|mention|provide|include|say|specify)|"
    r"no information|cannot (be )?(answer|determine|find)|not (mentioned|specified|stated|provided)|"
    r"(没有|未)(提供|提到|提及|说明|包含)|无法(回答|确定|得知)|不在(来源|资料)",
    re.IGNORECASE,
)


# "… is not mentioned in the given sources": a refusal that names the sources
ABOUT_SOURCES = re.compile(r"\b(sources?|articles?|passages?|context)\b|来源|资料|文章|材料", re.I)


# "…, as stated in source [4]." → "… [4].": the marker already says which source
SOURCE_TALK = re.compile(
    r",?\s+(?:as\s+)?(?:stated|mentioned|reported|given|shown|according)\s+(?:in|by|to)\s+"
    r"(?:the\s+)?sources?(?=\s*\[\d+\])",
    re.IGNORECASE,
)


def without_source_talk(text: str) -> str:
    return SOURCE_TALK.sub("", text)


def is_model_refusal(text: str) -> bool:
    return NOT_IN_SOURCES.lower() in text.lower() or bool(MODEL_REFUSAL.search(text))


def opens_with_refusal(text: str) -> bool:
    """The answer starts by saying the sources do not hold it ("NOT IN SOURCES [2]", "The
    president of FIFA is not mentioned in the given sources [1]."): a refusal, whatever the
    markers after it cite (the verifier could match them to a passage on the topic)."""
    sentences = split_answer(text)
    first = MARKER.sub("", sentences[0]) if sentences else ""
    return NOT_IN_SOURCES.lower() in first.lower() or bool(
        MODEL_REFUSAL.search(first) and ABOUT_SOURCES.search(first)
    )


def generate(
    question: str,
    hits: list[Hit],
    evidence: EvidenceSet,
    llm: LLM,
    settings: Settings,
    language: str = "en",
    parts: Sequence[str] = (),
) -> Generator[str | SourcesFound, None, Draft]:
    """Yield the prompt's sources (before the model reads them), then the model's text as
    it streams; return the verified draft. A question with `parts` gets evidence for each
    part in its prompt."""
    started = time.perf_counter()
    context = select_context(question, hits, evidence, settings, parts)
    if not context:
        return refusal(hits, llm.name)
    yield preview(question, [s.hit for s in context], evidence)
    pieces: list[str] = []
    first_token: float | None = None
    messages = build_messages(question, context)
    try:
        for piece in llm.stream(
            messages,
            max_tokens=settings.llm_max_tokens,
            temperature=settings.llm_temperature,
        ):
            if first_token is None:
                first_token = time.perf_counter()
            pieces.append(piece)
            yield piece
    except LLMError as exc:
        streamed = "".join(pieces).strip()
        notice = (
            Note.of("llm_stopped", error=exc, partial=streamed)
            if streamed
            else Note.of("llm_failed", error=exc)
        )
        return answer_extractively(question, hits, evidence, settings, notice, parts)
    raw = without_source_talk("".join(pieces))
    draft = finish(question, raw, context, evidence, llm.name, settings, language)
    if draft.backend == llm.name:  # (an extractive fallback chose from every hit)
        draft.context = [s.hit.chunk.id for s in context]
        if not draft.refused and wants_judge(language, settings):
            draft.judged = judge(llm, messages, "".join(pieces), language)
    if first_token is not None:
        draft.first_token_ms = round((first_token - started) * 1000, 1)
    return draft


def judge(llm: LLM, messages: list[Message], raw: str, language: str = "en") -> float | None:
    """The model's P(yes) that the sources state its answer as the answer (asked in the
    same chat, so llama.cpp recomputes only the check); None if the model fails."""
    try:
        return round(llm.yes_probability(judge_messages(messages, raw, language)), 4)
    except LLMError:
        return None


def finish(
    question: str,
    raw: str,
    context: list[Source],
    evidence: EvidenceSet,
    backend: str,
    settings: Settings,
    language: str = "en",
) -> Draft:
    """Verify the raw answer; refuse or fall back when nothing in it is supported."""
    sources = [s.hit for s in context]
    hits = evidence.hits
    if opens_with_refusal(raw):
        return _reporting_fallback(question, evidence, settings) or refusal(hits, backend)
    verified = CitationVerifier(
        sources, evidence.subset(sources), settings.support_threshold
    ).verify(raw)
    if not verified.citations:
        if is_model_refusal(raw) or not raw.strip():
            return _reporting_fallback(question, evidence, settings) or refusal(hits, backend)
        return answer_extractively(question, hits, evidence, settings, Note("unverified"))
    quotes = " ".join(c.quote for c in verified.citations)
    return Draft(
        hits,
        backend,
        localize_dates(complete_dates(verified.text, quotes), language),
        verified.citations,
        grounded=verified.grounded,
        unsupported=verified.unsupported,
    )


def _reporting_fallback(question: str, evidence: EvidenceSet, settings: Settings) -> Draft | None:
    """A "Which outlet reported X, and when?" question the model refused: the outlet and date
    are in the citation's metadata, so the sentence that states X answers it (the small model
    often overlooks the metadata line). None when the extractive checks refuse too."""
    if not about_reporting(question):
        return None
    draft = answer_extractively(
        question, evidence.hits, evidence, settings, Note("reporting_fallback")
    )
    return None if draft.refused else draft
