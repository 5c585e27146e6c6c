"""BEIR protocol on a BEIR-format dataset (corpus.jsonl, queries.jsonl, qrels/*.tsv).

The corpus is written as one JSONL file of articles and indexed with our own ingest
(chunking + embedding) into a cache folder keyed by the corpus hash and the index settings,
so a second run reuses it. Each query gets the product's hybrid candidates from the
configured store (passage cosine, best-sentence cosine, BM25: each signal's top chunks and
the reference sample, rag/store/base.py); each signal is reduced to a document score by its
best chunk, then z-score fused with the configured weights (`RAG_WEIGHT_*`), each signal's
spread taken from the sample's documents. Scores:
nDCG@10 (graded qrels, log2 discount), Recall@100 and MRR@10, plus per-query latency.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, Field

from rag.config import Settings
from rag.errors import InputError
from rag.evaluation import metrics as m

if TYPE_CHECKING:
    import numpy as np

    from rag.assistant import Assistant
    from rag.retrieve.fusion import Signals
    from rag.retrieve.retriever import Retriever

Qrels = dict[str, dict[str, int]]


class DocSignals(NamedTuple):
    """Per-document signals of one query: the candidate documents, and the sample's."""

    ids: list[str]
    signals: Signals
    population: Signals | None


PUBLISHED_NDCG10 = {  # SciFact test split, nDCG@10
    "scifact": {
        "all-MiniLM-L6-v2 (MTEB)": 0.645,
        "bge-small-en-v1.5 (MTEB)": 0.713,
        "BM25 (BEIR paper)": 0.665,
    },
}
DOCS_RANKED = 100
# Chunks each signal returns here: ranking 100 documents needs more than the product's top
# 300 (SciFact test Recall@100 0.959 with 300, 0.973 with 1,000; nDCG@10 0.7335 with both)
CANDIDATES = 1000


class BeirResult(BaseModel):
    """Scores of one BEIR run and how it was made."""

    dataset: str
    split: str
    queries: int
    documents: int
    chunks: int
    weights: dict[str, float] = Field(default_factory=dict, description="Fusion weights used.")
    limited: bool = Field(False, description="Documents or queries were limited: not comparable.")
    index_seconds: float
    metrics: dict[str, float | None]
    ndcg10_interval: tuple[float, float] | None = Field(
        None, description="95% bootstrap interval of nDCG@10 over the queries."
    )
    latency_ms: dict[str, float | None]
    published_ndcg10: dict[str, float] = Field(default_factory=dict)
    per_query: list[dict[str, Any]] = Field(default_factory=list)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a JSONL file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_queries(data: Path) -> dict[str, dict[str, Any]]:
    """Query id → record (`text`, `metadata`)."""
    return {str(q["_id"]): q for q in read_jsonl(data / "queries.jsonl")}


def read_qrels_tsv(path: Path) -> Qrels:
    """query-id → {corpus-id: score} from a BEIR qrels TSV (header line skipped)."""
    qrels: Qrels = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        parts = line.split("\t")
        if n == 0 or len(parts) < 3:
            continue
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def derive_train_qrels(queries: dict[str, dict[str, Any]], test: Qrels) -> Qrels:
    """SciFact train judgements: each non-test query's metadata maps doc ids to evidence."""
    return {
        qid: {doc: 1 for doc in q["metadata"]}
        for qid, q in queries.items()
        if qid not in test and q.get("metadata")
    }


def load_qrels(data: Path, split: str, queries: dict[str, dict[str, Any]]) -> Qrels:
    """Judgements of a split: qrels/<split>.tsv, else (train) derived from query metadata."""
    path = data / "qrels" / f"{split}.tsv"
    if path.is_file():
        return read_qrels_tsv(path)
    if split == "train":
        test = data / "qrels" / "test.tsv"
        return derive_train_qrels(queries, read_qrels_tsv(test) if test.is_file() else {})
    raise InputError(f"no judgements for split {split!r} in {data / 'qrels'}")


