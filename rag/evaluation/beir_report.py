"""Markdown for a BEIR run: our scores beside the published figures, the bootstrap
interval and the search latency."""

from __future__ import annotations

from rag.evaluation.beir import DOCS_RANKED, BeirResult


def render_beir(result: BeirResult) -> str:
    """Markdown: our scores beside the published nDCG@10 for the same data."""
    s, lat = result.metrics, result.latency_ms
    lines = [
        f"# BEIR {result.dataset} ({result.split} split)",
        f"{result.queries} queries, {result.documents} documents, {result.chunks} chunks; "
        f"hybrid fusion over every chunk, weights {_weights(result.weights)}, each signal "
        f"reduced to a document's best chunk; top {DOCS_RANKED} documents ranked; "
        f"ingest {result.index_seconds:.1f} s (0 work when cached).",
        "",
        "| system | nDCG@10 | Recall@100 | MRR@10 |",
        "|---|---|---|---|",
        f"| rag (ours) | {_f(s['ndcg@10'])} | {_f(s['recall@100'])} | {_f(s['mrr@10'])} |",
    ]
    lines += [
        f"| {name} (published) | {v:.3f} | — | — |" for name, v in result.published_ndcg10.items()
    ]
    if result.limited:
        lines += [
            "",
            "**Limited run** (--limit-docs/--limit-queries): not comparable with the "
            "published figures, which rank the whole corpus for every test query.",
        ]
    if result.ndcg10_interval:
        low, high = result.ndcg10_interval
        lines += [
            "",
            f"nDCG@10 95% bootstrap interval over these {result.queries} queries: "
            f"{low:.3f}–{high:.3f} (where the figure could fall on other queries like these).",
        ]
    lines += [
        "",
        f"Search latency per query: median {_f(lat['median'], 1)} ms, "
        f"p95 {_f(lat['p95'], 1)} ms (query embedding + every chunk's weighted signals + fusion + ranking).",
    ]
    return "\n".join(lines) + "\n"


def _f(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _weights(weights: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:g}" for k, v in weights.items() if k != "recency") or "—"
