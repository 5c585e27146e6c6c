"""Learn the answerability gate (rag/answer/gate.py) from the labelled set, in one command.

  .venv/bin/python evals/train_gate.py --rows evals/results/answerability/rows.jsonl \
      --out rag/answer/gate.json --report evals/results/answerability/report.md

One logistic regression per kind of answer (LLM or extractive) and question language reads
the signals of rag/answer/gate.py. The rows (evals/answerability_set.py) are split into 5
folds by question: a question's rows (indexed, withheld, counterfactual) all fall in one
fold, and each answer is read by a model trained on the other four, so every figure comes
from questions the model never saw. The script prints each signal's AUROC alone and the
gate's, then picks each gate's threshold on those out-of-fold readings: the highest whose
false refusals (refused or gated, of the questions whose answer is indexed) stay at or under
0.10 (or the pipeline's own, where higher) while accuracy drops by at most 0.02. It writes the curve of rejection against false
refusals, the figures `rag eval rgb` would report with and without the gate, and ships a
model fitted on every answer, with the data and commit it came from.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.text.language import language_of  # noqa: E402

FOLDS = 5  # grouped by question
MAX_FALSE_REFUSALS = 0.10
MAX_ACCURACY_DROP = 0.02  # the issue: accuracy must not drop
# A threshold that raises rejection by less than this buys too little for the right answers
# it may refuse on questions unlike RGB's (a planted article made the demo answer score 0.10
# against the English gate's 0.11, for one more rejected question in 64): 0, read only.
MIN_REJECTION_GAIN = 0.05
FEATURES = {
    "extractive": (
        "passage", "sentence", "quote_cosine", "support", "years_held", "years_asked",
        "numbers_held", "terms_held", "answer_in_window", "answer_new", "kind_given", "cited",
        "rare_terms_held", "first_cited_rank", "agreement",
    ),
}  # fmt: skip
FEATURES["llm"] = (*FEATURES["extractive"], "judge")
# The model's yes/no judgement of its own answer, measured (2026-12-05, out of fold): alone
# AUROC 0.60 in English and 0.50 in Chinese (where it is ~0.975 whatever the answer); the
# English gate's AUROC with it 0.679, without 0.666. Not worth its ~0.35 s per answer: the
# gates do without it (answerability_set.py still records it, for a stronger model).
DROPPED = {"llm-en": {"judge"}, "llm-zh": {"judge"}}
LANGUAGES = ("en", "zh")


def features_of(key: str) -> tuple[str, ...]:
    return tuple(f for f in FEATURES[key.split("-")[0]] if f not in DROPPED.get(key, set()))


def language(row: dict[str, Any]) -> str:
    """As the product reads it (rag.text.language.language_of)."""
    return "zh" if language_of(row["question"]) == "zh" else "en"


def fold(row: dict[str, Any]) -> int:
    """The question's fold: all rows of one question (every pool and run) share it."""
    key = f"{row['source']}:{row['id']}".encode()
    return int(hashlib.sha256(key).hexdigest(), 16) % FOLDS


def kind(row: dict[str, Any]) -> str:
    """The gate's key: the answer's kind (an LLM run's fallback answers are extractive) and
    the question's language."""
    return f"{'extractive' if row['backend'] == 'extractive' else 'llm'}-{language(row)}"


def auroc(labels: list[bool], scores: list[float]) -> float | None:
    return round(float(roc_auc_score(labels, scores)), 3) if 0 < sum(labels) < len(labels) else None


