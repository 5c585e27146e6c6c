"""Answer latency benchmark (not a test): retrieval, time to first token, total, tokens/s, RSS.

    .venv/bin/python evals/bench_answer.py --backends extractive llamacpp --limit 10

Asks the golden questions (evals/datasets/golden.jsonl, single-turn items) against the
index of corpus/ (built into a temporary folder), one backend at a time, and prints the
median and p95 of each figure per backend. Goal for the default local model on a 2-core
machine: median time to first token <= 3 s, total <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def load_questions(path: Path, limit: int | None) -> list[str]:
    items = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    questions = [i["question"] for i in items if not i.get("history")]
    return questions[:limit] if limit else questions


def run_backend(assistant, questions: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    from rag.models import Answer

    retrieve, first, total, rates, refused = [], [], [], [], 0
    for question in questions:
        start = time.perf_counter()
        pieces = 0
        answer = None
        for item in assistant.stream(question):
            if isinstance(item, Answer):
                answer = item
            else:
                pieces += 1
        elapsed = time.perf_counter() - start
        assert answer is not None
        refused += answer.refused
        retrieve.append(answer.timings_ms.retrieve)
        total.append(elapsed * 1000)
        if answer.timings_ms.first_token is not None:
            first.append(answer.timings_ms.first_token)
            decode_s = (answer.timings_ms.total - answer.timings_ms.first_token) / 1000
            if pieces > 1 and decode_s > 0:
                rates.append((pieces - 1) / decode_s)
    return {
        "questions": len(questions),
        "refused": refused,
        "retrieve_ms_median": statistics.median(retrieve),
        "retrieve_ms_p95": percentile(retrieve, 0.95),
        "first_token_ms_median": statistics.median(first) if first else float("nan"),
        "first_token_ms_p95": percentile(first, 0.95),
        "total_ms_median": statistics.median(total),
        "total_ms_p95": percentile(total, 0.95),
        "tokens_per_s_median": statistics.median(rates) if rates else float("nan"),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backends", nargs="+", default=["extractive", "llamacpp"])
    parser.add_argument(
        "--dataset", type=Path, default=REPO / "evals" / "datasets" / "golden.jsonl"
    )
    parser.add_argument("--limit", type=int, default=None, help="Ask only the first N questions.")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args()

    from rag.assistant import Assistant
    from rag.config import Settings
    from rag.embeddings import settings_embedder
    from rag.ingest import ingest

    questions = load_questions(args.dataset, args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), corpus_dir=REPO / "corpus")
        embedder = settings_embedder(settings)
        ingest(settings, embedder)
        base = Assistant(settings, embedder, None).reload()
        base.search("warm up the embedding model")
        results = {}
        for backend in args.backends:
            assistant = base.with_backend(backend)
            if assistant.llm is not None and hasattr(assistant.llm, "warm_up"):
                assistant.llm.warm_up()
            results[backend] = run_backend(assistant, questions)
    print(f"{len(questions)} questions; figures in ms unless noted")
    keys = list(next(iter(results.values())))
    print(f"{'':24}" + "".join(f"{b:>14}" for b in results))
    for key in keys:
        print(f"{key:24}" + "".join(f"{results[b][key]:>14.1f}" for b in results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
