"""Golden runner: ask every golden question through the Assistant and score the answer.

Retrieval is scored on a separate top-10 search of the question the product retrieved with
(for multi-turn items, the condensed standalone question). Speed is what the user sees:
time to the first text piece and to the verified Answer, measured around `stream`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from rag.errors import RagError
from rag.evaluation import metrics as m
from rag.evaluation.dataset import GoldenItem
from rag.models import Answer

if TYPE_CHECKING:
    from rag.assistant import Assistant

RETRIEVAL_K = 10
ProgressFn = Callable[[int, int, "ItemResult"], None]


class ItemResult(BaseModel):
    """What happened to one golden item, and its scores (None = does not apply)."""

    id: str
    type: str
    answerable: bool
    question: str
    standalone_question: str | None = None
    answer: str = ""
    refused: bool = False
    error: str | None = None
    retrieved_article_ids: list[str] = Field(
        default_factory=list, description="Top-10 chunks' articles."
    )
    cited: list[str] = Field(
        default_factory=list, description="'n article_id: quote' per citation."
    )
    missing_facts: list[str] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)
    timings_ms: dict[str, float | None] = Field(default_factory=dict)


class RunResult(BaseModel):
    """A whole golden run: summary, speed, per-type breakdown and every item."""

    backend: str
    dataset: str
    created_at: datetime
    settings: dict[str, str | float | int]
    summary: dict[str, float | None]
    speed: dict[str, dict[str, float | None]]
    per_type: dict[str, dict[str, float | None]]
    items: list[ItemResult]
    notes: list[str] = Field(default_factory=list)


def _stream(assistant: Assistant, item: GoldenItem) -> Iterator[str | Answer]:
    """The product's answer stream: a fresh chat for multi-turn items, else a plain ask."""
    if not item.history:
        return assistant.stream(item.question)
    session = assistant.chat()
    for earlier in item.history:
        session.ask(earlier)
    return session.stream(item.question)


def _timed_answer(assistant: Assistant, item: GoldenItem) -> tuple[Answer, float, float]:
    """The final Answer, ms to the first yielded piece (or the Answer), and ms in total
    (for multi-turn items: of the follow-up only, condensing included)."""
    answer: Answer | None = None
    first: float | None = None
    stream = _stream(assistant, item)  # history turns run here, outside the timing
    started = time.perf_counter()
    for piece in stream:
        if first is None:
            first = time.perf_counter()
        if isinstance(piece, Answer):
            answer = piece
    done = time.perf_counter()
    assert answer is not None
    first_ms = round(((first or done) - started) * 1000, 1)
    return answer, first_ms, round((done - started) * 1000, 1)


def fact_haystack(item: GoldenItem, answer: Answer) -> str:
    """Answer text, plus (date-outlet items) each citation's outlet and YYYY-MM-DD date."""
    parts = [answer.text]
    if item.type == "date-outlet":
        for c in answer.citations:
            parts.append(c.source)
            if c.published:
                parts.append(c.published.strftime("%Y-%m-%d"))
    return "\n".join(parts)


def retrieval_scores(
    item: GoldenItem, articles: list[str], passages: list[str], top_k: int
) -> dict[str, float | None]:
    """hit@1/3/5, MRR@10, nDCG@10 (article level) and gold-quote recall in the top_k passages."""
    if not item.answerable:
        return {}
    relevance = {a: 1.0 for a in item.gold_article_ids}
    return {
        "hit@1": m.hit_at_k(articles, item.gold_article_ids, 1),
        "hit@3": m.hit_at_k(articles, item.gold_article_ids, 3),
        "hit@5": m.hit_at_k(articles, item.gold_article_ids, 5),
        "mrr@10": m.reciprocal_rank(articles, item.gold_article_ids, 10),
        "ndcg@10": m.ndcg_at_k(articles, relevance, 10),
        "quote_recall": m.quote_recall(passages[:top_k], item.gold_quotes),
    }


def _citation_ok(item: GoldenItem, article_id: str, quote: str, passage: str) -> bool:
    """Gold-quote check; for date-outlet items any citation of a gold article counts
    (their gold quote is only 'a sentence that identifies the topic')."""
    if item.type == "date-outlet" and article_id in item.gold_article_ids:
        return True
    return m.citation_is_correct(quote, passage, item.gold_quotes)


