"""Evaluation metrics on tiny hand-made inputs with known answers."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from rag.evaluation import metrics as m
from rag.evaluation.beir import derive_train_qrels, read_qrels_tsv, score_query, top_ids
from rag.evaluation.dataset import GoldenItem, balanced_subset, load_golden
from rag.evaluation.report import Delta, compare
from rag.evaluation.runner import ItemResult, RunResult, fact_haystack, summarise
from rag.models import Answer, Citation


def test_hit_at_k() -> None:
    ranking = ["b", "c", "a"]
    assert m.hit_at_k(ranking, ["a"], 1) == 0.0
    assert m.hit_at_k(ranking, ["a"], 3) == 1.0
    assert m.hit_at_k([], ["a"], 5) == 0.0


def test_reciprocal_rank_stops_at_k() -> None:
    assert m.reciprocal_rank(["x", "a"], ["a"]) == 0.5
    assert m.reciprocal_rank(["x", "y", "a"], ["a"], k=2) == 0.0
    assert m.reciprocal_rank(["a", "a"], ["a"]) == 1.0


def test_ndcg_of_a_perfect_ranking_is_one() -> None:
    assert m.ndcg_at_k(["a", "b", "c"], {"a": 1, "b": 1}) == pytest.approx(1.0)
    assert m.ndcg_at_k(["a", "b"], {"a": 2, "b": 1}) == pytest.approx(1.0)


def test_ndcg_of_a_known_permutation() -> None:
    # relevant a, b; ranking x, a, y, b → DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    expected = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m.ndcg_at_k(["x", "a", "y", "b"], {"a": 1, "b": 1}) == pytest.approx(expected)
    assert expected == pytest.approx(0.6509, abs=1e-4)


def test_ndcg_graded_swapped_pair() -> None:
    # gains 1 then 2 instead of 2 then 1: (1 + 2/log2 3) / (2 + 1/log2 3)
    expected = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert m.ndcg_at_k(["b", "a"], {"a": 2, "b": 1}) == pytest.approx(expected)


def test_ndcg_counts_each_article_once_at_its_best_rank() -> None:
    # chunk-level ranking a, a, b → articles a, b: perfect
    assert m.ndcg_at_k(["a", "a", "b"], {"a": 1, "b": 1}) == pytest.approx(1.0)
    assert m.ndcg_at_k(["x"], {}) is None
    assert m.ndcg_at_k(["x", "y"], {"a": 1}, k=2) == 0.0


def test_recall_at_k() -> None:
    assert m.recall_at_k(["a", "x", "b"], ["a", "b", "c", "d"], 2) == 0.25
    assert m.recall_at_k(["a"], [], 10) is None


def test_quote_recall_normalises_whitespace() -> None:
    passages = ["- Xiaomi opened a\n store in   Morocco.", "other"]
    assert m.quote_recall(passages, ["Xiaomi opened a store in Morocco.", "missing"]) == 0.5
    assert m.quote_recall(passages, []) is None


def test_key_fact_recall_is_case_insensitive() -> None:
    assert m.key_fact_recall(["OPPO", "vivo", "Samsung"], "oppo and Vivo [1].") == pytest.approx(
        2 / 3
    )
    assert m.missing_facts(["OPPO", "Samsung"], "OPPO") == ["Samsung"]
    assert m.key_fact_recall([], "anything") is None


def test_citation_precision() -> None:
    gold = ["Transsion holds a 51% market share."]
    good_passage = ("Some quote.", "Intro. Transsion holds a 51%  market share. More.")
    supported_quote = ("Transsion has 51% of the market share.", "unrelated passage")
    wrong = ("Lei Jun lost followers.", "Lei Jun lost followers.")
    assert m.citation_precision([good_passage, supported_quote, wrong], gold) == pytest.approx(
        2 / 3
    )
    assert m.citation_precision([], gold) is None


def test_citation_recall() -> None:
    assert m.citation_recall(["a", "a"], ["a", "b"]) == 0.5
    assert m.citation_recall([], []) is None


def test_mean_and_percentiles() -> None:
    assert m.mean([1.0, None, 3.0]) == 2.0
    assert m.mean([None]) is None
    assert m.percentile([1, 2, 3, 4], 50) == 2.5
    assert m.percentile(list(range(101)), 95) == pytest.approx(95.0)
    assert m.latency_summary([10.0, None, 30.0]) == {"median": 20.0, "p95": 29.0, "n": 2.0}


def _item(**kw: object) -> GoldenItem:
    base = {
        "id": "x",
        "question": "q?",
        "answerable": True,
        "gold_article_ids": ["a"],
        "gold_quotes": ["Q."],
        "key_facts": ["创业邦", "2025-09-01"],
        "type": "date-outlet",
    }
    return GoldenItem.model_validate({**base, **kw})


def test_date_outlet_facts_match_citation_outlet_and_date() -> None:
    citation = Citation(
        n=1,
        article_id="a",
        title="t",
        source="创业邦",
        published=datetime(2025, 9, 1, 3, 48),
        chunk_id="c",
        quote="Q.",
        passage="Q.",
        score=0.9,
    )
    answer = Answer(question="q?", text="It was reported [1].", refused=False, citations=[citation])
    text = fact_haystack(_item(), answer)
    assert m.key_fact_recall(["创业邦", "2025-09-01"], text) == 1.0
    assert "创业邦" not in fact_haystack(_item(type="single-fact"), answer)


def test_load_golden_and_balanced_subset(tmp_path: Path) -> None:
    path = tmp_path / "g.jsonl"
    rows = [_item(id=f"s{i}", type="single-fact") for i in range(3)] + [
        _item(id="u1", type="unanswerable", answerable=False)
    ]
    path.write_text("\n".join(r.model_dump_json() for r in rows) + "\n", encoding="utf-8")
    items = load_golden(path)
    assert [i.id for i in balanced_subset(items, 2)] == ["s0", "u1"]
    assert len(balanced_subset(items, None)) == 4
    path.write_text(rows[0].model_dump_json() + "\n" + rows[0].model_dump_json(), encoding="utf-8")
    with pytest.raises(Exception, match="duplicate id"):
        load_golden(path)


def test_real_golden_set_parses() -> None:
    items = load_golden(Path(__file__).resolve().parents[2] / "evals/datasets/golden.jsonl")
    assert len(items) >= 44 and all(i.history for i in items if i.type == "multi-turn")


def test_summary_applies_each_metric_to_its_items() -> None:
    items = [
        ItemResult(
            id="a",
            type="single-fact",
            answerable=True,
            question="q",
            scores={"hit@5": 1.0, "refused": 0.0, "grounded": 0.5},
        ),
        ItemResult(
            id="b",
            type="single-fact",
            answerable=True,
            question="q",
            scores={"hit@5": 0.0, "refused": 1.0, "grounded": None},
        ),
        ItemResult(
            id="u",
            type="unanswerable",
            answerable=False,
            question="q",
            scores={"refused": 1.0, "grounded": None},
        ),
    ]
    s = summarise(items)
    assert (s["hit@5"], s["refusal_accuracy"], s["false_refusal_rate"]) == (0.5, 1.0, 0.5)
    assert s["faithfulness"] == 0.5


def _run(summary: dict[str, float | None]) -> RunResult:
    return RunResult(
        backend="x",
        dataset="d",
        created_at=datetime(2026, 1, 1),
        settings={},
        summary=summary,
        speed={"total": {"median": 100.0, "p95": 200.0, "n": 1.0}},
        per_type={},
        items=[],
    )


def test_compare_marks_regressions() -> None:
    deltas = {
        d.metric: d
        for d in compare(
            _run({"hit@5": 1.0, "false_refusal_rate": 0.1}),
            _run({"hit@5": 0.9, "false_refusal_rate": 0.0}),
        )
    }
    assert deltas["hit@5"].regression and deltas["hit@5"].change == pytest.approx(-0.1)
    assert not deltas["false_refusal_rate"].regression
    assert Delta("total median ms", 100.0, 130.0).regression
    assert not Delta("total median ms", 100.0, 110.0).regression


def test_beir_helpers(tmp_path: Path) -> None:
    qrels = tmp_path / "test.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\n1\td1\t1\n1\td2\t1\n", encoding="utf-8")
    judged = read_qrels_tsv(qrels)
    assert judged == {"1": {"d1": 1, "d2": 1}}
    queries = {"1": {"metadata": {"d1": []}}, "2": {"metadata": {"d3": []}}, "3": {"metadata": {}}}
    assert derive_train_qrels(queries, judged) == {"2": {"d3": 1}}

    ranking = top_ids(np.array([0.2, 0.9, -1.0, 0.5]), ["d1", "d2", "x", "y"], limit=3)
    assert ranking == ["d2", "y", "d1"]
    scores = score_query(ranking, judged["1"])
    assert scores["recall@100"] == 1.0 and scores["mrr@10"] == 1.0
    assert scores["ndcg@10"] == pytest.approx((1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3)))


def test_failure_reasons_flag_zero_scores() -> None:
    from rag.evaluation.report import failure_reasons

    item = ItemResult(
        id="a",
        type="why-how",
        answerable=True,
        question="q",
        missing_facts=["x"],
        scores={"hit@5": 1.0, "quote_recall": 1.0, "citation_precision": 0.0, "grounded": 1.0},
    )
    assert failure_reasons(item) == ["missing key facts ['x']", "citation precision 0.00"]
    unanswered = ItemResult(id="u", type="unanswerable", answerable=False, question="q")
    assert failure_reasons(unanswered) == ["answered an unanswerable question"]


def test_bootstrap_interval_brackets_the_mean_and_narrows_with_more_queries() -> None:
    from rag.evaluation.metrics import bootstrap_interval

    few = [0.0, 1.0] * 10
    many = [0.0, 1.0] * 500
    low, high = bootstrap_interval(few, seed=1) or (None, None)
    assert low is not None and high is not None and low < 0.5 < high
    wide = high - low
    low, high = bootstrap_interval([*many, None], seed=1) or (0.0, 0.0)
    assert low < 0.5 < high and high - low < wide / 4
    assert bootstrap_interval([0.7] * 30) == pytest.approx((0.7, 0.7))
    assert bootstrap_interval([None]) is None
    assert bootstrap_interval(few, seed=3) == bootstrap_interval(few, seed=3)


def test_beir_report_shows_the_interval() -> None:
    from rag.evaluation.beir import BeirResult
    from rag.evaluation.beir_report import render_beir

    result = BeirResult(
        dataset="scifact",
        split="test",
        queries=300,
        documents=5183,
        chunks=12795,
        index_seconds=0.0,
        metrics={"ndcg@10": 0.735, "recall@100": 0.973, "mrr@10": 0.7},
        ndcg10_interval=(0.701, 0.768),
        latency_ms={"median": 9.4, "p95": 13.0},
    )
    assert "0.701–0.768" in render_beir(result)
    assert "bootstrap" not in render_beir(result.model_copy(update={"ndcg10_interval": None}))
