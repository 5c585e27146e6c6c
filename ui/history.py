"""Chat history per user in `<data_dir>/chat.db`, through Chainlit's SQLAlchemy data layer.

Logged-in users get their conversations back after a reload or a restart (the sidebar lists
them; a click resumes one). Anonymous sessions (open UI on loopback) are not stored: with
nobody to own them they could never be listed. Citation panels are stored as text in
`element_blobs` and served back only to their owner by `/rag/element/...`. Feedback goes to
the `feedbacks` table and, with the rated answer, to `feedback.jsonl`.
"""

from __future__ import annotations

import asyncio
import json
import os
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from chainlit.auth import get_current_user
from chainlit.context import ChainlitContextException, context
from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient
from chainlit.types import Feedback, ThreadDict
from chainlit.user import PersistedUser
from fastapi import Depends, HTTPException, Response
from fastapi.routing import APIRoute

from ui.chat_db import connect, create_schema
from ui.feedback import AnswerLog, FeedbackLog

ELEMENT_ROUTE = "/rag/element/"
THREADS_LISTED = 200  # Chainlit loads every listed thread with its steps: keep it bounded
CurrentUser = Annotated[Any, Depends(get_current_user)]


class BlobStorage(BaseStorageClient):
    """Element content (citation panels) as rows of `element_blobs` in the chat database."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _write(self, key: str, data: bytes, mime: str) -> None:
        with closing(connect(self.path)) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO element_blobs (object_key, mime, data) VALUES (?, ?, ?)",
                (key, mime, data),
            )

    def read(self, key: str) -> tuple[bytes, str] | None:
        with closing(connect(self.path)) as db:
            row = db.execute(
                "SELECT data, mime FROM element_blobs WHERE object_key = ?", (key,)
            ).fetchone()
        return (bytes(row["data"]), str(row["mime"])) if row else None

    def _delete(self, key: str) -> None:
        with closing(connect(self.path)) as db, db:
            db.execute("DELETE FROM element_blobs WHERE object_key = ?", (key,))

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        raw = data.encode() if isinstance(data, str) else data
        await asyncio.to_thread(self._write, object_key, raw, mime)
        return {"object_key": object_key, "url": None}

    async def delete_file(self, object_key: str) -> bool:
        await asyncio.to_thread(self._delete, object_key)
        return True

    async def get_read_url(self, object_key: str) -> str:
        root = os.environ.get("CHAINLIT_PARENT_ROOT_PATH", "") + os.environ.get(
            "CHAINLIT_ROOT_PATH", ""
        )
        return root + ELEMENT_ROUTE + quote(object_key)

    async def close(self) -> None:
        return None


def _anonymous_session() -> bool:
    """True inside a chat session without a logged-in user (its messages are not stored)."""
    try:
        return context.session.user is None
    except ChainlitContextException:
        return False  # an HTTP request of a logged-in user (rename, delete, feedback)


class ChatDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQLAlchemy data layer on SQLite, minus anonymous sessions, plus the JSONL
    feedback log."""

    def __init__(self, path: Path, feedback: FeedbackLog, answers: AnswerLog) -> None:
        create_schema(path)
        self.blobs = BlobStorage(path)
        super().__init__(
            f"sqlite+aiosqlite:///{path}",
            storage_provider=self.blobs,
            user_thread_limit=THREADS_LISTED,
        )
        self.feedback = feedback
        self.answers = answers

    async def update_thread(self, thread_id: str, *args: Any, **kwargs: Any) -> None:
        if not _anonymous_session():
            await super().update_thread(thread_id, *args, **kwargs)

    async def create_step(self, step_dict: Any) -> None:
        if not _anonymous_session():
            await super().create_step(step_dict)

    async def create_element(self, element: Any) -> None:
        # Only our citation panels: attachments are kept in the uploads folder already.
        if element.type == "text" and not _anonymous_session():
            await super().create_element(element)

    async def upsert_feedback(self, feedback: Feedback) -> str:
        feedback_id = await super().upsert_feedback(feedback)
        rated = self.answers.get(feedback.forId) or await self._stored_answer(feedback.forId)
        self.feedback.append(
            {
                "feedback_id": feedback_id,
                "message_id": feedback.forId,
                "thread_id": feedback.threadId,
                "value": "up" if feedback.value == 1 else "down",
                "comment": feedback.comment,
                **rated,
            }
        )
        return feedback_id

    async def _stored_answer(self, step_id: str) -> dict[str, Any]:
        """The rated answer as stored with the conversation (for answers before a restart)."""
        step = await self.get_step(step_id)
        if not step:
            return {}
        meta = step.get("metadata") or {}
        meta = json.loads(meta) if isinstance(meta, str) else meta
        return {
            "question": meta.get("question"),
            "answer": meta.get("answer", step.get("output")),
            "citations": meta.get("citations", []),
        }

    async def delete_feedback(self, feedback_id: str) -> bool:
        await super().delete_feedback(feedback_id)
        self.feedback.append({"feedback_id": feedback_id, "deleted": True})
        return True


def element_owner_ok(user: object, object_key: str) -> bool:
    """Whether `user` may read the element stored under `object_key` ('<user id>/...')."""
    return isinstance(user, PersistedUser) and object_key.startswith(f"{user.id}/")


def restored_turns(thread: ThreadDict) -> list[tuple[str, str]]:
    """(question, answer) pairs of a stored conversation, oldest first, for follow-ups."""
    turns: list[tuple[str, str]] = []
    question: str | None = None
    steps = sorted(thread.get("steps", []), key=lambda s: s.get("createdAt") or "")
    for step in steps:
        if step.get("type") == "user_message":
            question = step.get("output") or ""
        elif step.get("type") == "assistant_message" and question:
            meta = step.get("metadata") or {}
            meta = json.loads(meta) if isinstance(meta, str) else meta
            if "answer" in meta:
                turns.append((str(meta.get("question") or question), str(meta["answer"])))
                question = None
    return turns


def add_element_route(path: Path) -> None:
    """Serve stored citation panels at ELEMENT_ROUTE to the user who owns them (text only).

    Inserted ahead of Chainlit's catch-all route, which would otherwise answer every path
    with the page itself."""
    from chainlit.server import app

    blobs = BlobStorage(path)

    async def element_content(object_key: str, user: CurrentUser) -> Response:
        found = await asyncio.to_thread(blobs.read, object_key)
        if found is None or not element_owner_ok(user, object_key):
            raise HTTPException(status_code=404, detail="Not found")
        data, _mime = found
        headers = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
        return Response(data, media_type="text/plain; charset=utf-8", headers=headers)

    route = APIRoute(ELEMENT_ROUTE + "{object_key:path}", element_content, methods=["GET"])
    if not any(getattr(r, "path", None) == route.path for r in app.router.routes):
        app.router.routes.insert(0, route)
