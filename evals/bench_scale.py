"""Scale benchmark of the stores (not a test): FAISS flat, FAISS HNSW (8-bit codes, exact
re-scoring), Milvus(-lite), at 10k / 100k / 1M passages of 384 dimensions.

Vectors: `--base scifact` takes the real SciFact passage vectors of a `rag eval beir`
index and adds small Gaussian noise (sigma 0.02 per dimension, re-normalised) to make as
many as needed; `--base clusters` draws unit vectors around 5,000 random centres. Keyword
postings are drawn directly (Zipf over a 50,000-word vocabulary, 60 words per passage:
tokenizing a million texts would cost ~12 minutes and measure nothing about the store).
Queries are noisy copies of indexed passages with words drawn from them.

For each engine and size: build time, RSS of a fresh process that opens the store and
searches (peak), on-disk size, dense query latency median/p95 at k=10 on 1 and 2 threads
(engine only), recall@10 against exact search (at k=10, and as retrieval uses it: the
top 300 re-scored exactly), and the full hybrid `Retriever.search()` latency (dense +
BM25 + fusion over candidates and the reference sample + an outlet filter + diversity).

  .venv/bin/python evals/bench_scale.py --sizes 10000 100000 1000000 --out evals/reports/scale
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
DIM = 384
VOCAB = 50_000
WORDS_PER_PASSAGE = 60
QUERIES = 200
SERVER_URI = "http://127.0.0.1:19530"
SOURCES = ["Wire", "Daily", "Herald", "Post"]


def vocabulary() -> list[str]:
    from rag.store.keyword import tokenize

    words = [f"k{n}q" for n in range(VOCAB)]
    assert all(tokenize(w) == [w] for w in words[:100])
    return words


def base_vectors(kind: str, data_dir: Path | None) -> np.ndarray:
    if kind == "scifact":
        from rag.config import Settings
        from rag.store import open_store

        settings = Settings(data_dir=data_dir) if data_dir else Settings()
        store = open_store(settings)
        return np.vstack([v for _, v in store.iter_chunks(5000)])
    rng = np.random.default_rng(1)
    return _normalise(rng.standard_normal((5000, DIM)).astype(np.float32))


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def make_vectors(base: np.ndarray, n: int, seed: int, noise: float) -> np.ndarray:
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(base), n)
    out = np.empty((n, DIM), np.float32)
    for start in range(0, n, 100_000):
        part = picks[start : start + 100_000]
        jitter = rng.standard_normal((len(part), DIM)).astype(np.float32) * noise
        out[start : start + len(part)] = _normalise(base[part] + jitter)
    return out


def postings(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(terms, rows, tf, lengths) of n passages, Zipf-distributed words."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, VOCAB + 1) ** 1.05
    p /= p.sum()
    words = rng.choice(VOCAB, size=(n, WORDS_PER_PASSAGE), p=p).astype(np.int64)
    rows = np.repeat(np.arange(n, dtype=np.int64), WORDS_PER_PASSAGE)
    key = rows * VOCAB + words.ravel()
    unique, tf = np.unique(key, return_counts=True)
    return (
        unique % VOCAB,
        unique // VOCAB,
        tf.astype(np.float32),
        np.full(n, WORDS_PER_PASSAGE, np.float32),
    )


def settings_for(engine: str, root: Path, n: int) -> Any:
    from rag.config import Settings

    extra: dict[str, Any] = {"store": "milvus" if engine.startswith("milvus") else "faiss"}
    extra["ann_threshold"] = 0 if engine in ("hnsw", "milvus-hnsw", "milvus-server") else 10**9
    if engine.startswith("milvus"):
        extra["milvus_uri"] = str(root / "milvus.db")
    if engine == "milvus-server":  # HNSW on the Milvus 2.3.5 standalone server (loopback)
        extra["milvus_uri"] = SERVER_URI
        extra["milvus_collection"] = f"bench{n}"
    return Settings(data_dir=root, llm_backend="extractive", **extra)


def build(engine: str, root: Path, n: int, vectors: np.ndarray) -> dict[str, Any]:
    """Write n synthetic passages into a new store; returns build seconds."""
    from rag.models import ArticleRecord, Chunk
    from rag.store import Manifest, create_store
    from rag.store.keyword import Segment

    settings = settings_for(engine, root, n)
    manifest = Manifest(
        embedding_model="synthetic", dimension=DIM, chunk_size=200, chunk_overlap=30
    )
    started = time.perf_counter()
    store = create_store(settings, manifest)
    words = vocabulary()
    terms, rows, tf, lengths = postings(n, seed=7)
    batch = 20_000
    for start in range(0, n, batch):
        chunks = [
            Chunk(
                id=f"{i:020d}",
                article_id=f"a{i // 2}",
                text=f"passage {i}",
                start=0,
                end=10,
                title=f"Article {i // 2}",
                source=SOURCES[(i // 2) % len(SOURCES)],
                published=None,
            )
            for i in range(start, min(n, start + batch))
        ]
        records = [
            ArticleRecord(
                id=f"a{a}",
                content_hash=str(a),
                path=None,
                title=f"Article {a}",
                source=SOURCES[a % len(SOURCES)],
                published=None,
                chunk_ids=[f"{2 * a:020d}", f"{2 * a + 1:020d}"][: n - 2 * a],
            )
            for a in range(start // 2, (min(n, start + batch) + 1) // 2)
        ]
        store.add(records, chunks, vectors[start : start + batch], {})
    # keyword postings drawn directly (see the module docstring), in place of tokenizing
    pending = "_kw_pending" if hasattr(store, "_kw_pending") else None
    if pending:
        getattr(store, pending).clear()
    vocab = {w: t for t, w in enumerate(words)}
    store.keyword.segments = [Segment.from_triples(vocab, terms, rows, tf)]
    store.keyword.lengths = lengths
    store.commit()
    seconds = time.perf_counter() - started
    store.close()
    if settings.store == "milvus":  # let the query process open the milvus-lite file
        from rag.store.milvus_store import release_embedded

        release_embedded(settings)
    return {"build_s": round(seconds, 1), "disk_mb": round(_du(root) / 2**20, 1)}


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def query_phase(
    engine: str, root: Path, n: int, base_kind: str, data_dir: str | None, threads: int
) -> dict[str, Any]:
    """Run in a fresh process: open the store, time dense and hybrid searches."""
    import psutil

    from rag.models import SearchFilters, Weights
    from rag.retrieve.retriever import Retriever
    from rag.store import open_store
    from rag.store.base import Signals

    try:
        import faiss

        faiss.omp_set_num_threads(threads)
    except ImportError:
        pass
    proc = psutil.Process()
    rss_before = proc.memory_info().rss
    settings = settings_for(engine, root, n)
    store = open_store(settings)
    opened = proc.memory_info().rss
    vectors = make_vectors(
        base_vectors(base_kind, Path(data_dir) if data_dir else None), n, 3, 0.02
    )
    rng = np.random.default_rng(11)
    targets = rng.integers(0, n, QUERIES)
    queries = make_vectors(vectors[targets], QUERIES, 5, 0.03)
    exact = []
    for start in range(0, QUERIES, 50):
        scores = vectors @ queries[start : start + 50].T
        exact += [
            set(np.argpartition(-scores[:, j], 10)[:10].tolist()) for j in range(scores.shape[1])
        ]
    del vectors
    words = vocabulary()
    texts = [" ".join(words[w] for w in rng.integers(0, 2000, 6)) for _ in range(QUERIES)]

    def dense_engine(q: np.ndarray, k: int) -> list[int]:
        if engine.startswith("milvus"):
            from rag.store import milvus_store  # the consistency level the store reads with

            hits = store.client.search(store.c_chunks, data=[q.tolist()], anns_field="vector", limit=k,
                                       filter=f"gen <= {store.live}", output_fields=[],
                                       search_params={"metric_type": "IP", "params": {"ef": max(k, 128)}},
                                       **getattr(milvus_store, "READ", {}))[0]  # fmt: skip
            return [int(h["id"]) for h in hits]
        mask = store.rows.alive
        return [int(store.rows.ids[r]) for r in store._dense_top(q, k, mask, int(mask.sum()))]

    def timed(fn: Any, items: list[Any]) -> tuple[list[float], list[Any]]:
        times, results = [], []
        for item in items:
            started = time.perf_counter()
            results.append(fn(item))
            times.append((time.perf_counter() - started) * 1000)
        return times, results

    dense_ms, found10 = timed(lambda q: dense_engine(q, 10), list(queries))
    recall10 = np.mean([len(set(f) & e) / 10 for f, e in zip(found10, exact, strict=True)])
    pool = store.candidates(queries[0], texts[0], 300, None, Signals(keyword=False))  # warm
    used_ms, used = timed(
        lambda q: store.candidates(q, "", 300, None, Signals(keyword=False)).found, list(queries)
    )
    recall_used = np.mean(
        [
            len({int(f.ids[i]) for i in np.argsort(-f.dense)[:10]} & e) / 10
            for f, e in zip(used, exact, strict=True)
        ]
    )
    retriever = Retriever(store, None, Weights(0.75, 0.0, 0.25), 3, 300)  # type: ignore[arg-type]
    filters = SearchFilters(sources=SOURCES[:2])
    hybrid_ms, _ = timed(lambda j: retriever.search(texts[j], 5, vector=queries[j]), range(QUERIES))
    filtered_ms, _ = timed(
        lambda j: retriever.search(texts[j], 5, filters, vector=queries[j]), range(QUERIES)
    )
    del pool
    return {
        "threads": threads,
        "rss_open_mb": round((opened - rss_before) / 2**20, 1),
        "rss_peak_mb": round(proc.memory_info().rss / 2**20, 1),
        "rss_anon_mb": round(_anon(proc) / 2**20, 1),
        "dense_k10_ms": _lat(dense_ms),
        "recall_at_10_k10": round(float(recall10), 4),
        "dense_pool_ms": _lat(used_ms),
        "recall_at_10_as_used": round(float(recall_used), 4),
        "hybrid_ms": _lat(hybrid_ms),
        "hybrid_filtered_ms": _lat(filtered_ms),
    }


def _anon(proc: Any) -> int:
    try:
        return int(proc.memory_full_info().uss)
    except Exception:
        return 0


def _lat(values: list[float]) -> dict[str, float]:
    ordered = sorted(values[5:] or values)  # the first few warm caches
    return {
        "median": round(float(np.median(ordered)), 2),
        "p95": round(float(ordered[int(0.95 * (len(ordered) - 1))]), 2),
    }


def wait_for_server(uri: str, timeout_s: float = 120.0) -> None:
    """`start()` returns before the server accepts clients: poll until one connects."""
    from pymilvus import MilvusClient

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            MilvusClient(uri=uri, timeout=5).list_collections()
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--engines", nargs="+", default=["flat", "hnsw", "milvus", "milvus-hnsw"])
    parser.add_argument("--base", choices=["scifact", "clusters"], default="clusters")
    parser.add_argument("--base-data-dir", help="data_dir of the SciFact index (--base scifact)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-bench-scale"))
    parser.add_argument("--out", type=Path, default=REPO / "evals" / "reports" / "scale")
    parser.add_argument("--query-phase", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    global QUERIES
    QUERIES = args.queries
    if args.query_phase:
        engine, root, n, threads = args.query_phase
        print(
            json.dumps(
                query_phase(engine, Path(root), int(n), args.base, args.base_data_dir, int(threads))
            )
        )
        return
    args.out.mkdir(parents=True, exist_ok=True)
    results_path = args.out / "results.json"
    results: list[dict[str, Any]] = (
        json.loads(results_path.read_text()) if results_path.exists() else []
    )
    base = base_vectors(args.base, Path(args.base_data_dir) if args.base_data_dir else None)
    server = None
    if "milvus-server" in args.engines:
        from milvus import default_server as server

        server.set_base_dir(str(args.work / "milvus-server"))
        server.start()
        wait_for_server(SERVER_URI)
    for n in args.sizes:
        vectors = make_vectors(base, n, 3, 0.02)
        for engine in args.engines:
            root = args.work / f"{engine}-{n}"
            import shutil

            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            print(f"== {engine} {n}: building", flush=True)
            row: dict[str, Any] = {
                "engine": engine,
                "passages": n,
                "base": args.base,
                **build(engine, root, n, vectors),
            }
            for threads in args.threads:
                env = {
                    **os.environ,
                    "OPENBLAS_NUM_THREADS": str(threads),
                    "OMP_NUM_THREADS": str(threads),
                }
                command = [
                    sys.executable,
                    __file__,
                    "--base",
                    args.base,
                    "--query-phase",
                    engine,
                    str(root),
                    str(n),
                    str(threads),
                ]
                if args.base_data_dir:
                    command[3:3] = ["--base-data-dir", args.base_data_dir]
                out = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
                if out.returncode != 0:
                    print(out.stderr[-3000:], flush=True)
                    row[f"threads_{threads}"] = {"error": out.stderr[-500:]}
                    continue
                row[f"threads_{threads}"] = json.loads(out.stdout.strip().splitlines()[-1])
            print(json.dumps(row), flush=True)
            results = [r for r in results if (r["engine"], r["passages"]) != (engine, n)] + [row]
            results_path.write_text(json.dumps(results, indent=1))
            shutil.rmtree(root, ignore_errors=True)
        del vectors
    if server is not None:
        server.stop()
    print(render(results))
    (args.out / "table.md").write_text(render(results))
    chart(results, args.out / "chart.png")


def render(results: list[dict[str, Any]]) -> str:
    lines = [
        "| engine | passages | build s | disk MB | RSS MB (open+search) | dense k=10 ms 1 thr / 2 thr (median, p95) | recall@10 k=10 / as used | hybrid search() ms median / p95 (2 thr) | with outlet filter |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(results, key=lambda r: (r["passages"], r["engine"])):
        two = r.get("threads_2", {})
        one = r.get("threads_1") or two  # a run with --threads 2 only
        if "error" in one or "error" in two or not two:
            lines.append(
                f"| {r['engine']} | {r['passages']:,} | {r['build_s']} | {r['disk_mb']} | failed | | | | |"
            )
            continue
        lines.append(
            f"| {r['engine']} | {r['passages']:,} | {r['build_s']} | {r['disk_mb']} | "
            f"{two['rss_peak_mb']:.0f} | {one['dense_k10_ms']['median']} / {two['dense_k10_ms']['median']} "
            f"({one['dense_k10_ms']['p95']}, {two['dense_k10_ms']['p95']}) | "
            f"{two['recall_at_10_k10']:.3f} / {two['recall_at_10_as_used']:.3f} | "
            f"{two['hybrid_ms']['median']} / {two['hybrid_ms']['p95']} | "
            f"{two['hybrid_filtered_ms']['median']} / {two['hybrid_filtered_ms']['p95']} |"
        )
    return "\n".join(lines) + "\n"


def chart(results: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for engine in sorted({r["engine"] for r in results}):
        rows = sorted(
            (
                r
                for r in results
                if r["engine"] == engine and "rss_peak_mb" in r.get("threads_2", {})
            ),
            key=lambda r: r["passages"],
        )
        if not rows:
            continue
        sizes = [r["passages"] for r in rows]
        left.plot(
            sizes, [r["threads_2"]["hybrid_ms"]["median"] for r in rows], marker="o", label=engine
        )
        line = right.plot(
            sizes, [r["threads_2"]["rss_open_mb"] for r in rows], marker="o", label=f"{engine} open"
        )[0]
        right.plot(sizes, [r["threads_2"]["rss_peak_mb"] for r in rows], marker="x",
                   linestyle=":", color=line.get_color(), label=f"{engine} peak")  # fmt: skip
    for ax, title in (
        (left, "hybrid search() median, ms (2 threads)"),
        (right, "RSS: opening the index / peak after the searches, MB"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("passages (384 dims)")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    left.axhline(30, color="grey", linestyle="--", linewidth=0.8)
    right.axhline(2048, color="grey", linestyle="--", linewidth=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
