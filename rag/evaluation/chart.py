"""The PNG chart of a golden run: metric bars per backend, and latency box plots."""

from __future__ import annotations

from pathlib import Path

from rag.evaluation.runner import RunResult

CHART_METRICS = [
    "hit@3",
    "mrr@10",
    "ndcg@10",
    "quote_recall",
    "key_fact_recall",
    "citation_precision",
    "citation_recall",
    "faithfulness",
    "refusal_accuracy",
    "false_refusal_rate",
]


def draw_chart(run: RunResult, others: list[RunResult], path: Path) -> Path:
    """Left: grouped bars of the quality metrics, one colour per backend (this run and the
    other backends' latest runs). Right: total-latency box plots per backend (log scale)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = _unique_backends([run, *others])
    fig, (bars, boxes) = plt.subplots(1, 2, figsize=(14, 5), gridspec_kw={"width_ratios": [3, 1]})
    _metric_bars(bars, runs)
    _latency_boxes(boxes, runs)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _unique_backends(runs: list[RunResult]) -> list[RunResult]:
    """One run per backend, the first given (this run) winning."""
    seen: dict[str, RunResult] = {}
    for r in runs:
        seen.setdefault(r.backend, r)
    return list(seen.values())


def _metric_bars(ax, runs: list[RunResult]) -> None:  # type: ignore[no-untyped-def]
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        values = [run.summary.get(k) or 0.0 for k in CHART_METRICS]
        xs = [x + (i - (len(runs) - 1) / 2) * width for x in range(len(CHART_METRICS))]
        label = f"{run.backend} (n={int(run.summary.get('items') or 0)})"
        ax.bar(xs, values, width=width, label=label)
    ax.set_xticks(range(len(CHART_METRICS)))
    ax.set_xticklabels(CHART_METRICS, rotation=35, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("Golden set quality (false_refusal_rate: lower is better)")
    ax.legend(loc="lower left")
    ax.grid(axis="y", alpha=0.3)


def _latency_boxes(ax, runs: list[RunResult]) -> None:  # type: ignore[no-untyped-def]
    data, labels = [], []
    for run in runs:
        values = [i.timings_ms.get("total") for i in run.items]
        kept = [v for v in values if v is not None]
        if kept:
            data.append(kept)
            labels.append(run.backend)
    if data:
        ax.boxplot(data)
        ax.set_xticks(range(1, len(labels) + 1))
        ax.set_xticklabels(labels)
        ax.set_yscale("log")
    ax.set_title("Total latency per answer (ms)")
    ax.grid(axis="y", alpha=0.3)
