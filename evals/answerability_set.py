"""The labelled answerability set the gate learns from (evals/train_gate.py).

Every question of each RGB file is asked twice through the product, gate measuring but not
refusing (`answer_gate="measure"`): once with its answering passages indexed, once with them
withheld. Two pools do it: run 1 withholds the seed's 25% (the `rag eval rgb` pool, so its
index is cached), run 2 withholds the other 75%. With `--counterfactual`, a third pool indexes
the `_fact` files' counterfactual passages beside the true ones. Each answered question
becomes a row: its signals (Answer.check), the answer, and the label "right by RGB's answer
rule" (for a withheld question: right only by chance). Golden-set questions (our corpus)
join with `--golden`: answerable ones are right when half their key facts are in the
answer, unanswerable ones are never right.

  .venv/bin/python evals/answerability_set.py \
      --data ../shared/datasets/rgb/en_fact_dev.json --data ../shared/datasets/rgb/zh_fact.json \
      --golden evals/datasets/golden.jsonl --backend llamacpp --backend extractive \
      --out evals/results/answerability/rows.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.config import Settings  # noqa: E402
from rag.evaluation.rgb import _indexed_assistant, score  # noqa: E402
from rag.evaluation.rgb_data import (  # noqa: E402
    answer_matches,
    choose_withheld,
    load_rgb,
    pool,
)

SEED = 0


def row(
    run: str, source: str, qid: str, question: str, condition: str, answer: Any, right: bool
) -> dict:
    check = answer.check
    return {
        "run": run,  # the configured backend (an LLM run's fallback answers are extractive)
        "source": source,
        "id": qid,
        "question": question,
        "condition": condition,
        "backend": answer.backend,
        "answer": answer.text,
        "refused": answer.refused,
        "right": right,
        "cited": [c.quote for c in answer.citations],  # (for signals tried later)
        "candidate": check.candidate if check else None,
        "signals": check.signals if check else None,
        "probability": check.probability if check else None,
        "total_ms": answer.timings_ms.total,
    }


def rgb_rows(base: Settings, data: Path, counterfactual: bool, out: Any) -> None:
    items = load_rgb(data)
    first = choose_withheld(items, SEED)
    rest = {i.id for i in items} - first
    runs = [("pool", first, False), ("complement", rest, False)]
    if counterfactual and any(i.positive_wrong for i in items):
        runs.append(("counterfactual", first, True))
    for tag, withheld, fakes in runs:
        passages = pool(items, withheld, counterfactual=fakes)
        assistant, _ = _indexed_assistant(base, data, passages, (None, SEED, tag), None)
        asked = [i for i in items if not (fakes and i.id in withheld)]
        started = time.perf_counter()
        for n, item in enumerate(asked, 1):
            answer = assistant.ask(item.query)
            condition = (
                "counterfactual" if fakes else "withheld" if item.id in withheld else "indexed"
            )
            right = not answer.refused and answer_matches(answer.text, item.answer)
            scored = score(item, answer, item.id in withheld, 0.0)
            extra = {
                "disputed": scored.disputed,
                "both_retrieved": scored.both_retrieved,
                "repeats_fake": scored.repeats_fake,
            }
            out.write(
                json.dumps(
                    {
                        **row(
                            base.llm_backend,
                            data.stem,
                            str(item.id),
                            item.query,
                            condition,
                            answer,
                            right,
                        ),
                        **extra,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            out.flush()
            if n % 10 == 0:
                print(
                    f"  {data.stem} {tag} {base.llm_backend}: {n}/{len(asked)} "
                    f"({time.perf_counter() - started:.0f} s)",
                    flush=True,
                )
        assistant.close()


def golden_rows(base: Settings, golden: Path, out: Any) -> None:
    from rag.assistant import Assistant
    from rag.evaluation.dataset import load_golden
    from rag.evaluation.metrics import key_fact_recall
    from rag.evaluation.runner import fact_haystack

    assistant = Assistant.open(base.model_copy(update={"corpus_dir": REPO / "corpus"}))
    assistant.ingest()
    assistant.warm_up()
    for item in load_golden(golden):
        if item.history:
            continue  # a follow-up needs its chat
        answer = assistant.ask(item.question)
        recall = key_fact_recall(item.key_facts, fact_haystack(item, answer))
        right = item.answerable and not answer.refused and (recall or 0.0) >= 0.5
        condition = "indexed" if item.answerable else "withheld"
        out.write(
            json.dumps(
                row(base.llm_backend, "golden", item.id, item.question, condition, answer, right),
                ensure_ascii=False,
            )
            + "\n"
        )
        out.flush()
    assistant.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, action="append", default=[], help="an RGB file")
    parser.add_argument("--golden", type=Path, help="the golden set (asked of corpus/)")
    parser.add_argument("--backend", action="append", default=[], help="llamacpp, extractive, ...")
    parser.add_argument("--counterfactual", action="store_true", help="add the third pool")
    parser.add_argument("--out", type=Path, required=True, help="rows are appended (JSONL)")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a", encoding="utf-8") as out:
        for backend in args.backend or ["llamacpp"]:
            base = Settings(llm_backend=backend, answer_gate="measure")
            for data in args.data:
                rgb_rows(base, data, args.counterfactual, out)
            if args.golden:
                golden_rows(base, args.golden, out)
    print(f"rows appended to {args.out}")


if __name__ == "__main__":
    main()
