"""report.md, results.json and chart.png of an RGB run."""

from __future__ import annotations

import contextlib
from pathlib import Path

from rag.evaluation.report import fmt, table
from rag.evaluation.rgb import RgbResult, gate_curve
from rag.evaluation.rgb_data import RgbItemResult

GOALS = {  # issue 13's goals: (figure, at least / at most)
    "accuracy": (0.8, "≥"),
    "rejection_rate": (0.8, "≥"),
    "false_refusal_rate": (0.1, "≤"),
    "answered_wrong_rate": (0.1, "≤"),
    "first_citation_positive": (0.9, "≥"),
}
LABELS = {
    "accuracy": "accuracy (answerable)",
    "rejection_rate": "rejection of withheld",
    "false_refusal_rate": "false refusals",
    "answered_wrong_rate": "answered but wrong",
    "first_citation_positive": "first citation a positive",
    "withheld_answered": "withheld but answered",
    "withheld_answered_correct": "withheld, answered with the gold answer anyway",
    "wrong_period": "answered wrongly from another year's passage",
    "wrong_or_invented": "wrong or invented, of all questions",
    "copied_header": "answers with a source header copied in",
}
FUNNEL = {
    "funnel_retrieved": "an answering passage retrieved (top k)",
    "funnel_in_context": "... among the passages the answer was written from",
    "funnel_cited": "... cited",
    "funnel_correct": "answered correctly",
}


def _met(key: str, value: float | None) -> str:
    if key not in GOALS or value is None:
        return ""
    goal, sense = GOALS[key]
    ok = value >= goal if sense == "≥" else value <= goal
    return f"{sense} {goal} {'met' if ok else 'NOT met'}"


def summary_table(result: RgbResult) -> str:
    rows = [[LABELS[k], fmt(result.summary.get(k)), _met(k, result.summary.get(k))] for k in LABELS]
    return table(["figure", "value", "goal"], rows)


def funnel_table(result: RgbResult) -> str:
    """Where the answerable questions lose their answering passage, stage by stage."""
    rows = [[label, fmt(result.summary.get(key))] for key, label in FUNNEL.items()]
    return table(["answerable questions", "share"], rows)


COMPARED = {
    "accuracy": "accuracy (answerable)",
    "false_refusal_rate": "false refusals",
    "rejection_rate": "rejection of withheld",
    "wrong_or_invented": "wrong or invented, of all questions",
    "funnel_retrieved": "an answering passage retrieved / given",
}


def baseline_table(result: RgbResult) -> str:
    """The product beside the plain pipeline, on the same index and questions."""
    ours, plain = result.summary, result.baseline
    rows = [[label, fmt(ours.get(k)), fmt(plain.get(k))] for k, label in COMPARED.items()]
    median = [(result.latency_ms, "ours"), (result.baseline_latency_ms, "plain")]
    times = [fmt((lat.get("total") or {}).get("median"), 0) for lat, _ in median]
    rows.append(["median ms per answer", *times])
    return table(["figure", "ours", "plain baseline"], rows)


def latency_table(result: RgbResult) -> str:
    rows = [
        [name, fmt(s.get("median"), 0), fmt(s.get("p95"), 0), fmt(s.get("n"), 0)]
        for name, s in result.latency_ms.items()
    ]
    return table(["ms", "median", "p95", "answers"], rows)


def _examples(items: list[RgbItemResult], title: str, limit: int = 15) -> str:
    if not items:
        return ""
    lines = [f"### {title} ({len(items)})", ""]
    for r in items[:limit]:
        gold = " / ".join(str(g) for g in r.gold)
        answer = r.answer.replace("\n", " ")[:220]
        lines.append(f"- #{r.id} {r.query} — gold {gold}: {answer}")
    return "\n".join(lines) + "\n"


def render(result: RgbResult) -> str:
    s = result.summary
    parts = [
        f"# RGB: {Path(result.data).name}",
        "",
        f"{result.questions} questions (seed {result.seed}), {int(s.get('withheld') or 0)} "
        f"with their positives withheld; {result.passages} pooled passages indexed in "
        f"{result.index_seconds:.0f} s. Backend `{result.backend}`, embedding model "
        f"`{result.embedding_model}`.",
        "",
        summary_table(result),
        "",
        "## Funnel",
        "",
        funnel_table(result),
        "",
        latency_table(result),
        "",
    ]
    if result.baseline:
        parts += [
            "## Beside a plain pipeline",
            "",
            "The same index, embedder and LLM; the top 5 passages by dense cosine; RGB's own "
            "instruction prompt; no verification, no citations (rag/evaluation/rgb_baseline.py).",
            "",
            baseline_table(result),
            "",
        ]
    if result.counterfactual:
        c = result.counterfactual
        parts += [
            "## Counterfactual passages indexed beside the true ones",
            "",
            table(
                ["figure", "value"],
                [[k.replace("_", " "), fmt(v)] for k, v in c.items()],
            ),
            "",
        ]
    if any(r.gate_probability is not None for r in result.items):
        rows = [
            [fmt(c["threshold"]), fmt(c["rejection_rate"]), fmt(c["false_refusal_rate"]),
             fmt(c["accuracy"])]
            for c in gate_curve(result.items)
        ]  # fmt: skip
        parts += [
            "## The answerability gate's curve",
            "",
            "Each row: the figures had the gate refused every candidate below that probability "
            f"(0: no gate; the shipped thresholds: {result.settings.get('gate_thresholds')}).",
            "",
            table(["threshold", "rejection of withheld", "false refusals", "accuracy"], rows),
            "",
        ]
    answerable = [r for r in result.items if not r.withheld]
    parts += [
        "## Failures",
        "",
        _examples([r for r in answerable if not r.refused and not r.correct], "Answered wrongly"),
        _examples([r for r in answerable if r.refused], "Refused though answerable"),
        _examples([r for r in result.items if r.withheld and not r.refused], "Withheld, answered"),
        _examples([r for r in result.counterfactual_items if r.repeats_fake], "Repeated the fake"),
        _examples([r for r in result.items if r.error], "Errors"),
    ]
    return "\n".join(p for p in parts if p is not None)


def draw_chart(result: RgbResult, path: Path) -> Path:
    """Bars of the rates (goal marks as ticks) and a box plot of the answer latency."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = [*GOALS, "withheld_answered"]
    values = [result.summary.get(k) or 0.0 for k in keys]
    if result.counterfactual:
        keys.append("fake_answer_rate")
        values.append(result.counterfactual.get("fake_answer_rate") or 0.0)
    fig, (bars, boxes) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    bars.bar(range(len(keys)), values, color="#4c72b0")
    for x, key in enumerate(keys):
        if key in GOALS:
            bars.hlines(GOALS[key][0], x - 0.4, x + 0.4, colors="#c44e52", linewidth=2)
    bars.set_xticks(
        range(len(keys)),
        [LABELS.get(k, k.replace("_", " ")) for k in keys],
        rotation=20,
        ha="right",
    )
    bars.set_ylim(0, 1)
    bars.set_title(f"{Path(result.data).name}: {result.questions} questions ({result.backend})")
    totals = [r.total_ms / 1000 for r in result.items if r.total_ms is not None]
    boxes.boxplot(totals or [0.0])
    boxes.set_title("seconds per answer")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_outputs(result: RgbResult, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "results.json", out / "report.md"]
    paths[0].write_text(result.model_dump_json(indent=2), encoding="utf-8")
    paths[1].write_text(render(result), encoding="utf-8")
    with contextlib.suppress(ImportError):  # matplotlib is in the eval extra
        paths.append(draw_chart(result, out / "chart.png"))
    return paths
