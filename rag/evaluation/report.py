"""Golden-run outputs: console/Markdown tables, results.json, a PNG chart, and run deltas."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from rag.evaluation.runner import ItemResult, RunResult

SUMMARY_KEYS = [
    "hit@1",
    "hit@3",
    "hit@5",
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
LOWER_IS_BETTER = {"false_refusal_rate", "errors"}
SCORE_TOLERANCE = 0.01  # a score this much worse is a regression
LATENCY_TOLERANCE = 0.20  # a latency this share slower is a regression
RESULTS_FILE, REPORT_FILE, CHART_FILE = "results.json", "report.md", "chart.png"


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for a table; '—' for None."""
    return "—" if value is None else f"{value:.{digits}f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table (also readable in a terminal)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def summary_table(run: RunResult) -> str:
    """Metric | value."""
    return table(["metric", run.backend], [[k, fmt(run.summary.get(k))] for k in SUMMARY_KEYS])


def speed_table(run: RunResult) -> str:
    """Latency median / p95 in ms."""
    rows = [
        [k + " ms", fmt(v["median"], 1), fmt(v["p95"], 1), fmt(v["n"], 0)]
        for k, v in run.speed.items()
    ]
    return table(["latency", "median", "p95", "n"], rows)


def per_type_table(run: RunResult) -> str:
    """Per item type: count, hit@3, key-fact recall, refused share."""
    rows = [
        [t, fmt(v["n"], 0), fmt(v["hit@3"]), fmt(v["key_fact_recall"]), fmt(v["refused"])]
        for t, v in run.per_type.items()
    ]
    return table(["type", "n", "hit@3", "key_fact_recall", "refused"], rows)


def failure_reasons(item: ItemResult) -> list[str]:
    """Why an item counts against a metric (empty when it scored perfectly)."""
    s, reasons = item.scores, []
    if item.error:
        reasons.append(f"error: {item.error}")
    if not item.answerable:
        return reasons + ([] if item.refused else ["answered an unanswerable question"])
    if item.refused:
        reasons.append("refused an answerable question")
    if s.get("hit@5") == 0.0:
        reasons.append(f"no gold article in top 5 (got {item.retrieved_article_ids[:5]})")
    recall = s.get("quote_recall")
    if recall is not None and recall < 1.0:
        reasons.append(f"gold quote not in top-k passages (quote recall {fmt(recall, 2)})")
    if item.missing_facts and not item.refused:
        reasons.append(f"missing key facts {item.missing_facts}")
    for key, label in (("citation_precision", "citation precision"), ("grounded", "grounded")):
        value = s.get(key)
        if value is not None and value < 1.0:
            reasons.append(f"{label} {fmt(value, 2)}")
    return reasons


def failures_section(run: RunResult) -> str:
    """A bullet per imperfect item, with its reasons and answer."""
    lines = []
    for item in run.items:
        reasons = failure_reasons(item)
        if reasons:
            answer = " ".join(item.answer.split())[:200]
            lines.append(f"- `{item.id}` ({item.type}): {'; '.join(reasons)}. Answer: “{answer}”")
    return "\n".join(lines) or "None: every item scored perfectly."


def render_report(run: RunResult, deltas: list[Delta] | None = None) -> str:
    """The whole report.md."""
    parts = [
        f"# Golden evaluation — backend `{run.backend}`",
        f"{int(run.summary['items'] or 0)} items from `{run.dataset}`, "
        f"{run.created_at:%Y-%m-%d %H:%M} UTC; settings {json.dumps(run.settings)}.",
        "## Quality",
        summary_table(run),
        "## Speed",
        speed_table(run),
        "## Per type",
        per_type_table(run),
    ]
    if deltas:
        parts += ["## Compared with the previous run", deltas_table(deltas)]
    parts += ["## Imperfect items", failures_section(run)]
    if run.notes:
        parts += ["## Notes", "\n".join(f"- {n}" for n in run.notes)]
    parts.append(f"![metrics and latency]({CHART_FILE})")
    return "\n\n".join(parts) + "\n"


def write_outputs(run: RunResult, out: Path, deltas: list[Delta] | None = None) -> list[Path]:
    """Write results.json, report.md and chart.png into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    results = out / RESULTS_FILE
    results.write_text(run.model_dump_json(indent=2), encoding="utf-8")
    report = out / REPORT_FILE
    report.write_text(render_report(run, deltas), encoding="utf-8")
    from rag.evaluation.chart import draw_chart

    chart = out / CHART_FILE
    draw_chart(run, sibling_runs(out), chart)
    return [results, report, chart]


def load_run(path: Path) -> RunResult:
    """A results.json written earlier."""
    return RunResult.model_validate_json(path.read_text(encoding="utf-8"))


def sibling_runs(out: Path) -> list[RunResult]:
    """Other backends' latest results.json next to `out` (evals/reports/*/results.json)."""
    runs = []
    for path in sorted(out.parent.glob(f"*/{RESULTS_FILE}")):
        if path.parent.resolve() != out.resolve():
            try:
                runs.append(load_run(path))
            except (OSError, ValueError):
                continue  # not a golden run (e.g. a BEIR report)
    return runs


@dataclass(frozen=True)
class Delta:
    """One metric in two runs."""

    metric: str
    old: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        return None if self.old is None or self.new is None else self.new - self.old

    @property
    def regression(self) -> bool:
        """Worse than the old run by more than the tolerance."""
        if self.change is None or self.old is None:
            return False
        if self.metric.endswith("ms"):
            return self.change > LATENCY_TOLERANCE * self.old
        worse = self.change if self.metric in LOWER_IS_BETTER else -self.change
        return worse > SCORE_TOLERANCE


def compare(old: RunResult, new: RunResult) -> list[Delta]:
    """Deltas of every quality metric and the median/p95 latencies."""
    deltas = [Delta(k, old.summary.get(k), new.summary.get(k)) for k in SUMMARY_KEYS]
    for key in new.speed:
        for stat in ("median", "p95"):
            deltas.append(
                Delta(
                    f"{key} {stat} ms", old.speed.get(key, {}).get(stat), new.speed[key].get(stat)
                )
            )
    return deltas


def deltas_table(deltas: list[Delta]) -> str:
    """metric | old | new | delta, regressions marked."""
    rows = []
    for d in deltas:
        digits = 1 if d.metric.endswith("ms") else 3
        change = "—" if d.change is None else f"{d.change:+.{digits}f}"
        rows.append(
            [
                d.metric,
                fmt(d.old, digits),
                fmt(d.new, digits),
                change,
                "REGRESSION" if d.regression else "",
            ]
        )
    return table(["metric", "old", "new", "delta", ""], rows)
