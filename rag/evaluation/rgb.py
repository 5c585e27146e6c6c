"""RGB (Chen et al., AAAI 2024): real news questions over a pooled corpus, scored as the paper does.

The sampled questions' passages (positives and negatives, real news snippets in Chinese or
English) are pooled into one corpus; the positives of a fixed share of the questions are
withheld, so for those the right behaviour is a refusal. The pool is written as JSONL
articles and indexed through the normal ingest; every question is asked through
`Assistant.stream`. An answer is correct when every element of the gold answer occurs in it
(case-insensitive; an inner list is matched by any one of its alternatives), as in the
paper's `checkanswer`.

For files with counterfactual passages (`positive_wrong`, which state `fakeanswer`), a second
pass indexes them beside the true passages and reports how often an answer repeats the
counterfactual.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from rag.config import Settings
from rag.evaluation import metrics as m
from rag.evaluation.rgb_baseline import ask_plain
from rag.evaluation.rgb_data import (
    RgbItem,
    RgbItemResult,
    answer_matches,
    choose_withheld,
    load_rgb,
    passage_id,
    pool,
    sample,
    write_pool,
)
from rag.models import ProgressFactory

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.models import Answer


class RgbResult(BaseModel):
    """A whole RGB run: summary, latency, every question (and the counterfactual pass)."""

    data: str
    questions: int
    seed: int
    backend: str
    embedding_model: str
    passages: int
    index_seconds: float
    summary: dict[str, float | None]
    latency_ms: dict[str, dict[str, float | None]]
    items: list[RgbItemResult]
    counterfactual: dict[str, float | None] = Field(default_factory=dict)
    counterfactual_items: list[RgbItemResult] = Field(default_factory=list)
    baseline: dict[str, float | None] = Field(
        default_factory=dict, description="The plain pipeline's figures (rgb_baseline.py)."
    )
    baseline_latency_ms: dict[str, dict[str, float | None]] = Field(default_factory=dict)
    baseline_items: list[RgbItemResult] = Field(default_factory=list)
    settings: dict[str, Any] = Field(default_factory=dict)


def score(
    item: RgbItem, answer: Answer, withheld: bool, ms: float, streamed: str = ""
) -> RgbItemResult:
    """One answer against the gold answer, the positives and (if any) the fake answer."""
    positives = {passage_id(p) for p in item.positive}
    first = answer.citations[0].article_id if answer.citations else None
    own = own_answer(answer)
    correct = not answer.refused and answer_matches(own, item.answer)
    article_of = {h.chunk.id: h.chunk.article_id for h in answer.hits}
    retrieved = {h.chunk.article_id for h in answer.hits}
    context = {article_of.get(c) for c in answer.context}
    cited = {c.article_id for c in answer.citations}
    check = answer.check
    return RgbItemResult(
        id=item.id,
        query=item.query,
        gold=item.answer,
        withheld=withheld,
        answer=answer.text,
        refused=answer.refused,
        correct=correct,
        repeats_fake=(
            answer_matches(own, item.fakeanswer) and not answer.refused
            if item.fakeanswer
            else None
        ),
        first_citation_positive=None if first is None else first in positives,
        retrieved_positive=None if withheld else bool(retrieved & positives),
        context_positive=None if withheld else bool(context & positives),
        cited_positive=None if withheld else bool(cited & positives),
        wrong_period=_wrong_period(item.query, answer, correct),
        cited=[f"{c.n} {c.article_id}: {c.quote}" for c in answer.citations],
        gate_probability=check.probability if check else None,
        gate_refused=bool(check and check.refused),
        candidate_correct=(
            answer_matches(check.candidate or own, item.answer) if check else None
        ),
        disputed=answer.disputed,
        both_retrieved=(
            bool(retrieved & positives and retrieved & {passage_id(p) for p in item.positive_wrong})
            if item.positive_wrong
            else None
        ),
        notice=answer.notice,
        streamed=streamed if streamed.strip() != answer.text.strip() else None,
        total_ms=round(ms, 1),
        first_token_ms=answer.timings_ms.first_token,
    )


def own_answer(answer: Answer) -> str:
    """The answer's own text, without the sentence of a source that disagrees (which states
    the other answer, quoted: it would count as giving it)."""
    from rag.text.language import say

    if not answer.disputed:
        return answer.text
    for language in ("en", "zh"):
        answer_part, found, _ = answer.text.partition(say("disagree", language))
        if found:
            return answer_part
    return answer.text


def _wrong_period(question: str, answer: Answer, correct: bool) -> bool | None:
    """For a question naming a year: answered wrongly, the first citation's sentence naming
    none of the asked years and its article published in another year (a passage about the
    2022 World Cup that recalls 2010 in passing does not answer for 2010)."""
    from rag.retrieve.dates import parse_date_intent
    from rag.retrieve.period import mentioned_years, years_of

    years = years_of(parse_date_intent(question))
    if not years:
        return None
    if answer.refused or correct or not answer.citations:
        return False
    c = answer.citations[0]
    when = {c.published.year} if c.published else set()
    return not (years & (mentioned_years(c.quote) | when))


# the outlet-and-date line, or a prompt source's header "(outlet, 2020-07-22)", in an answer
COPIED_HEADER = re.compile(r"Published:|发表：|\([^()]*\b\d{4}-\d{2}-\d{2}\)|date unknown")


def _rate(flags: Iterable[bool | None]) -> float | None:
    values = [bool(f) for f in flags if f is not None]
    return round(sum(values) / len(values), 3) if values else None


def summarise(results: Sequence[RgbItemResult]) -> dict[str, float | None]:
    """The issue's figures: accuracy, false refusals and wrong answers over the answerable
    questions; rejection over the withheld ones; first citation a positive over answered."""
    answerable = [r for r in results if not r.withheld and not r.error]
    withheld = [r for r in results if r.withheld and not r.error]
    answered = [r for r in answerable if not r.refused]
    return {
        "accuracy": _rate(r.correct for r in answerable),
        "rejection_rate": _rate(r.refused for r in withheld),
        "false_refusal_rate": _rate(r.refused for r in answerable),
        "answered_wrong_rate": _rate(not r.refused and not r.correct for r in answerable),
        # of all questions: answered wrongly, or answered at all though withheld
        "wrong_or_invented": _rate(not r.refused and not r.correct for r in results if not r.error),
        "first_citation_positive": _rate(r.first_citation_positive for r in answered),
        "withheld_answered": _rate(not r.refused for r in withheld),
        "withheld_answered_correct": _rate(r.correct for r in withheld),
        "wrong_period": _rate(r.wrong_period for r in answerable),
        "copied_header": _rate(
            bool(COPIED_HEADER.search(r.answer)) for r in results if not r.error and not r.refused
        ),
        # the funnel over the answerable questions: where an answering passage is lost
        "funnel_retrieved": _rate(r.retrieved_positive for r in answerable),
        "funnel_in_context": _rate(r.context_positive for r in answerable),
        "funnel_cited": _rate(r.cited_positive for r in answerable),
        "funnel_correct": _rate(r.correct for r in answerable),
        "answerable": float(len(answerable)),
        "withheld": float(len(withheld)),
        "errors": float(sum(1 for r in results if r.error)),
    }


def gate_curve(
    results: Sequence[RgbItemResult],
    thresholds: Sequence[float] = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
) -> list[dict[str, float | None]]:
    """Rejection against false refusals (and accuracy) had the gate refused below each
    threshold: a question is refused when the pipeline refused it before the gate, or its
    candidate's probability is under the threshold (0.0: no gate)."""
    done = [r for r in results if not r.error]

    def refused(r: RgbItemResult, t: float) -> bool:
        before = r.refused and not r.gate_refused  # (or after it: the asked period)
        return before or (r.gate_probability is not None and r.gate_probability < t)

    def correct(r: RgbItemResult, t: float) -> bool:
        return not refused(r, t) and bool(r.correct or (r.gate_refused and r.candidate_correct))

    curve = []
    for t in thresholds:
        answerable = [r for r in done if not r.withheld]
        curve.append(
            {
                "threshold": t,
                "rejection_rate": _rate(refused(r, t) for r in done if r.withheld),
                "false_refusal_rate": _rate(refused(r, t) for r in answerable),
                "accuracy": _rate(correct(r, t) for r in answerable),
            }
        )
    return curve


