"""Thumbs up/down on answers, appended as JSON lines to `settings.feedback_path`.

Chainlit shows its feedback buttons only when a data layer is configured. This minimal data
layer persists nothing but feedback: every other hook is a no-op. Answers are remembered
in memory by message id (bounded), so a feedback line carries the question, the answer
and its citations.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chainlit.data.base import BaseDataLayer
from chainlit.types import (
    Feedback,
    PageInfo,
    PaginatedResponse,
    Pagination,
    ThreadDict,
    ThreadFilter,
)

from rag.models import Answer

MAX_REMEMBERED = 5000


class AnswerLog:
    """Recent answers by message id (thread-safe, oldest forgotten first)."""

    def __init__(self, limit: int = MAX_REMEMBERED) -> None:
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def remember(self, message_id: str, answer: Answer) -> None:
        record = {
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
        with self._lock:
            self._items[message_id] = record
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def get(self, message_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._items.get(message_id, {}))


ANSWERS = AnswerLog()


class FeedbackDataLayer(BaseDataLayer):
    """Stores feedback in a JSONL file; persists no threads, steps or elements."""

    def __init__(self, path: Path, answers: AnswerLog = ANSWERS) -> None:
        self._path = path
        self._answers = answers
        self._lock = threading.Lock()

    def _append(self, record: dict[str, Any]) -> None:
        path = self._path
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False)
        with self._lock, path.open("a", encoding="utf-8") as f:
            f.write(line + "\n")

    async def upsert_feedback(self, feedback: Feedback) -> str:
        feedback_id = feedback.id or str(uuid.uuid4())
        self._append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "feedback_id": feedback_id,
                "message_id": feedback.forId,
                "thread_id": feedback.threadId,
                "value": "up" if feedback.value == 1 else "down",
                "comment": feedback.comment,
                **self._answers.get(feedback.forId),
            }
        )
        return feedback_id

    async def delete_feedback(self, feedback_id: str) -> bool:
        self._append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                "feedback_id": feedback_id,
                "deleted": True,
            }
        )
        return True

    # Everything below: nothing is persisted.
    async def get_user(self, identifier: str) -> None:
        return None

    async def create_user(self, user: Any) -> None:
        return None

    async def create_element(self, element: Any) -> None:
        return None

    async def get_element(self, thread_id: str, element_id: str) -> None:
        return None

    async def delete_element(self, element_id: str, thread_id: str | None = None) -> None:
        return None

    async def create_step(self, step_dict: Any) -> None:
        return None

    async def update_step(self, step_dict: Any) -> None:
        return None

    async def delete_step(self, step_id: str) -> None:
        return None

    async def get_thread_author(self, thread_id: str) -> str:
        return ""

    async def delete_thread(self, thread_id: str) -> None:
        return None

    async def list_threads(
        self, pagination: Pagination, filters: ThreadFilter
    ) -> PaginatedResponse[ThreadDict]:
        page = PageInfo(hasNextPage=False, startCursor=None, endCursor=None)
        return PaginatedResponse(data=[], pageInfo=page)

    async def get_thread(self, thread_id: str) -> ThreadDict | None:
        return None

    async def update_thread(
        self,
        thread_id: str,
        name: str | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
    ) -> None:
        return None

    async def build_debug_url(self) -> str:
        return ""

    async def close(self) -> None:
        return None

    async def get_favorite_steps(self, user_id: str) -> list[Any]:
        return []
