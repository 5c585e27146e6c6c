"""RGB's files (Chen et al., AAAI 2024): questions with their passages, the paper's answer
rule, and the pooled corpus a run indexes (with a share of the answers withheld)."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from rag.errors import InputError

Gold = list[str | list[str]]
WITHHELD_SHARE = 0.25


class RgbItem(BaseModel):
    """One RGB question with its passages (positives flattened: zh_int groups them)."""

    id: int
    query: str
    answer: Gold
    positive: list[str]
    negative: list[str] = Field(default_factory=list)
    positive_wrong: list[str] = Field(default_factory=list)
    fakeanswer: Gold = Field(default_factory=list)


def _gold(value: Any) -> Gold:
    """The paper's answer shape: a list whose elements are strings or lists of alternatives."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    return [[str(a) for a in x] if isinstance(x, list) else str(x) for x in items]


def _flat(passages: Any) -> list[str]:
    out: list[str] = []
    for p in passages or []:
        out.extend(_flat(p) if isinstance(p, list) else [str(p)])
    return [p for p in out if p.strip()]


def load_rgb(path: Path) -> list[RgbItem]:
    """The questions of an RGB file (one JSON object per line)."""
    items = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the RGB file {path}: {exc.strerror}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items.append(
                RgbItem(
                    id=int(row["id"]),
                    query=str(row["query"]),
                    answer=_gold(row["answer"]),
                    positive=_flat(row.get("positive")),
                    negative=_flat(row.get("negative")),
                    positive_wrong=_flat(row.get("positive_wrong")),
                    fakeanswer=_gold(row.get("fakeanswer")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: line {n} is not an RGB record ({exc})") from exc
    if not items:
        raise InputError(f"{path} holds no RGB questions")
    return items


def answer_matches(text: str, gold: Gold) -> bool:
    """Every gold element occurs in `text` (case-insensitive; a list: any alternative)."""
    if not gold:
        return False
    lowered = text.lower()
    return all(
        any(alt.lower() in lowered for alt in element)
        if isinstance(element, list)
        else element.lower() in lowered
        for element in gold
    )


def sample(items: Sequence[RgbItem], n: int | None, seed: int) -> list[RgbItem]:
    """`n` questions drawn with `seed` (all of them when n is None), in file order."""
    if n is None or n >= len(items):
        return list(items)
    chosen = set(random.Random(seed).sample(range(len(items)), n))
    return [item for i, item in enumerate(items) if i in chosen]


def choose_withheld(items: Sequence[RgbItem], seed: int, share: float = WITHHELD_SHARE) -> set[int]:
    """Ids of the questions whose positives are left out of the pool (a fixed share)."""
    count = round(len(items) * share)
    return {item.id for item in random.Random(seed + 1).sample(list(items), count)}


def passage_id(text: str) -> str:
    return "rgb-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def pool(
    items: Iterable[RgbItem], withheld: set[int], counterfactual: bool = False
) -> dict[str, str]:
    """Passage id → text of the pooled corpus: every question's negatives, the positives of
    the questions not withheld and, with `counterfactual`, their `positive_wrong` passages.
    A passage shared by several questions is indexed once."""
    passages: dict[str, str] = {}
    for item in items:
        kept = [] if item.id in withheld else item.positive
        wrong = item.positive_wrong if counterfactual and item.id not in withheld else []
        for text in [*kept, *item.negative, *wrong]:
            passages.setdefault(passage_id(text), text)
    return passages


def write_pool(passages: dict[str, str], target: Path) -> None:
    """The pooled passages as one JSONL file of articles (no title, outlet or date: ingest
    finds the date in the snippet's own header, as it would for a user's file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for pid, text in passages.items():
            out.write(json.dumps({"id": pid, "text": text}, ensure_ascii=False) + "\n")
    tmp.replace(target)


class RgbItemResult(BaseModel):
    """What happened to one question."""

    id: int
    query: str
    gold: Gold
    withheld: bool
    answer: str = ""
    refused: bool = False
    correct: bool = False
    repeats_fake: bool | None = None
    first_citation_positive: bool | None = None
    retrieved_positive: bool | None = Field(
        None, description="An answering passage among the retrieved hits (None: withheld)."
    )
    context_positive: bool | None = Field(
        None, description="An answering passage among those the answer was written from."
    )
    cited_positive: bool | None = Field(None, description="An answering passage cited.")
    wrong_period: bool | None = Field(
        None,
        description="Answered wrongly, the first citation's sentence naming none of the "
        "question's years and its article published in another year (None: no year asked).",
    )
    cited: list[str] = Field(default_factory=list)
    gate_probability: float | None = Field(
        None, description="The answerability gate's P(right) of the candidate answer."
    )
    gate_refused: bool = Field(False, description="The gate turned the candidate into a refusal.")
    candidate_correct: bool | None = Field(
        None, description="The candidate the gate read matches the gold answer."
    )
    disputed: bool = Field(False, description="The answer said the sources disagree.")
    both_retrieved: bool | None = Field(
        None, description="A true and a counterfactual passage among the hits (None: no fakes)."
    )
    notice: str | None = None
    streamed: str | None = Field(
        None, description="What was streamed, when the final answer differs."
    )
    error: str | None = None
    total_ms: float | None = None
    first_token_ms: float | None = None
