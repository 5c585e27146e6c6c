"""Does LLM query rewriting help short, vague questions? A measurement on BEIR SciFact.

SciFact's claims are full sentences, and the golden set has two articles (any question finds
them), so neither can show what rewriting does for terse queries. This script makes terse
queries from SciFact claims (each claim's N rarest words, in their order: "biomaterials
inductive 0-dimensional") and ranks documents for

  full       the original claim (the ceiling),
  short      the terse query alone,
  rewritten  the local LLM's one-question rewrite of the terse query,
  both       the terse query followed by its rewrite (query2doc-style: the user's words stay),

with the product's hybrid search over the index `rag eval beir` built. Qrels only score.

  .venv/bin/python evals/bench_rewrite.py --data ../shared/datasets/scifact --limit 100
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.evaluation import beir  # noqa: E402
from rag.llm.base import LLM, Message, complete  # noqa: E402
from rag.text.words import STOPWORDS  # noqa: E402

REWRITE_PROMPT = (
    "You turn a terse search query into one complete question that says what the searcher "
    "most likely wants to know. Keep every word of the query. Reply with the question only."
)
_WORD = re.compile(r"[A-Za-z0-9][\w\-]*")
VARIANTS = ("full", "short", "rewritten", "both")


def document_frequency(docs_jsonl: Path) -> Counter[str]:
    df: Counter[str] = Counter()
    for line in docs_jsonl.open(encoding="utf-8"):
        doc = json.loads(line)
        df.update({w.lower() for w in _WORD.findall(f"{doc['title']} {doc['text']}")})
    return df


def shorten(claim: str, df: Counter[str], words: int) -> str:
    """The claim's `words` rarest content words (corpus document frequency), in claim order."""
    seen: dict[str, str] = {}
    for w in _WORD.findall(claim):
        if w.lower() not in STOPWORDS and w.lower() not in seen:
            seen[w.lower()] = w
    rarest = sorted(seen, key=lambda w: df.get(w, 0))[:words]
    return " ".join(seen[w] for w in seen if w in rarest)


def rewrite(llm: LLM, query: str) -> str:
    messages: list[Message] = [
        {"role": "system", "content": REWRITE_PROMPT},
        {"role": "user", "content": query},
    ]
    lines = complete(llm, messages, max_tokens=48).strip().splitlines()
    return lines[0].strip().strip("\"“”'") if lines else query


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a BEIR folder (SciFact)")
    parser.add_argument("--split", default="test", choices=["test", "train"])
    parser.add_argument("--limit", type=int, default=100, help="queries, evenly spaced")
    parser.add_argument("--words", type=int, default=3, help="words kept in a terse query")
    parser.add_argument("--json", type=Path, help="also write per-query results here")
    args = parser.parse_args(argv)

    from rag.assistant import Assistant
    from rag.embed import settings_embedder
    from rag.llm import load_llm

    base = Settings()
    settings = beir.cache_settings(base, args.data, args.split, None)
    queries = beir.load_queries(args.data)
    qrels = beir.load_qrels(args.data, args.split, queries)
    chosen = list(qrels)[:: max(1, len(qrels) // args.limit)][: args.limit]
    df = document_frequency(settings.corpus_dir / "docs.jsonl")
    assistant = Assistant(settings, settings_embedder(settings), None).reload()
    retriever = assistant.retriever
    llm = load_llm(base.model_copy(update={"llm_backend": "llamacpp"}))
    assert llm is not None
    rows, llm_ms = [], []
    for n, qid in enumerate(chosen, 1):
        claim = queries[qid]["text"]
        short = shorten(claim, df, args.words)
        started = time.perf_counter()
        rewritten = rewrite(llm, short)
        llm_ms.append((time.perf_counter() - started) * 1000)
        texts = {
            "full": claim,
            "short": short,
            "rewritten": rewritten,
            "both": f"{short} {rewritten}",
        }
        row = {"query": qid, **texts}
        for variant, text in texts.items():
            ranking = beir.rank_documents(retriever, text)
            scores = beir.score_query(ranking, qrels[qid])
            row[variant + "_ndcg"] = scores["ndcg@10"]
            row[variant + "_recall"] = scores["recall@100"]
        rows.append(row)
        print(f"{n}/{len(chosen)} {short!r} -> {rewritten!r}", file=sys.stderr, flush=True)

    print(f"SciFact {args.split}, {len(rows)} queries, terse = {args.words} rarest words")
    print("| query | nDCG@10 | Recall@100 |\n|---|---|---|")
    for variant in VARIANTS:
        ndcg = statistics.mean(r[variant + "_ndcg"] or 0.0 for r in rows)
        recall = statistics.mean(r[variant + "_recall"] or 0.0 for r in rows)
        print(f"| {variant} | {ndcg:.3f} | {recall:.3f} |")
    print(f"rewrite time per query: median {statistics.median(llm_ms):.0f} ms")
    if args.json:
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
