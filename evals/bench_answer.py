"""Answer latency benchmark (not a test): time to first token and whole answer per variant,
with key-fact recall and citation precision beside them (speed must not cost correctness).

    .venv/bin/python evals/bench_answer.py                          # default variants, 3 runs
    .venv/bin/python evals/bench_answer.py --variants default context-160 --limit 12 --runs 3
    .venv/bin/python evals/bench_answer.py --variants extractive default --json out.json

Asks golden questions (evals/datasets/golden.jsonl, a type-balanced subset) against an index
of corpus/ built into a temporary folder, through `rag.evaluation.runner` exactly as
`rag eval` does, `--runs` times over the question list (runs in sequence, so a question
never follows itself and finds its own prompt cached). Every variant shares the embedder
and index; the LLM stays loaded between variants with the same model. Figures: median and
p95 over all answers; the ratio column compares each variant's median with the reference
(the first variant named) measured in the same process.

Variants (settings changed from the defaults):
  default        the shipped settings (LLM prompt cache primed at start-up)
  cold-prefix    an unrelated prompt evaluated before each question, so nothing of the
                 system prompt is cached: what every question cost before prefix reuse
  context-160 / context-120
                 a smaller sentence budget in the prompt (context_tokens)
  neighbours     the best sentences with their neighbours (context_mode)
  passages-700   whole passages, 700 tokens of them
  prompt-lookup / prompt-lookup-4
                 llama.cpp prompt-lookup decoding, 10 / 4 tokens drafted from the prompt
                 (the answer copies phrases of its sources)
  no-state-cache llama.cpp keeps only the last prompt's cache (llm_state_cache_mb 0): a
                 follow-up's rewrite prompt then evicts the system rules (use --types multi-turn)
  small-model    Qwen2.5-Coder-0.5B (needs --small-model PATH, or the file in the model cache)
  extractive     no LLM (quotes)
Goal (issue 16): default first token <= 1.5 s median and <= 3 s p95, whole answer <= 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
SMALL_MODEL = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf"
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "cold-prefix": {},
    "context-160": {"context_tokens": 160},
    "context-120": {"context_tokens": 120},
    "neighbours": {"context_mode": "neighbours"},
    "prompt-lookup": {"llm_prompt_lookup": 10},
    "prompt-lookup-4": {"llm_prompt_lookup": 4},
    "passages-700": {"context_mode": "passages", "context_tokens": 700},
    "no-state-cache": {"llm_state_cache_mb": 0},
    "small-model": {},
    "extractive": {"llm_backend": "extractive"},
}
FIGURES = (
    ("first token ms (median)", "first_token", "median"),
    ("first token ms (p95)", "first_token", "p95"),
    ("whole answer ms (median)", "total", "median"),
    ("whole answer ms (p95)", "total", "p95"),
    ("retrieval ms (median)", "retrieve", "median"),
)
QUALITY = ("key_fact_recall", "citation_precision", "false_refusal_rate", "refusal_accuracy")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class EvictingLLM:
    """Wraps an LLM: before each answer it evaluates an unrelated prompt, so llama.cpp
    finds nothing of the next prompt in its cache (the cold-prefix variant)."""

    def __init__(self, llm: Any) -> None:
        self.llm, self.name = llm, llm.name

    def stream(self, messages: list[Any], *, max_tokens: int, temperature: float) -> Iterator[str]:
        other = [{"role": "user", "content": "Reply with one word: ready?"}]
        for _ in self.llm.stream(other, max_tokens=1, temperature=0.0):
            pass
        yield from self.llm.stream(messages, max_tokens=max_tokens, temperature=temperature)

    def yes_probability(self, messages: list[Any]) -> float:
        return float(self.llm.yes_probability(messages))


def variant_assistant(base: Any, name: str, small_model: Path | None) -> Any:
    from rag.assistant import Assistant

    update = dict(VARIANTS[name])
    if name == "small-model":
        if small_model is None or not small_model.is_file():
            raise SystemExit(f"small-model: no GGUF at {small_model} (pass --small-model PATH)")
        update["llm_model_path"] = small_model
    settings = base.settings.model_copy(update=update)
    assistant = Assistant(settings, base.embedder, base.index)
    assistant.warm_up()
    if name == "cold-prefix":
        assistant = Assistant(settings, base.embedder, base.index, EvictingLLM(assistant.llm))
    return assistant


def measure(assistant: Any, items: list[Any], runs: int) -> dict[str, Any]:
    from rag.evaluation.runner import run_golden

    results = [r for _ in range(runs) for r in run_golden(assistant, items, "golden").items]
    out: dict[str, Any] = {"answers": len(results)}
    for label, key, stat in FIGURES:
        values = [r.timings_ms[key] for r in results if r.timings_ms.get(key) is not None]
        out[label] = (
            statistics.median(values) if stat == "median" else percentile(values, 0.95)
        ) if values else float("nan")  # fmt: skip
    from rag.evaluation.runner import summarise

    summary = summarise(results)
    for key in QUALITY:
        out[key] = summary.get(key)
    return out


def render(results: dict[str, dict[str, Any]]) -> str:
    names = list(results)
    reference = results[names[0]]
    lines = [
        "| figure | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for label, _, _ in FIGURES:
        cells = []
        for name in names:
            value, ref = results[name][label], reference[label]
            ratio = f" ({value / ref:.2f}x)" if ref and ref == ref and name != names[0] else ""
            cells.append(f"{value:.0f}{ratio}" if value == value else "–")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    for key in QUALITY:
        cells = ["–" if results[n][key] is None else f"{results[n][key]:.3f}" for n in names]
        lines.append(f"| {key.replace('_', ' ')} | " + " | ".join(cells) + " |")
    lines.append("| answers | " + " | ".join(str(results[n]["answers"]) for n in names) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=list(VARIANTS),
        default=["default", "cold-prefix", "context-160", "extractive"],
        help="the first is the reference of the ratio column",
    )
    parser.add_argument(
        "--dataset", type=Path, default=REPO / "evals" / "datasets" / "golden.jsonl"
    )
    parser.add_argument("--limit", type=int, default=12, help="questions (type-balanced)")
    parser.add_argument("--types", nargs="+", default=None, help="only these item types")
    parser.add_argument("--runs", type=int, default=3, help="passes over the questions")
    parser.add_argument("--small-model", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.embed import settings_embedder
    from rag.evaluation.dataset import balanced_subset, load_golden
    from rag.ingest import ingest

    golden = load_golden(args.dataset)
    items = balanced_subset(
        [i for i in golden if not args.types or i.type in args.types], args.limit
    )
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=REPO / "corpus")
        small = args.small_model or settings.model_cache_dir / SMALL_MODEL
        embedder = settings_embedder(settings)
        ingest(settings, embedder)
        base = Assistant(settings, embedder, None).reload()
        results = {}
        for name in args.variants:
            print(f"== {name}", flush=True)
            results[name] = measure(variant_assistant(base, name, small), items, args.runs)
            print(json.dumps(results[name]), flush=True)
    print(
        f"\n{len(items)} golden questions x {args.runs} runs; ratio = median / {args.variants[0]}"
    )
    print(render(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
