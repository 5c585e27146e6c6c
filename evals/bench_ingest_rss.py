"""Peak RSS of a streaming ingest (not a test): SciFact, and SciFact enlarged N times.

The corpus is written as one JSONL file per 1,000 articles (each copy of a document gets
its own id and a marker word, so nothing is a duplicate) and ingested by `rag.ingest` in a
fresh process. The embedder is a deterministic hash embedder standing in for MiniLM: the
model's own memory (~400 MB, constant) and its hours of CPU are not what this measures —
the pipeline's buffering is. Each run also reports the wall time without embedding.

  .venv/bin/python evals/bench_ingest_rss.py --data ../shared/datasets/scifact --times 1 10
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


class HashEmbedder:
    """384-dim unit vectors from a text's hash; words are split on spaces."""

    model_id = "hash-384"
    max_tokens = 256
    dimension = 384

    def tokenize(self, text: str) -> list[str]:
        return text.split()

    def embed_passages(self, texts, progress=None):  # type: ignore[no-untyped-def]
        out = np.empty((len(texts), 384), np.float32)
        for n, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
            v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
            out[n] = v / np.linalg.norm(v)
        return out

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        return self.embed_passages(texts)


def write_corpus(data: Path, target: Path, times: int) -> int:
    docs = [json.loads(x) for x in (data / "corpus.jsonl").open(encoding="utf-8") if x.strip()]
    target.mkdir(parents=True)
    count, part, out = 0, 0, None
    for copy in range(times):
        for doc in docs:
            if not doc.get("text", "").strip():
                continue
            if count % 1000 == 0:
                if out:
                    out.close()
                out = (target / f"part-{part:05d}.jsonl").open("w", encoding="utf-8")
                part += 1
            record = {"id": f"{doc['_id']}-{copy}", "title": doc.get("title") or doc["_id"],
                      "text": f"{doc['text']} copy{copy}", "source": "scifact"}  # fmt: skip
            out.write(json.dumps(record) + "\n")  # type: ignore[union-attr]
            count += 1
    if out:
        out.close()
    return count


def child(corpus: Path, data_dir: Path) -> None:
    from rag.config import Settings
    from rag.ingest import ingest

    settings = Settings(data_dir=data_dir, corpus_dir=corpus, embedding_model="hash-384")
    started = time.perf_counter()
    report = ingest(settings, HashEmbedder(), [corpus])
    print(json.dumps({
        "articles": report.articles, "chunks": report.chunks,
        "sentences": report.sentences_embedded, "wall_s": round(time.perf_counter() - started, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "datasets" / "scifact"
    )
    parser.add_argument("--times", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    for times in args.times:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            written = write_corpus(args.data, corpus, times)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(corpus), str(Path(tmp) / "data")],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            print(
                json.dumps(
                    {"times": times, "written": written, **json.loads(out.stdout.splitlines()[-1])}
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
