"""Quality floors on the golden set, with the real model over the real corpus.

Floors sit just under what the system measured when they were set (see evals/README.md),
so a regression fails CI; raise them as quality improves. `KEY_FLOORS` are the issue's
targets for the extractive mode: hit@5 ≥ 0.9, refusal accuracy ≥ 0.8 and citation precision
≥ 0.9 (measured 1.000, 0.857 and 0.900 when they were reached: sentences are chosen for
the kind of answer a question asks for, see `rag/answer/answerability.py`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.evaluation.dataset import balanced_subset, load_golden
from rag.evaluation.report import failure_reasons
from rag.evaluation.runner import RunResult, run_golden

GOLDEN = Path(__file__).resolve().parents[2] / "evals" / "datasets" / "golden.jsonl"
KEY_FLOORS = {"hit@5": 0.9, "refusal_accuracy": 0.8, "citation_precision": 0.9}
# Measured (extractive, hybrid search, all 64 items, 2026-11-26): hit@1 0.960, hit@3 1.000,
# mrr@10 0.980, ndcg@10 0.985, quote_recall 1.000, key_fact_recall 0.613, citation_recall
# 0.700, faithfulness 1.000, refusal_accuracy 0.929 (13 of 14), false_refusal_rate 0.300.
EXTRACTIVE_FLOORS = {
    "refusal_accuracy": 0.9,
    "hit@1": 0.93,
    "hit@3": 0.97,
    "mrr@10": 0.95,
    "ndcg@10": 0.96,
    "quote_recall": 0.95,
    "key_fact_recall": 0.56,
    "citation_recall": 0.67,
    "faithfulness": 0.97,
}
EXTRACTIVE_CEILINGS = {"false_refusal_rate": 0.33}
LLM_SUBSET = 12
# Measured (llamacpp, these 12 items, 2026-11-26, reporting questions the model refuses are
# answered from the cited article's metadata): hit@5 1.000, key_fact_recall 0.606,
# citation_precision 0.850, citation_recall 0.909, faithfulness 1.000, refusal_accuracy 1.000
# (one unanswerable item), false_refusal_rate 0.091. Floors allow about one item's worth of
# drift.
LLM_FLOORS = {
    "hit@5": 0.9,
    "key_fact_recall": 0.5,
    "citation_precision": 0.75,
    "citation_recall": 0.8,
    "faithfulness": 0.9,
    "refusal_accuracy": 1.0,
}
LLM_CEILINGS = {"false_refusal_rate": 0.2}


def explain(run: RunResult, metric: str | None = None) -> str:
    """The imperfect items and why (only those that lower `metric`, when given)."""
    lines = []
    for item in run.items:
        reasons = failure_reasons(item)
        value = item.scores.get(metric) if metric else None
        if metric == "refusal_accuracy":
            relevant = not item.answerable and not item.refused
        elif metric:
            relevant = value is not None and value < 1.0
        else:
            relevant = bool(reasons)
        if relevant:
            lines.append(f"{item.id}: {'; '.join(reasons)}")
    return "\n".join(lines)


def check(run: RunResult, floors: dict[str, float], ceilings: dict[str, float]) -> list[str]:
    """Messages for every metric under its floor or over its ceiling."""
    problems = []
    for metric, floor in floors.items():
        value = run.summary.get(metric)
        if value is None or round(value, 3) < floor:  # as reported (0.8999999… is 0.900)
            problems.append(f"{metric} = {value} < floor {floor}")
    for metric, ceiling in ceilings.items():
        value = run.summary.get(metric)
        if value is None or round(value, 3) > ceiling:
            problems.append(f"{metric} = {value} > ceiling {ceiling}")
    return problems


@pytest.fixture(scope="module")
def extractive_run(corpus_assistant: Assistant) -> RunResult:
    return run_golden(corpus_assistant, load_golden(GOLDEN), str(GOLDEN))


@pytest.mark.integration
@pytest.mark.slow
@pytest.mark.parametrize("metric", sorted(KEY_FLOORS))
def test_key_floor(extractive_run: RunResult, metric: str) -> None:
    problems = check(extractive_run, {metric: KEY_FLOORS[metric]}, {})
    assert not problems, "\n".join(problems) + "\n" + explain(extractive_run, metric)


@pytest.mark.integration
@pytest.mark.slow
def test_extractive_regression_floors(extractive_run: RunResult) -> None:
    problems = check(extractive_run, EXTRACTIVE_FLOORS, EXTRACTIVE_CEILINGS)
    assert not problems, "\n".join(problems) + "\n" + explain(extractive_run)
    assert extractive_run.summary["errors"] == 0
    assert all(i.timings_ms.get("total") for i in extractive_run.items)


@pytest.mark.llm
@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_llm_floors_on_a_subset(corpus_assistant: Assistant) -> None:
    settings = corpus_assistant.settings.model_copy(update={"llm_backend": "llamacpp"})
    local = Assistant(settings, corpus_assistant.embedder, None).reload()
    items = balanced_subset(load_golden(GOLDEN), LLM_SUBSET)
    run = run_golden(local, items, str(GOLDEN))
    problems = check(run, LLM_FLOORS, LLM_CEILINGS)
    assert not problems, "\n".join(problems) + "\n" + explain(run)
    assert run.summary["errors"] == 0