def answer_scores(item: GoldenItem, answer: Answer) -> dict[str, float | None]:
    """Key-fact recall, citation precision/recall, grounding and refusal flags."""
    refused = 1.0 if answer.refused else 0.0
    if not item.answerable:
        return {"refused": refused, "grounded": None if answer.refused else answer.grounded}
    correct = [_citation_ok(item, c.article_id, c.quote, c.passage) for c in answer.citations]
    return {
        "refused": refused,
        "key_fact_recall": m.key_fact_recall(item.key_facts, fact_haystack(item, answer)),
        "citation_precision": (sum(correct) / len(correct)) if correct else None,
        "citation_recall": m.citation_recall(
            [c.article_id for c in answer.citations], item.gold_article_ids
        ),
        "grounded": None if answer.refused else answer.grounded,
    }


def run_item(assistant: Assistant, item: GoldenItem) -> ItemResult:
    """Ask one item (its history first), then score retrieval, answer and speed."""
    result = ItemResult(
        id=item.id, type=item.type, answerable=item.answerable, question=item.question
    )
    try:
        answer, first_ms, total_ms = _timed_answer(assistant, item)
        query = answer.standalone_question or item.question
        hits = assistant.search(query, RETRIEVAL_K)
    except RagError as exc:  # counted as a refusal: the user got no answer
        result.error, result.refused = f"{type(exc).__name__}: {exc}", True
        result.scores = {"refused": 1.0, "key_fact_recall": 0.0 if item.answerable else None}
        return result
    articles = [h.chunk.article_id for h in hits]
    result.standalone_question = answer.standalone_question
    result.answer, result.refused = answer.text, answer.refused
    result.retrieved_article_ids = articles
    result.cited = [f"[{c.n}] {c.article_id}: {c.quote}" for c in answer.citations]
    result.missing_facts = m.missing_facts(item.key_facts, fact_haystack(item, answer))
    passages = [h.chunk.text for h in hits]
    top_k = assistant.settings.top_k
    result.scores = {
        **retrieval_scores(item, articles, passages, top_k),
        **answer_scores(item, answer),
    }
    result.timings_ms = {
        "retrieve": answer.timings_ms.retrieve,
        "first_token": first_ms,
        "total": total_ms,
    }
    return result


def _share(items: list[ItemResult], key: str) -> float | None:
    return m.mean(i.scores.get(key) for i in items)


def summarise(items: list[ItemResult]) -> dict[str, float | None]:
    """Dataset-level metrics; each averages the items it applies to."""
    answerable = [i for i in items if i.answerable]
    unanswerable = [i for i in items if not i.answerable]
    keys = [
        "hit@1",
        "hit@3",
        "hit@5",
        "mrr@10",
        "ndcg@10",
        "quote_recall",
        "key_fact_recall",
        "citation_precision",
        "citation_recall",
    ]
    summary = {k: _share(answerable, k) for k in keys}
    summary["faithfulness"] = _share(items, "grounded")
    summary["refusal_accuracy"] = _share(unanswerable, "refused")
    summary["false_refusal_rate"] = _share(answerable, "refused")
    summary["items"] = float(len(items))
    summary["errors"] = float(sum(i.error is not None for i in items))
    return summary


def speed(items: list[ItemResult]) -> dict[str, dict[str, float | None]]:
    """Median and p95 of retrieval, first-token and total latency (ms)."""
    return {
        key: m.latency_summary([i.timings_ms.get(key) for i in items])
        for key in ("retrieve", "first_token", "total")
    }


def per_type(items: list[ItemResult]) -> dict[str, dict[str, float | None]]:
    """hit@3, key-fact recall and refusal share for each item type."""
    types = sorted({i.type for i in items})
    out: dict[str, dict[str, float | None]] = {}
    for t in types:
        group = [i for i in items if i.type == t]
        out[t] = {
            "n": float(len(group)),
            "hit@3": _share(group, "hit@3"),
            "key_fact_recall": _share(group, "key_fact_recall"),
            "refused": _share(group, "refused"),
        }
    return out


def run_golden(
    assistant: Assistant, items: list[GoldenItem], dataset: str, progress: ProgressFn | None = None
) -> RunResult:
    """Run every item and aggregate the scores."""
    results: list[ItemResult] = []
    for n, item in enumerate(items, start=1):
        results.append(run_item(assistant, item))
        if progress:
            progress(n, len(items), results[-1])
    s = assistant.settings
    return RunResult(
        backend=s.llm_backend,
        dataset=dataset,
        created_at=datetime.now(UTC),
        settings={
            "embedding_model": s.embedding_model,
            "top_k": s.top_k,
            "refusal_threshold": s.refusal_threshold,
            "evidence_threshold": s.evidence_threshold,
            "support_threshold": s.support_threshold,
            "chunk_size": s.chunk_size,
        },
        summary=summarise(results),
        speed=speed(results),
        per_type=per_type(results),
        items=results,
    )
