"""Choose the hybrid-search fusion weights on BEIR SciFact (train split), report test beside it.

Loads the SciFact index that `rag eval beir` built (our own ingest: 200-piece passages,
sentence vectors, BM25; either store), takes every query's candidates once (each signal's
top chunks and the reference sample), then scores each weight combination in the product's
doc-level fusion (z-scores of per-document maxima, spreads from the sample's documents). Qrels are
used only to score rankings, never at query time.

  .venv/bin/python evals/tune_fusion.py --data ../shared/datasets/scifact
  .venv/bin/python evals/tune_fusion.py --data ../shared/datasets/scifact --json evals/reports/fusion.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.evaluation import beir  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402
from rag.models import Weights  # noqa: E402
from rag.retrieve.fusion import fuse  # noqa: E402


def doc_signals(assistant, queries: dict[str, str]) -> dict[str, beir.DocSignals]:  # type: ignore[no-untyped-def]
    retriever = assistant.retriever
    # Every signal is needed, whatever the configured weights (a zero weight skips one).
    retriever.weights = Weights(1.0, 1.0, 1.0)
    return {qid: beir.document_signals(retriever, text) for qid, text in queries.items()}


def ndcg(signals: dict[str, beir.DocSignals], qrels: beir.Qrels, weights: Weights) -> float:
    scores = []
    for qid, judged in qrels.items():
        docs = signals[qid]
        fused = fuse(docs.signals, weights, docs.population)
        top = np.argsort(-fused)[:10]
        ranking = [docs.ids[i] for i in top]
        scores.append(m.ndcg_at_k(ranking, {d: float(g) for d, g in judged.items()}, 10) or 0.0)
    return float(np.mean(scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--step", type=float, default=0.1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from rag.assistant import Assistant
    from rag.embed import settings_embedder

    queries = beir.load_queries(args.data)
    qrels = {s: beir.load_qrels(args.data, s, queries) for s in ("train", "test")}
    settings = beir.cache_settings(Settings(), args.data, "test", None)
    embedder = settings_embedder(settings)
    assistant = Assistant(settings, embedder, None).reload()
    needed = {q: queries[q]["text"] for split in qrels.values() for q in split}
    signals = doc_signals(assistant, needed)
    steps = round(1 / args.step)
    rows = []
    for d, s in itertools.product(range(steps + 1), repeat=2):
        if d + s > steps:
            continue
        w = Weights(d / steps, s / steps, (steps - d - s) / steps)
        row = {"weights": w._asdict(), **{sp: ndcg(signals, qrels[sp], w) for sp in qrels}}
        rows.append(row)
        print(
            f"{w.dense:.2f} {w.sentence:.2f} {w.keyword:.2f}  train {row['train']:.4f}  test {row['test']:.4f}",
            flush=True,
        )
    best = max(rows, key=lambda r: r["train"])
    print("best on train:", best)
    two_way = max((r for r in rows if r["weights"]["sentence"] == 0), key=lambda r: r["train"])
    print("best on train without the sentence signal (the default's family):", two_way)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