def counterfactual_summary(results: Sequence[RgbItemResult]) -> dict[str, float | None]:
    """With counterfactual passages indexed beside the true ones."""
    done = [r for r in results if not r.error]
    return {
        "fake_answer_rate": _rate(r.repeats_fake for r in done),
        "both_retrieved": _rate(r.both_retrieved for r in done),
        # of the questions whose true and counterfactual passages were both retrieved
        "disagreement_shown": _rate(r.disputed for r in done if r.both_retrieved),
        "fake_answer_unflagged": _rate(
            r.repeats_fake and not r.disputed for r in done if r.both_retrieved
        ),
        "accuracy": _rate(r.correct for r in done),
        "refusal_rate": _rate(r.refused for r in done),
        "questions": float(len(done)),
    }


def cache_settings(base: Settings, data: Path, n: int | None, seed: int, tag: str) -> Settings:
    """Settings whose data folder caches the index of this pool and these index settings."""
    knobs = f"{base.embedding_model}|{base.chunk_size}|{base.chunk_overlap}|{n}|{seed}|{tag}"
    digest = hashlib.sha256(data.read_bytes() + knobs.encode()).hexdigest()[:12]
    root = base.data_dir / "rgb" / f"{data.stem}-{digest}"
    return base.model_copy(update={"data_dir": root, "corpus_dir": root / "corpus"})


