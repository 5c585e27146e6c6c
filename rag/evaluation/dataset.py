"""The golden set: typed items loaded from JSONL, and a type-balanced subset for quick runs."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rag.errors import InputError

ItemType = Literal[
    "single-fact",
    "multi-fact",
    "why-how",
    "date-outlet",
    "chinese",
    "paraphrase",
    "unanswerable",
    "multi-turn",
]
DEFAULT_DATASET = Path("evals/datasets/golden.jsonl")


class GoldenItem(BaseModel):
    """One hand-written question with its gold articles, quotes and key facts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    question: str = Field(min_length=1)
    answerable: bool
    gold_article_ids: list[str] = Field(default_factory=list)
    gold_quotes: list[str] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    type: ItemType
    history: list[str] = Field(
        default_factory=list, description="Earlier user questions (multi-turn only), oldest first."
    )


def load_golden(path: Path) -> list[GoldenItem]:
    """Parse and validate a golden JSONL file; bad lines or duplicate ids raise InputError."""
    if not path.is_file():
        raise InputError(f"golden set {path} not found")
    items: list[GoldenItem] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = GoldenItem.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise InputError(f"{path}:{n}: invalid golden item ({first})") from exc
        if item.id in seen:
            raise InputError(f"{path}:{n}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items


def balanced_subset(items: list[GoldenItem], limit: int | None) -> list[GoldenItem]:
    """The first `limit` items taken round-robin over types (file order within a type)."""
    if limit is None or limit >= len(items):
        return list(items)
    by_type: dict[str, list[GoldenItem]] = defaultdict(list)
    for item in items:
        by_type[item.type].append(item)
    queues = list(by_type.values())
    chosen: list[GoldenItem] = []
    depth = 0
    while len(chosen) < limit:
        for queue in queues:
            if depth < len(queue) and len(chosen) < limit:
                chosen.append(queue[depth])
        depth += 1
    return chosen
