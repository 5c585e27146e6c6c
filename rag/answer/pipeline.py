"""A question's path, top to bottom: prepare the query → retrieve → quarantine → evidence →
decide answerable → generate or extract (and verify) → complete a broad answer → the learned
answerability gate → sources that disagree → the asked period → the Answer.

Each stage is a function of what the one before returned; the question is embedded once
(in `prepare`); stages report what happened as notes and a draft, and the reply is worded
once, at the end, in the question's language (rag/answer/reply.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass

from rag.answer.answerability import SENTENCE_GATE_OFF, about_reporting, retrieval_is_confident
from rag.answer.complete import complete_broad
from rag.answer.conflict import show_disagreement
from rag.answer.evidence import EvidenceSet
from rag.answer.extract import answer_extractively
from rag.answer.gate import gate_answer
from rag.answer.generate import generate
from rag.answer.injection import Screened, quarantine
from rag.answer.period import check_period
from rag.answer.prompt import preview
from rag.answer.reply import Draft, refusal, streamed_text, word_reply
from rag.config import Settings
from rag.embed import Embedder
from rag.llm.base import LLM
from rag.models import Answer, Hit, SearchFilters, SourcesFound, Timings
from rag.retrieve.query import Query, prepare, validate_question
from rag.retrieve.retriever import Retriever
from rag.retrieve.search import search_passages
from rag.retrieve.translate import untranslated_note
from rag.text.language import Note


@dataclass(frozen=True)
class Engines:
    """What the stages run on, handed down by the facade."""

    settings: Settings
    embedder: Embedder
    retriever: Retriever
    llm: LLM | None
    evidence: Callable[[list[Hit]], EvidenceSet]  # sentences and vectors of some hits


def prepare_query(question: str, engines: Engines) -> Query:
    """The question validated, with its language, search text, vector and dates (and its
    English translation when the embedder needs one and there is an LLM to make it)."""
    s = engines.settings
    return prepare(
        validate_question(question, s.max_question_chars),
        engines.embedder,
        engines.llm,
        translate=s.translate_questions,
        read_dates=s.date_mode != "off",
    )


def answer_question(
    question: str, engines: Engines, k: int | None = None, filters: SearchFilters | None = None
) -> Iterator[str | SourcesFound | Answer]:
    """Yield the passages the answer will be written from (as soon as they are chosen, when
    the articles hold an answer), the answer text as it is generated, then the worded Answer
    (always last)."""
    started = time.perf_counter()
    s, llm = engines.settings, engines.llm
    backend = llm.name if llm else "extractive"
    query = prepare_query(question, engines)
    retrieved = search_passages(query, engines.retriever, k or s.top_k, filters, s.date_mode)
    screened = quarantine(retrieved.hits)
    hits = screened.hits
    notes = [*query.notes, *retrieved.notes, *quarantine_notes(screened)]
    searched = time.perf_counter()
    # A passage admitted by one on-topic sentence (its whole scoring below the threshold)
    # needs the model's reading and the verifier to tell whether that sentence answers; the
    # extractive answerer has no such check yet (it quoted an announcement date for "On what
    # date will the new SU7 be delivered?"), so it keeps the passage gate alone.
    by_sentence = s.refusal_sentence_threshold if llm is not None else SENTENCE_GATE_OFF
    if not retrieval_is_confident(hits, s.refusal_threshold, by_sentence):
        draft = refusal(hits, backend)
    else:
        evidence = engines.evidence(hits)
        for asked in (query, *query.parts):
            evidence.remember(asked.text, asked.vector)
        draft = yield from respond(query, hits, evidence, llm, s)
        draft = complete_broad(
            draft, query.text, evidence, s.evidence_threshold, s.refusal_threshold
        )
        draft = gate_answer(query, draft, evidence, s)
        draft = show_disagreement(draft, query.asked, evidence, query.language)
    if not query.parts:  # (each part may name its own year)
        draft = check_period(query, draft, backend)
    if draft.refused and llm is None:
        notes += [n for n in [untranslated_note(query.asked, s.embedding_model)] if n]
    done = time.perf_counter()
    yield word_reply(
        draft,
        query.asked,
        query.language,
        notes,
        name_dates=about_reporting(query.text),
        timings=timings(started, searched, done, draft.first_token_ms),
    )


def quarantine_notes(screened: Screened) -> list[Note]:
    notes = []
    if screened.sentences_left_out:
        notes.append(Note.of("quarantined_sentences", count=len(screened.sentences_left_out)))
    if screened.passages_left_out:
        notes.append(Note.of("quarantined", count=len(screened.passages_left_out)))
    return notes


def respond(
    query: Query, hits: list[Hit], evidence: EvidenceSet, llm: LLM | None, settings: Settings
) -> Generator[str | SourcesFound, None, Draft]:
    """The extractive answer, or the LLM's streamed and verified one. A question with several
    parts: the LLM answers it whole from a prompt holding each part's evidence (answering
    part by part was worse and slower on RGB zh_int: docs/answers-2026-12-05.md); the
    extractive answer is made part by part (rag/answer/parts.py)."""
    parts = [p.text for p in query.parts]
    if llm is None:
        yield preview(query.text, hits, evidence)
        draft = answer_extractively(query.text, hits, evidence, settings, parts=parts)
        yield streamed_text(draft, query.language)
        return draft
    return (yield from generate(query.text, hits, evidence, llm, settings, query.language, parts))


def timings(started: float, searched: float, done: float, first_token_ms: float | None) -> Timings:
    """Milliseconds: retrieval, generation, total, and the first token from the start."""
    retrieve = round((searched - started) * 1000, 1)
    return Timings(
        retrieve=retrieve,
        generate=round((done - searched) * 1000, 1),
        total=round((done - started) * 1000, 1),
        first_token=round(first_token_ms + retrieve, 1) if first_token_ms else None,
    )
