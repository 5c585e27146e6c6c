"""Fusing dense models with BM25 on BEIR SciFact: which signals, which weights (train), test.

Takes the SciFact index `rag eval beir` built (its chunks, passage vectors and BM25), embeds
the same chunks with each extra model named by --models (cached beside the index), and
scores every query exactly over the whole collection: each signal reduced to a document's
best chunk, z-scored over all documents, weighted and summed, as the product's fusion does
(docs/evaluation-2026-12-05.md, SciFact). Weights are chosen on the train split and reported on test, with
Recall@100 and the paired bootstrap interval of the chosen weights against the index's own
dense + BM25 at the product's weights. Qrels never reach a ranking.

  .venv/bin/python evals/fuse_models.py --data ../shared/datasets/scifact \
      --index-model all-MiniLM-L6-v2 --models bge-small-en-v1.5
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.evaluation import beir  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402


def chunk_texts(store) -> tuple[list[str], list[str], list[str]]:  # type: ignore[no-untyped-def]
    from rag.corpus.chunking import embedding_text

    ids, articles, texts = [], [], []
    for chunks, _ in store.iter_chunks(2000):
        for c in chunks:
            ids.append(c.id)
            articles.append(c.article_id)
            texts.append(embedding_text(c))
    return ids, articles, texts


def model_vectors(name: str, folder: Path, ids: list[str], texts: list[str], queries: list[str]):  # type: ignore[no-untyped-def]
    """(passage vectors, query vectors, seconds per passage) of an extra model, cached."""
    from rag.embed import load_embedder

    cache = folder / f"fuse-{name.replace('/', '_')}.npz"
    if cache.is_file():
        saved = np.load(cache)
        if list(saved["ids"]) == ids:
            return saved["passages"], saved["queries"], float(saved["seconds"])
    embedder = load_embedder(name)
    started = time.perf_counter()
    passages = embedder.embed_passages(texts)
    seconds = (time.perf_counter() - started) / max(1, len(texts))
    asked = embedder.embed_queries(queries)
    np.savez(cache, ids=np.array(ids), passages=passages, queries=asked, seconds=seconds)
    return passages, asked, seconds


def per_document(scores: np.ndarray, column: np.ndarray, documents: int) -> np.ndarray:
    """Each row of chunk scores (queries x chunks) reduced to a document's best chunk."""
    out = np.full((scores.shape[0], documents), -np.inf, np.float32)
    for j in range(scores.shape[1]):
        np.maximum(out[:, column[j]], scores[:, j], out=out[:, column[j]])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--index-model", default="all-MiniLM-L6-v2")
    parser.add_argument("--models", nargs="*", default=["bge-small-en-v1.5"])
    parser.add_argument("--step", type=float, default=0.05)
    parser.add_argument("--data-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    from rag.assistant import Assistant
    from rag.embed import settings_embedder
    from rag.store.base import Signals as Wanted

    base = Settings(data_dir=args.data_dir, embedding_model=args.index_model)
    settings = beir.cache_settings(base, args.data, "test", None)
    if not settings.index_dir.exists():
        sys.exit(f"no index at {settings.index_dir}: run `rag eval beir --data {args.data}` first")
    embedder = settings_embedder(settings)
    assistant = Assistant(settings, embedder, None).reload()
    store = assistant.retriever.store
    queries = beir.load_queries(args.data)
    splits = {
        s: {q: j for q, j in beir.load_qrels(args.data, s, queries).items() if q in queries}
        for s in ("train", "test")
    }
    qids = sorted(set(splits["train"]) | set(splits["test"]))
    texts_q = [queries[q]["text"] for q in qids]
    ids, articles, texts = chunk_texts(store)
    docs = sorted(set(articles))
    where = {d: n for n, d in enumerate(docs)}
    column = np.array([where[a] for a in articles])
    row_of = {c: n for n, c in enumerate(ids)}

    names = [args.index_model, "BM25"]
    dense = np.zeros((len(qids), len(ids)), np.float32)
    keyword = np.zeros_like(dense)
    for n, text in enumerate(texts_q):
        found = store.candidates(
            embedder.embed_queries([text])[0], text, len(ids) + 1, None, Wanted()
        ).found
        rows = np.array([row_of[c] for c in found.ids])
        dense[n, rows], keyword[n, rows] = found.dense, found.keyword
    signals = [per_document(dense, column, len(docs)), per_document(keyword, column, len(docs))]
    cost = {}
    for name in args.models:
        passages, asked, seconds = model_vectors(name, settings.data_dir, ids, texts, texts_q)
        signals.append(per_document(asked @ passages.T, column, len(docs)))
        names.append(name)
        cost[name] = round(seconds * 1000, 2)
    z = np.stack(signals, axis=1).astype(np.float64)  # queries x signals x documents
    z = (z - z.mean(axis=2, keepdims=True)) / np.maximum(z.std(axis=2, keepdims=True), 1e-9)
    where_q = {q: n for n, q in enumerate(qids)}

    def scores(split: str, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ndcg, recall = [], []
        for q, judged in splits[split].items():
            fused = np.tensordot(weights, z[where_q[q]], axes=1)
            top = np.argpartition(-fused, 100)[:100]
            ranking = [docs[i] for i in top[np.argsort(-fused[top], kind="stable")]]
            ndcg.append(m.ndcg_at_k(ranking, {d: float(g) for d, g in judged.items()}, 10) or 0.0)
            recall.append(m.recall_at_k(ranking, [d for d, g in judged.items() if g > 0], 100))
        return np.array(ndcg), np.array(recall)

    grid = np.arange(0, 1 + 1e-9, args.step)
    tried = []
    for weights in itertools.product(grid, repeat=len(names) - 1):
        if sum(weights) <= 1 + 1e-9:
            w = np.array([*weights, 1 - sum(weights)])
            tried.append((float(scores("train", w)[0].mean()), w))
    tried.sort(key=lambda t: -t[0])
    default = np.zeros(len(names))
    default[:2] = [0.75, 0.25]
    swapped = []  # each extra model in place of the index's, at the product's weights
    for n, name in enumerate(names[2:], start=2):
        w = np.zeros(len(names))
        w[[1, n]] = [0.25, 0.75]
        swapped.append((f"{name} 0.75 + BM25 0.25", w))
    rows = []
    for label, w in [
        ("product default (dense 0.75, BM25 0.25)", default),
        *swapped,
        *[(f"train-best #{n + 1}", w) for n, (_, w) in enumerate(tried[:5])],
    ]:
        train, test = scores("train", w), scores("test", w)
        rows.append(
            {
                "label": label,
                "weights": dict(zip(names, np.round(w, 3).tolist(), strict=True)),
                "ndcg10_train": round(float(train[0].mean()), 4),
                "ndcg10_test": round(float(test[0].mean()), 4),
                "recall100_test": round(float(test[1].mean()), 4),
            }
        )
    chosen = tried[0][1]
    without = next(w for _, w in tried if w[0] == 0)  # the best with the index's model left out
    rows.append(
        {
            "label": f"train-best without {names[0]}",
            "weights": dict(zip(names, np.round(without, 3).tolist(), strict=True)),
            "ndcg10_train": round(float(scores("train", without)[0].mean()), 4),
            "ndcg10_test": round(float(scores("test", without)[0].mean()), 4),
            "recall100_test": round(float(scores("test", without)[1].mean()), 4),
        }
    )
    paired = {}
    for label, other in (("vs product default", default), (f"vs without {names[0]}", without)):
        delta = scores("test", chosen)[0] - scores("test", other)[0]
        paired[label] = {
            "delta": round(float(delta.mean()), 4),
            "interval": [round(x, 4) for x in m.bootstrap_interval(delta.tolist()) or ()],
        }
    for row in rows:
        print(json.dumps(row))
    print(json.dumps({"train-best #1, test nDCG@10 paired": paired}))
    print(json.dumps({"embedding_ms_per_passage": cost}))
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "paired": paired, "cost": cost}, indent=2))


if __name__ == "__main__":
    main()
