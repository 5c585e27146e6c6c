"""Thumbs up/down on answers, appended as JSON lines to `settings.feedback_path`.

The chat database (ui/history.py) stores feedback with its conversation; this log keeps the
question, the answer and its citations beside each vote, for people who read feedback
without the UI. Answers are remembered in memory by message id (bounded); an answer given
before a restart is taken from the stored conversation instead.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.models import Answer

MAX_REMEMBERED = 5000


def answer_record(answer: Answer, user: str | None = None) -> dict[str, Any]:
    """What a feedback line says about the answer it rates."""
    return {
        "user": user,
        "question": answer.question,
        "standalone_question": answer.standalone_question,
        "answer": answer.text,
        "refused": answer.refused,
        "backend": answer.backend,
        "citations": [
            {
                "n": c.n,
                "title": c.title,
                "source": c.source,
                "quote": c.quote,
                "article_id": c.article_id,
                "published": c.published.isoformat() if c.published else None,
            }
            for c in answer.citations
        ],
    }


class AnswerLog:
    """Recent answers by message id (thread-safe, oldest forgotten first)."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def remember(self, message_id: str, answer: Answer, user: str | None = None) -> None:
        record = answer_record(answer, user)
        with self._lock:
            self._items[message_id] = record
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def get(self, message_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._items.get(message_id, {}))


ANSWERS = AnswerLog()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class FeedbackLog:
    """Appends feedback events to a JSONL file (one writer per process)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"time": now(), **record}, ensure_ascii=False)
        with self._lock, self.path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")