def fit(rows: list[dict[str, Any]], features: tuple[str, ...]) -> dict[str, Any]:
    x = np.array([[r["signals"][f] for f in features] for r in rows], dtype=float)
    y = np.array([r["right"] for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=0.5, max_iter=2000).fit((x - mean) / scale, y)
    return {
        "features": list(features),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": model.coef_[0].round(6).tolist(),
        "intercept": round(float(model.intercept_[0]), 6),
    }


def fmt_auroc(rows: list[dict[str, Any]], scores: list[float]) -> str:
    a = auroc([r["right"] for r in rows], scores)
    return "n/a" if a is None else f"{a:.3f}"


def boosted(
    train: list[dict[str, Any]], held: list[dict[str, Any]], features: tuple[str, ...]
) -> list[float]:
    """Gradient boosting's probabilities for the held-out rows (a check that a non-linear
    model would not do clearly better)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    def matrix(rows: list[dict[str, Any]]) -> np.ndarray:
        return np.array([[r["signals"][f] for f in features] for r in rows], dtype=float)

    model = HistGradientBoostingClassifier(max_depth=3, max_iter=150, learning_rate=0.05)
    model.fit(matrix(train), [r["right"] for r in train])
    return list(model.predict_proba(matrix(held))[:, 1]) if held else []


def probability(model: dict[str, Any], signals: dict[str, float]) -> float:
    x = np.array([signals[f] for f in model["features"]])
    z = model["intercept"] + float(np.dot(model["coef"], (x - model["mean"]) / model["scale"]))
    return float(1.0 / (1.0 + np.exp(-z)))


def refused(r: dict[str, Any], thresholds: dict[str, float]) -> bool:
    """Refused by the pipeline, or by the gate at these thresholds (by kind)."""
    if r["refused"]:
        return True
    t = thresholds.get(kind(r)) if r["signals"] else None
    return t is not None and r.get("p") is not None and r["p"] < t


def rates(rows: list[dict[str, Any]], thresholds: dict[str, float]) -> dict[str, float | None]:
    """RGB's figures with the gate at `thresholds`: rejection of withheld questions, false
    refusals, accuracy and wrong answers of indexed ones (rows of one run)."""
    indexed = [r for r in rows if r["condition"] == "indexed"]
    withheld = [r for r in rows if r["condition"] == "withheld"]

    def share(flags: list[bool]) -> float | None:
        return round(sum(flags) / len(flags), 3) if flags else None

    return {
        "rejection": share([refused(r, thresholds) for r in withheld]),
        "false_refusals": share([refused(r, thresholds) for r in indexed]),
        "accuracy": share([r["right"] and not refused(r, thresholds) for r in indexed]),
        "answered_wrong": share([not refused(r, thresholds) and not r["right"] for r in indexed]),
        "indexed": len(indexed),
        "withheld": len(withheld),
    }


def choose_threshold(rows: list[dict[str, Any]], k: str, fixed: dict[str, float]) -> float:
    """The highest threshold for gate `k` whose false refusals stay within the limit and
    whose accuracy drops by at most MAX_ACCURACY_DROP, on its language's questions (other
    gates at their `fixed` thresholds). Where the pipeline alone already refuses more (the
    extractive answerer's own checks), the gate may add no false refusal. 0 (read, never
    refuse) when the best allowed threshold gains less than MIN_REJECTION_GAIN."""

    mine = [r for r in rows if language(r) == k.split("-")[1]]

    def figures(t: float) -> tuple[float, float]:
        f = rates(mine, {**fixed, k: t})
        return f["false_refusals"] or 0.0, f["accuracy"] or 0.0

    base_refusals, base_accuracy = figures(0.0)
    limit = max(MAX_FALSE_REFUSALS, base_refusals)
    best = 0.0
    for t in np.round(np.arange(0.0, 1.0, 0.01), 2):
        refusals, accuracy = figures(float(t))
        if refusals <= limit and accuracy >= base_accuracy - MAX_ACCURACY_DROP:
            best = float(t)

    def rejection(t: float) -> float:
        return rates(mine, {**fixed, k: t})["rejection"] or 0.0

    return best if rejection(best) - rejection(0.0) >= MIN_REJECTION_GAIN else 0.0


def curve(rows: list[dict[str, Any]], k: str, fixed: dict[str, float], chosen: float) -> list[str]:
    """Rejection against false refusals (and accuracy, wrong answers) by threshold."""
    mine = [r for r in rows if language(r) == k.split("-")[1]]
    lines = ["| threshold | rejection | false refusals | accuracy | answered wrong |",
             "|---|---|---|---|---|"]  # fmt: skip
    for t in sorted({0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, chosen}):
        f = rates(mine, {**fixed, k: t})
        mark = " (chosen)" if t == chosen else ""
        lines.append(f"| {t:.2f}{mark} | {f['rejection']} | {f['false_refusals']} | "
                     f"{f['accuracy']} | {f['answered_wrong']} |")  # fmt: skip
    return [*lines, ""]


def tag_pools(rows: list[dict[str, Any]]) -> None:
    """Which pool each RGB row was asked of, from the order answerability_set.py writes
    them in: per run and file, every question of the seed's pool, then of its complement,
    then the counterfactual pool."""
    questions: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        questions[r["source"]].add(r["id"])
    seen: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        if r["source"] == "golden":
            r["pool"] = "golden"
            continue
        n = seen[(r["run"], r["source"])]
        seen[(r["run"], r["source"])] += 1
        size = len(questions[r["source"]])
        r["pool"] = "counterfactual" if r["condition"] == "counterfactual" else (
            "seed" if n < size else "complement"
        )  # fmt: skip


def rgb_setting(rows: list[dict[str, Any]], thresholds: dict[str, float], read: str) -> list[str]:
    """The figures `rag eval rgb` reports (seed 0: a quarter of the questions withheld, all
    questions, training ones included) without and with the gate; the counterfactual pool."""
    lines = [f"## As `rag eval rgb` runs them (seed 0: a quarter withheld; gate readings {read})",
             "", "| file | run | gate | accuracy | rejection | false refusals | answered wrong |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for source in sorted({r["source"] for r in rows} - {"golden"}):
        for run in ("extractive", "llamacpp"):
            mine = [
                r for r in rows if r["source"] == source and r["run"] == run and r["pool"] == "seed"
            ]
            if not mine:
                continue
            for label, at in (("off", {}), ("on", thresholds)):
                f = rates(mine, at)
                lines.append(f"| {source} | {run} | {label} | {f['accuracy']} | {f['rejection']} | "
                             f"{f['false_refusals']} | {f['answered_wrong']} |")  # fmt: skip
    lines += ["", "| file | run | both passages retrieved | disagreement shown (of those) | "
              "repeats the fake (of those) |", "|---|---|---|---|---|"]  # fmt: skip
    for source in sorted({r["source"] for r in rows} - {"golden"}):
        for run in ("extractive", "llamacpp"):
            mine = [
                r
                for r in rows
                if r["source"] == source and r["run"] == run and r["pool"] == "counterfactual"
            ]
            both = [r for r in mine if r.get("both_retrieved")]
            if not mine or "disputed" not in mine[0]:
                continue
            shown = sum(bool(r["disputed"]) for r in both)
            fake = sum(bool(r.get("repeats_fake")) for r in both)
            lines.append(f"| {source} | {run} | {len(both)} of {len(mine)} | {shown} | {fake} |")
    golden = [r for r in rows if r["source"] == "golden"]
    if golden:
        lines += ["", "| golden set | gate | refusal of unanswerable | false refusals | answered wrong |",
                  "|---|---|---|---|---|"]  # fmt: skip
        for run in ("extractive", "llamacpp"):
            mine = [r for r in golden if r["run"] == run]
            for label, at in (("off", {}), ("on", thresholds)):
                f = rates(mine, at)
                lines.append(f"| {run} | {label} | {f['rejection']} | {f['false_refusals']} | "
                             f"{f['answered_wrong']} |")  # fmt: skip
    return [*lines, ""]


def run_of(key: str) -> str:
    """The run whose validation questions set a gate's threshold."""
    return "extractive" if key.startswith("extractive") else "llamacpp"


