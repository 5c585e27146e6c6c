"""Stored conversations: Chainlit's SQLAlchemy data layer on a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from pathlib import Path

import chainlit as cl
from chainlit.context import init_http_context
from chainlit.types import Feedback, Pagination, ThreadFilter
from chainlit.user import PersistedUser

from ui.feedback import AnswerLog, FeedbackLog
from ui.history import ELEMENT_ROUTE, ChatDataLayer, element_owner_ok, restored_turns

QUESTION, ANSWER = "What is Xiaomi's Africa strategy?", "Xiaomi opened a store in Morocco [1]."


def steps(thread_id: str) -> tuple[dict[str, object], dict[str, object]]:
    question = {
        "id": str(uuid.uuid4()), "threadId": thread_id, "name": "alice", "type": "user_message",
        "output": QUESTION, "createdAt": "2026-01-01T10:00:00Z", "metadata": {},
    }  # fmt: skip
    answer = {
        "id": str(uuid.uuid4()), "threadId": thread_id, "name": "News Assistant",
        "type": "assistant_message", "output": ANSWER + "\n\n**Sources**",
        "createdAt": "2026-01-01T10:00:01Z",
        "metadata": {"question": QUESTION, "answer": ANSWER, "citations": [{"n": 1}]},
    }  # fmt: skip
    return question, answer


async def conversation(db: Path, jsonl: Path) -> tuple[str, str, str]:
    layer = ChatDataLayer(db, FeedbackLog(jsonl), AnswerLog())
    user = await layer.create_user(cl.User(identifier="alice"))
    assert isinstance(user, PersistedUser)
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id, user=user)
    await layer.update_thread(thread_id, name=QUESTION, user_id=user.id)
    question, answer = steps(thread_id)
    await layer.create_step(question)
    await layer.create_step(answer)
    panel = cl.Text(name="[1]", content="### Title\n\nThe passage.", display="side")
    panel.for_id, panel.thread_id = str(answer["id"]), thread_id
    await layer.create_element(panel)
    await layer.upsert_feedback(Feedback(forId=str(answer["id"]), value=1, threadId=thread_id))
    await layer.close()
    return user.id, thread_id, str(answer["id"])


async def reopen(db: Path, jsonl: Path, user_id: str, thread_id: str) -> tuple[object, object]:
    layer = ChatDataLayer(db, FeedbackLog(jsonl), AnswerLog())  # as after a restart
    listed = await layer.list_threads(Pagination(first=10), ThreadFilter(userId=user_id))
    thread = await layer.get_thread(thread_id)
    await layer.close()
    return listed, thread


def test_a_conversation_survives_a_new_data_layer(tmp_path: Path) -> None:
    db, jsonl = tmp_path / "chat.db", tmp_path / "feedback.jsonl"
    user_id, thread_id, answer_id = asyncio.run(conversation(db, jsonl))
    listed, thread = asyncio.run(reopen(db, jsonl, user_id, thread_id))

    assert [t["name"] for t in listed.data] == [QUESTION]  # type: ignore[attr-defined]
    assert thread is not None
    assert [s["type"] for s in thread["steps"]] == ["user_message", "assistant_message"]  # type: ignore[index]
    assert thread["steps"][1]["feedback"]["value"] == 1  # type: ignore[index]
    assert restored_turns(thread) == [(QUESTION, ANSWER)]  # type: ignore[arg-type]
    element = thread["elements"][0]  # type: ignore[index]
    assert element["url"].startswith(ELEMENT_ROUTE + user_id + "/")
    with sqlite3.connect(db) as raw:
        (blob,) = raw.execute("SELECT data FROM element_blobs").fetchone()
    assert blob == b"### Title\n\nThe passage."

    line = json.loads(jsonl.read_text().splitlines()[-1])
    assert line["value"] == "up" and line["message_id"] == answer_id
    assert line["answer"] == ANSWER and line["question"] == QUESTION  # from the stored step


async def anonymous(db: Path, jsonl: Path) -> None:
    layer = ChatDataLayer(db, FeedbackLog(jsonl), AnswerLog())
    thread_id = str(uuid.uuid4())
    init_http_context(thread_id=thread_id, user=None)
    await layer.update_thread(thread_id, name=QUESTION)
    for step in steps(thread_id):
        await layer.create_step(step)
    await layer.close()


def test_anonymous_sessions_are_not_stored(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    asyncio.run(anonymous(db, tmp_path / "feedback.jsonl"))
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT COUNT(*) FROM threads").fetchone() == (0,)
        assert raw.execute("SELECT COUNT(*) FROM steps").fetchone() == (0,)


def test_only_the_owner_reads_an_element() -> None:
    alice = PersistedUser(id="u-1", createdAt="x", identifier="alice")
    assert element_owner_ok(alice, "u-1/element/[1]")
    assert not element_owner_ok(alice, "u-2/element/[1]")
    assert not element_owner_ok(None, "u-1/element/[1]")


def test_restored_turns_skip_messages_without_an_answer() -> None:
    thread = {
        "steps": [
            {"type": "user_message", "output": "hello", "createdAt": "1"},
            {"type": "assistant_message", "output": "⚙️ Settings", "createdAt": "2", "metadata": {}},
            {"type": "user_message", "output": "Q2", "createdAt": "3"},
            {"type": "assistant_message", "createdAt": "4",
             "metadata": json.dumps({"question": "Q2 standalone", "answer": "A2"})},
        ]
    }  # fmt: skip
    assert restored_turns(thread) == [("Q2 standalone", "A2")]  # type: ignore[arg-type]