def ask_all(
    assistant: Assistant,
    items: Sequence[RgbItem],
    withheld: set[int],
    tick: Callable[[int], None] | None = None,
) -> list[RgbItemResult]:
    """Ask every question through the product's answer stream and score it."""
    from rag.errors import RagError
    from rag.models import Answer

    results = []
    for item in items:
        started = time.perf_counter()
        try:
            answer, pieces = None, []
            for piece in assistant.stream(item.query):
                if isinstance(piece, Answer):
                    answer = piece
                else:
                    pieces.append(piece)
            assert answer is not None
            ms = (time.perf_counter() - started) * 1000
            results.append(score(item, answer, item.id in withheld, ms, "".join(pieces)))
        except RagError as exc:
            results.append(
                RgbItemResult(
                    id=item.id,
                    query=item.query,
                    gold=item.answer,
                    withheld=item.id in withheld,
                    error=str(exc),
                )
            )
        if tick:
            tick(1)
    return results


def _indexed_assistant(
    base: Settings,
    data: Path,
    passages: dict[str, str],
    key: tuple[int | None, int, str],
    progress: ProgressFactory | None,
) -> tuple[Assistant, float]:
    from rag.assistant import Assistant

    settings = cache_settings(base, data, *key)
    write_pool(passages, settings.corpus_dir / "pool.jsonl")
    assistant = Assistant.open(settings, allow_empty=True)
    report = assistant.ingest(progress=progress)
    assistant.warm_up()  # models and the LLM's prompt cache: no question pays for loading
    return assistant, report.seconds


def latency(results: Sequence[RgbItemResult]) -> dict[str, dict[str, float | None]]:
    return {
        "total": m.latency_summary([r.total_ms for r in results]),
        "first_token": m.latency_summary([r.first_token_ms for r in results]),
    }


def run_rgb(
    base: Settings,
    data: Path,
    *,
    n: int | None = None,
    seed: int = 0,
    counterfactual: bool = True,
    progress: ProgressFactory | None = None,
    baseline: bool = False,
) -> RgbResult:
    """Pool, withhold, ingest, ask and score one RGB file (plus the counterfactual pass, and
    with `baseline` the plain pipeline on the same index and questions)."""
    items = sample(load_rgb(data), n, seed)
    withheld = choose_withheld(items, seed)
    passages = pool(items, withheld)
    assistant, seconds = _indexed_assistant(base, data, passages, (n, seed, "pool"), progress)
    tick = progress(len(items), "questions") if progress else None
    results = ask_all(assistant, items, withheld, tick)
    result = RgbResult(
        data=str(data),
        questions=len(items),
        seed=seed,
        backend=assistant.settings.llm_backend,
        embedding_model=assistant.settings.embedding_model,
        passages=len(passages),
        index_seconds=seconds,
        summary=summarise(results),
        latency_ms=latency(results),
        items=results,
        settings=_settings_snapshot(assistant.settings),
    )
    if baseline:
        tick = progress(len(items), "plain baseline") if progress else None
        result.baseline_items = ask_plain(assistant, items, withheld, tick)
        result.baseline = summarise(result.baseline_items)
        result.baseline_latency_ms = latency(result.baseline_items)
    with_fakes = [i for i in items if i.positive_wrong and i.id not in withheld]
    if counterfactual and with_fakes:
        fake_pool = pool(items, withheld, counterfactual=True)
        fake_assistant, _ = _indexed_assistant(
            base, data, fake_pool, (n, seed, "counterfactual"), progress
        )
        tick = progress(len(with_fakes), "counterfactual questions") if progress else None
        result.counterfactual_items = ask_all(fake_assistant, with_fakes, set(), tick)
        result.counterfactual = counterfactual_summary(result.counterfactual_items)
    return result


def _settings_snapshot(settings: Settings) -> dict[str, Any]:
    keys = (
        "embedding_model",
        "llm_backend",
        "top_k",
        "weight_dense",
        "weight_keyword",
        "refusal_threshold",
        "support_threshold",
        "evidence_threshold",
        "answer_gate",
    )
    from rag.answer.gate import gate_models

    learned_with, gates = gate_models()
    kind = "extractive" if settings.llm_backend == "extractive" else "llm"
    thresholds = {
        key: gate.threshold
        for key, gate in gates.items()
        if learned_with == settings.embedding_model and key.startswith(kind)
    }
    return {**{k: getattr(settings, k) for k in keys}, "gate_thresholds": thresholds}