def file_hash(path: Path) -> str:
    """sha256 of a file's bytes, hex."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def cache_settings(base: Settings, data: Path, split: str, limit_docs: int | None) -> Settings:
    """Settings whose data_dir is the cache for this corpus + index settings (+ doc limit)."""
    limit = "all" if limit_docs is None else f"{limit_docs}-{split}"
    knobs = f"{base.embedding_model}|{base.chunk_size}|{base.chunk_overlap}|{limit}"
    key = (
        file_hash(data / "corpus.jsonl")[:12] + "-" + hashlib.sha256(knobs.encode()).hexdigest()[:8]
    )
    root = base.data_dir / "beir" / f"{data.name}-{key}"
    return base.model_copy(update={"data_dir": root, "corpus_dir": root / "corpus"})


def write_articles(data: Path, target: Path, keep: Callable[[int, str], bool]) -> int:
    """Write the kept corpus documents as our JSONL articles (skipped when already there)."""
    if target.is_file():
        return sum(1 for _ in target.open(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as out:
        for n, doc in enumerate(read_jsonl(data / "corpus.jsonl")):
            if keep(n, str(doc["_id"])) and doc.get("text", "").strip():
                record = {
                    "id": str(doc["_id"]),
                    "title": doc.get("title") or str(doc["_id"]),
                    "text": doc["text"],
                    "source": data.name,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    tmp.replace(target)
    return count


def doc_keeper(qrels: Qrels, limit_docs: int | None) -> Callable[[int, str], bool]:
    """All documents, or the first `limit_docs` plus every judged-relevant one."""
    relevant = {doc for judged in qrels.values() for doc in judged}
    if limit_docs is None:
        return lambda n, doc: True
    return lambda n, doc: n < limit_docs or doc in relevant


def top_ids(scores: np.ndarray, ids: list[str], limit: int = DOCS_RANKED) -> list[str]:
    """The ids of the `limit` highest scores, best first."""
    import numpy as np

    limit = min(limit, len(ids))
    if limit == 0:
        return []
    top = np.argpartition(-scores, limit - 1)[:limit]
    return [ids[i] for i in top[np.argsort(-scores[top], kind="stable")]]


def document_signals(retriever: Retriever, query: str) -> DocSignals:
    """The store's candidates for `query`, each signal reduced to a document's best chunk,
    with the reference sample reduced the same way (it gives each signal's spread)."""
    from rag.retrieve.fusion import per_article

    candidates = retriever.candidates(query, k=CANDIDATES)
    ids, found = per_article(candidates.found)
    sample = candidates.sample
    population = per_article(sample)[1] if sample is not None and len(sample) else None
    return DocSignals(ids, found, population)


def rank_documents(retriever: Retriever, query: str, limit: int = DOCS_RANKED) -> list[str]:
    """Documents by fused score of their per-document signals."""
    from rag.retrieve.fusion import fuse

    docs = document_signals(retriever, query)
    scores = fuse(docs.signals, retriever.weights, docs.population)
    return top_ids(scores, docs.ids, limit)


def score_query(ranking: list[str], judged: dict[str, int]) -> dict[str, float | None]:
    """nDCG@10, Recall@100 and MRR@10 of one query's document ranking."""
    relevant = [d for d, g in judged.items() if g > 0]
    return {
        "ndcg@10": m.ndcg_at_k(ranking, {d: float(g) for d, g in judged.items()}, 10),
        "recall@100": m.recall_at_k(ranking, relevant, 100),
        "mrr@10": m.reciprocal_rank(ranking, relevant, 10),
    }


def evaluate(
    assistant: Assistant,
    queries: dict[str, dict[str, Any]],
    qrels: Qrels,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], list[float]]:
    """Per-query scores (and distinct docs retrieved) and search latencies in ms."""
    rows, latencies = [], []
    retriever = assistant.retriever
    for qid, judged in qrels.items():
        started = time.perf_counter()
        ranking = rank_documents(retriever, queries[qid]["text"])
        latencies.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "query": qid,
                **score_query(ranking, judged),
                "docs": len(ranking),
                "ms": round(latencies[-1], 2),
            }
        )
        if tick:
            tick(1)
    return rows, latencies


def summarise(
    rows: list[dict[str, Any]], latencies: list[float]
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Mean scores (plus mean distinct documents ranked) and latency median/p95."""
    keys = ["ndcg@10", "recall@100", "mrr@10", "docs"]
    return {k: m.mean(r[k] for r in rows) for k in keys}, m.latency_summary(latencies)


def run_beir(
    base: Settings,
    data: Path,
    split: str,
    *,
    limit_docs: int | None = None,
    limit_queries: int | None = None,
    progress: Callable[[int, str], Callable[[int], None]] | None = None,
) -> BeirResult:
    """Index the corpus (cached), run every judged query of the split, and score it."""
    from rag.assistant import Assistant
    from rag.embed import settings_embedder
    from rag.ingest import ingest

    queries = load_queries(data)
    all_qrels = {q: j for q, j in load_qrels(data, split, queries).items() if q in queries}
    qrels = dict(list(all_qrels.items())[:limit_queries]) if limit_queries else all_qrels
    settings = cache_settings(base, data, split, limit_docs)
    articles = settings.corpus_dir / "docs.jsonl"
    documents = write_articles(data, articles, doc_keeper(all_qrels, limit_docs))
    embedder = settings_embedder(settings)
    report = ingest(settings, embedder, [articles], progress=progress or _no_progress)
    assistant = Assistant(settings, embedder, None).reload()
    tick = progress(len(qrels), "queries") if progress else None
    rows, latencies = evaluate(assistant, queries, qrels, tick)
    scores, latency = summarise(rows, latencies)
    return BeirResult(
        dataset=data.name,
        split=split,
        queries=len(rows),
        documents=documents,
        chunks=report.chunks,
        weights=settings.weights._asdict(),
        limited=bool(limit_docs or limit_queries),
        index_seconds=report.seconds,
        metrics=scores,
        ndcg10_interval=m.bootstrap_interval(r["ndcg@10"] for r in rows),
        latency_ms=latency,
        published_ndcg10=PUBLISHED_NDCG10.get(data.name, {}) if split == "test" else {},
        per_query=rows,
    )


def _no_progress(total: int, label: str) -> Callable[[int], None]:
    return lambda n: None