def commit() -> str:
    try:
        return subprocess.check_output(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True
        ).strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=REPO / "rag" / "answer" / "gate.json")
    parser.add_argument("--report", type=Path, help="a Markdown report of the figures")
    parser.add_argument("--embedding-model", default="multilingual-e5-small")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.rows.read_text(encoding="utf-8").splitlines() if line]
    run = "extractive"
    for r in rows:  # rows written before "run" was recorded: runs were in order
        run = r.setdefault("run", "llamacpp" if r["backend"] == "llamacpp" else run)
    tag_pools(rows)
    lines = [f"# Answerability gate ({dt.date.today()}, commit {commit()})", "",
             f"Rows: {args.rows} ({len(rows)}); {FOLDS}-fold cross-validation grouped by question: "
             "every figure below reads each answer with a model that never saw its question.", ""]  # fmt: skip
    answered = [r for r in rows if r["signals"]]
    models: dict[str, Any] = {}
    for k in ("extractive", "llm"):
        counts, cells = [], {f: [] for f in (*FEATURES[k], "p", "boost")}
        for lang in LANGUAGES:
            key = f"{k}-{lang}"
            mine = [r for r in answered if kind(r) == key]
            counts.append(f"{lang}: {len(mine)} answers")
            if len({r["right"] for r in mine}) < 2:
                for f in cells:
                    cells[f].append("n/a")
                continue
            features = features_of(key)
            for f_ in range(FOLDS):  # each answer's p from a model that never saw its question
                train = [r for r in mine if fold(r) != f_]
                held = [r for r in mine if fold(r) == f_]
                model = fit(train, features)
                for r in held:
                    r["p"] = probability(model, r["signals"])
                for r, b in zip(held, boosted(train, held, features), strict=True):
                    r["boost"] = b
            for f in FEATURES[k]:
                cells[f].append(fmt_auroc(mine, [r["signals"].get(f, 0.0) for r in mine]))
            cells["p"].append(fmt_auroc(mine, [r["p"] for r in mine]))
            cells["boost"].append(fmt_auroc(mine, [r["boost"] for r in mine]))
            models[key] = fit(mine, features)  # what ships: every answer
        names = {"p": "**the gate (logistic regression)**",
                 "boost": "gradient boosting, same signals (not shipped)"}  # fmt: skip
        lines += [f"## {k} answers: AUROC out of fold", "", "Label: right by RGB's rule (the golden "
                  "set's: half its key facts). Each language has its own model; "
                  + "; ".join(counts) + ".", "", "| signal | en | zh |", "|---|---|---|",
                  *(f"| {names.get(f, f)} | {' | '.join(c)} |" for f, c in cells.items()), ""]  # fmt: skip
    thresholds: dict[str, float] = {}
    for key in ("extractive-en", "extractive-zh", "llm-en", "llm-zh"):
        if key not in models:
            continue
        run_rows = [r for r in rows if r["run"] == run_of(key) and r["pool"] != "counterfactual"]
        thresholds[key] = models[key]["threshold"] = choose_threshold(run_rows, key, thresholds)
        lines += [f"## {key}: every question of the {run_of(key)} run, out of fold; threshold "
                  f"{thresholds[key]:.2f}", "",
                  f"Chosen: the highest with false refusals <= {MAX_FALSE_REFUSALS} (or no more than "
                  "the pipeline's own, where those are higher) and accuracy at most "
                  f"{MAX_ACCURACY_DROP} under the pipeline's; 0 (the gate reads but never refuses) when that "
                  f"gains under {MIN_REJECTION_GAIN} of rejection. 0.00 is the pipeline without the gate. "
                  "Both pools: each question once indexed, once withheld.",
                  "", *curve(run_rows, key, thresholds, thresholds[key])]  # fmt: skip
    lines += rgb_setting(rows, thresholds, "out of fold")
    for r in answered:  # the shipped models on every answer, training ones included
        if kind(r) in models:
            r["p"] = probability(models[kind(r)], r["signals"])
    lines += rgb_setting(rows, thresholds, "the shipped model, its training questions included")
    payload = {
        "embedding_model": args.embedding_model,
        "trained_on": str(args.rows),
        "rows_sha256": hashlib.sha256(args.rows.read_bytes()).hexdigest(),
        "made_by": "evals/answerability_set.py (RGB en_fact_dev, zh_fact; golden set), "
        "evals/train_gate.py",
        "rows": len(rows),
        "commit": commit(),
        "date": str(dt.date.today()),
        "models": models,
    }
    args.out.write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")
    text = "\n".join(lines)
    print(text)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
