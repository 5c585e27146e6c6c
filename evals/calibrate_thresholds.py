"""Transfer a reference model's refusal and evidence thresholds to another embedding model.

Cosine scales differ between models (bge-small scores unrelated text ~0.58, MiniLM ~0.1), so
a threshold means something only as a share of questions it lets through. On the SciFact
index `rag eval beir` built for each model, this asks two kinds of real questions: SciFact's
test claims (the corpus answers them) and RGB's English news questions (it does not: science
abstracts hold no Super Bowl). For each it takes what the product compares with its
thresholds: the best retrieved passage cosine (`refusal_threshold`) and the best sentence
score of the extractive answerer (`evidence_threshold`). The new model's threshold is the
value that passes the same shares of both kinds as the reference threshold does.

  .venv/bin/python evals/calibrate_thresholds.py --data ../shared/datasets/scifact \
      --off-topic ../shared/datasets/rgb/en_fact_dev.json \
      --reference all-MiniLM-L6-v2 --model bge-small-en-v1.5
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import MODEL_THRESHOLDS, Settings  # noqa: E402
from rag.evaluation import beir  # noqa: E402

KNOBS = ("refusal_threshold", "evidence_threshold")


def statistics(model: str, data_dir: Path, data: Path, questions: list[str]) -> np.ndarray:
    """Per question: best passage cosine and best sentence score (rows: questions)."""
    from rag.answer.answerability import asked_for
    from rag.answer.extract import select_sentences
    from rag.assistant import Assistant
    from rag.embed import settings_embedder

    base = Settings(data_dir=data_dir, embedding_model=model, llm_backend="extractive")
    settings = beir.cache_settings(base, data, "test", None)
    if not settings.index_dir.exists():
        sys.exit(f"no {model} index at {settings.index_dir}: run `rag eval beir` with it first")
    assistant = Assistant(settings, settings_embedder(settings), None).reload()
    rows = []
    for question in questions:
        hits = assistant.search(question)
        evidence = assistant.engines().evidence(hits)
        chosen = select_sentences(
            question, evidence, settings.extractive_sentences, asked_for(question),
            settings.margin_scale,
        )  # fmt: skip
        rows.append((max(h.score for h in hits), chosen[0][1] if chosen else 0.0))
    assistant.close()
    return np.array(rows)


def transfer(reference: float, ref_on: np.ndarray, ref_off: np.ndarray, on: np.ndarray,
             off: np.ndarray) -> float:  # fmt: skip
    """The value passing the same shares of answerable and off-topic questions."""
    share_on, share_off = np.mean(ref_on >= reference), np.mean(ref_off >= reference)
    grid = np.unique(np.concatenate([on, off]))
    cost = [abs(np.mean(on >= t) - share_on) + abs(np.mean(off >= t) - share_off) for t in grid]
    return float(grid[int(np.argmin(cost))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="BEIR SciFact folder")
    parser.add_argument("--off-topic", type=Path, required=True, help="RGB en_fact_dev.json")
    parser.add_argument("--reference", default="all-MiniLM-L6-v2")
    parser.add_argument("--reference-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--model", default="bge-small-en-v1.5")
    parser.add_argument("--model-dir", type=Path, default=Path(".rag"))
    parser.add_argument("--limit", type=int, default=300)
    args = parser.parse_args()
    from rag.evaluation.rgb_data import load_rgb

    queries = beir.load_queries(args.data)
    qrels = beir.load_qrels(args.data, "test", queries)
    on_topic = [queries[q]["text"] for q in list(qrels)[: args.limit]]
    off_topic = [item.query for item in load_rgb(args.off_topic)][: args.limit]
    ref = statistics(args.reference, args.reference_dir, args.data, on_topic + off_topic)
    new = statistics(args.model, args.model_dir, args.data, on_topic + off_topic)
    n = len(on_topic)
    out = {}
    for column, knob in enumerate(KNOBS):
        value = MODEL_THRESHOLDS[args.reference][knob]
        ref_on, ref_off = ref[:n, column], ref[n:, column]
        on, off = new[:n, column], new[n:, column]
        moved = transfer(value, ref_on, ref_off, on, off)
        out[knob] = {
            args.reference: value,
            args.model: round(moved, 3),
            "answerable passing": [round(float(np.mean(ref_on >= value)), 3),
                                   round(float(np.mean(on >= moved)), 3)],
            "off-topic passing": [round(float(np.mean(ref_off >= value)), 3),
                                  round(float(np.mean(off >= moved)), 3)],
        }  # fmt: skip
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
