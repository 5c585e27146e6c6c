"""The chat UI: ask about the news articles, read the cited passages, upload more articles.

Run with `rag ui` (or `python -m chainlit run ui/app.py --headless` from the repo root).
The server is configured by RAG_* environment variables (`rag.config.Settings`). One
Assistant is shared by all sessions of the process; each session keeps its own
conversation (`ChatSession`) and settings. Logins (ui/auth.py), stored conversations
(ui/history.py) and uploads (ui/upload_flow.py) are set up here at import, before Chainlit
starts serving: the server refuses to start on a public address without a login.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `chainlit run` puts only ui/ on the path
    sys.path.insert(0, str(ROOT))

import chainlit as cl  # noqa: E402
from chainlit.input_widget import InputWidget, MultiSelect, Select, Slider, TextInput  # noqa: E402
from chainlit.types import ThreadDict  # noqa: E402
from chainlit.utils import utc_now  # noqa: E402

from rag import ChatSession, Turn, language_of  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.models import Answer, SourcesFound  # noqa: E402
from ui import render  # noqa: E402
from ui.access import configure, current_user, rate_key, searcher  # noqa: E402
from ui.chat_db import db_path  # noqa: E402
from ui.feedback import ANSWERS, FeedbackLog  # noqa: E402
from ui.history import ChatDataLayer, restored_turns  # noqa: E402
from ui.limits import RateLimiter, wait_text  # noqa: E402
from ui.shared import Prefs, SharedAssistants, get_shared, update_prefs  # noqa: E402
from ui.streaming import iterate_in_thread  # noqa: E402
from ui.upload_flow import UploadDesk  # noqa: E402
from ui.users import ANONYMOUS, Directory  # noqa: E402

log = logging.getLogger("rag.ui")
RESUMED_TURNS = 4  # follow-ups after a resume see the last few exchanges
SIDEBAR_SETTLE_S = 0.3
READY_WAIT_S = 20.0  # the welcome screen waits this long for the models, then says so
# Answers computed at once (CPU-bound); more sessions wait their turn without using CPU.
ANSWER_SLOTS = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))
PROFILE = "News Assistant"
ICON_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" '
    'rx="14" fill="#2563eb"/><rect x="14" y="16" width="36" height="32" rx="3" fill="#fff"/>'
    '<rect x="19" y="21" width="26" height="6" fill="#2563eb"/><rect x="19" y="31" width="12" '
    'height="12" fill="#93c5fd"/><rect x="34" y="31" width="11" height="3" fill="#64748b"/>'
    '<rect x="34" y="36" width="11" height="3" fill="#64748b"/><rect x="34" y="41" width="8" '
    'height="2" fill="#64748b"/></svg>'
)
ICON = "data:image/svg+xml;base64," + base64.b64encode(ICON_SVG.encode()).decode()
ENGINES = {
    "llama.cpp (local model)": "llamacpp",
    "OpenAI-compatible server": "openai",
    "Extractive (quotes, no model)": "extractive",
}


ACCESS = configure()  # may exit: see ui/access.py
QUESTIONS = RateLimiter(ACCESS.settings.questions_per_minute if ACCESS.settings else 0, 60.0)
_desk: UploadDesk | None = None


def upload_desk(shared: SharedAssistants) -> UploadDesk:
    global _desk
    if _desk is None:
        _desk = UploadDesk(shared, ACCESS.directory or Directory(shared.settings))
    return _desk


async def load_shared() -> tuple[SharedAssistants | None, str | None]:
    """The shared assistants, or why they could not be created (shown to the person)."""
    try:
        return await asyncio.to_thread(get_shared), None
    except Exception as exc:
        log.exception("could not open the assistant")
        return None, str(exc) or render.polite_error(exc)


@cl.on_app_startup
def preload() -> None:
    """Open the index and load the models as the server starts, not at the first visit."""
    if ACCESS.settings is not None:
        threading.Thread(target=_preload, name="rag-preload", daemon=True).start()


def _preload() -> None:
    try:
        get_shared()
    except Exception:  # shown to the first visitor by load_shared()
        log.exception("could not open the assistant")


@cl.data_layer
def data_layer() -> ChatDataLayer:
    """Conversations, feedback and citation panels in <data_dir>/chat.db."""
    settings = ACCESS.settings or Settings.model_construct()  # bad settings: default folder
    return ChatDataLayer(db_path(settings), FeedbackLog(settings.feedback_path), ANSWERS)


@cl.set_chat_profiles
async def chat_profiles(
    user: cl.User | None = None, language: str | None = None
) -> list[cl.ChatProfile]:
    """The welcome screen: what the corpus holds, and starter questions drawn from it;
    shown once the models are loaded (or after READY_WAIT_S, saying they still load)."""
    shared, problem = await load_shared()
    stats, text, titles = None, "", list[str]()
    name = str(user.identifier) if user else None
    loading = False
    if shared is not None:
        loading = not await asyncio.to_thread(shared.ready.wait, READY_WAIT_S)
        stats = await asyncio.to_thread(shared.stats, name or ANONYMOUS)
        text, titles = await asyncio.to_thread(shared.corpus_sample, name or ANONYMOUS)
    starters = [cl.Starter(label=q, message=q) for q in render.starter_questions(text, titles)]
    return [
        cl.ChatProfile(
            name=PROFILE,
            markdown_description=render.welcome_markdown(stats, problem, loading),
            icon=ICON,
            starters=starters,
            default=True,
        )
    ]


def settings_widgets(prefs: Prefs, outlets: list[str]) -> list[InputWidget]:
    """The settings panel: answer engine, passages per question, outlets, date range."""
    widgets: list[InputWidget] = [
        Select(
            id="backend",
            label="Answer engine",
            items=ENGINES,
            initial_value=prefs.backend,
            description="How answers are written from the retrieved passages.",
        ),
        Slider(
            id="top_k",
            label="Passages per question",
            initial=prefs.top_k,
            min=1,
            max=max(20, prefs.top_k),
            step=1,
        ),
    ]
    if outlets:
        widgets.append(
            MultiSelect(
                id="outlets",
                label="Outlets (none selected: all)",
                values=outlets,
                initial=list(prefs.outlets),
            )
        )
    for key, label in (("date_from", "Published from"), ("date_to", "Published until")):
        value = getattr(prefs, key)
        widgets.append(
            TextInput(
                id=key,
                label=f"{label} (YYYY-MM-DD)",
                placeholder="any date",
                initial=value.isoformat() if value else "",
            )
        )
    return widgets


async def send_settings(shared: SharedAssistants, prefs: Prefs) -> None:
    stats = await asyncio.to_thread(shared.stats, searcher())
    await cl.ChatSettings(settings_widgets(prefs, stats.sources if stats else [])).send()


def session_state(shared: SharedAssistants) -> tuple[Prefs, ChatSession]:
    """This conversation's settings and ChatSession (created on first use).

    Stored under names that cannot clash with what Chainlit restores into the user session
    when a conversation is resumed (it saves the session's JSON-able values with it)."""
    prefs = cl.user_session.get("rag_prefs")
    chat = cl.user_session.get("rag_chat")
    if not isinstance(prefs, Prefs) or not isinstance(chat, ChatSession):
        prefs = Prefs.from_settings(shared.settings)
        chat = shared.assistant(prefs).chat(prefs.filters(searcher()))
        cl.user_session.set("rag_prefs", prefs)
        cl.user_session.set("rag_chat", chat)
    return prefs, chat


@cl.on_chat_start
async def start() -> None:
    """A new conversation: its own ChatSession and settings."""
    shared, problem = await load_shared()
    if shared is None:
        await cl.Message(content=f"😕 {problem}").send()
        return
    prefs, _ = session_state(shared)
    await send_settings(shared, prefs)


@cl.on_chat_resume
async def resume(thread: ThreadDict) -> None:
    """A stored conversation reopened: its settings and recent exchanges come back, so
    follow-up questions work as before."""
    shared, problem = await load_shared()
    if shared is None:
        await cl.Message(content=f"😕 {problem}").send()
        return
    saved = cl.context.session.chat_settings or {}
    prefs, _ = update_prefs(Prefs.from_settings(shared.settings), saved)
    chat = shared.assistant(prefs).chat(prefs.filters(searcher()))
    chat.history = [Turn(q, a) for q, a in restored_turns(thread)[-RESUMED_TURNS:]]
    cl.user_session.set("rag_prefs", prefs)
    cl.user_session.set("rag_chat", chat)
    await send_settings(shared, prefs)


@cl.on_settings_update
async def settings_changed(values: dict[str, Any]) -> None:
    """Apply the panel; invalid values are explained and left as they were."""
    shared, _ = await load_shared()
    if shared is None:
        return
    prefs, chat = session_state(shared)
    new, problems = update_prefs(prefs, values)
    cl.user_session.set("rag_prefs", new)
    chat.filters = new.filters(searcher())
    if new.backend != prefs.backend:
        shared.warm_up(shared.assistant(new))
    text = f"⚙️ Settings: {new.describe()}."
    if problems:
        text = "✋ Please check the settings: " + "; ".join(problems) + ".\n\n" + text
        await send_settings(shared, new)
    await cl.Message(content=text).send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    """Index attached files, then answer the question (if any) in this conversation."""
    files = [(e.name, Path(e.path)) for e in message.elements if e.path]
    try:
        if files:
            await index_uploads(files)
        if not files or "?" in message.content:  # text sent with files is a note, not a question
            if wait := QUESTIONS.acquire(rate_key()):
                await cl.Message(
                    content=f"⏳ You have asked {QUESTIONS.limit} questions in the last minute, "
                    f"the most this server answers. Please wait {wait_text(wait)} and ask again."
                ).send()
                return
            await answer(message.content)
    except Exception as exc:
        log.warning("message failed: %s", exc, exc_info=not isinstance(exc, RagError))
        await cl.Message(content=render.polite_error(exc)).send()


async def index_uploads(files: list[tuple[str, Path]]) -> None:
    """Check, save and index the attached files (ui/upload_flow.py)."""
    shared = get_shared()
    if await upload_desk(shared).handle(files, searcher(), rate_key()):
        await send_settings(shared, session_state(shared)[0])  # new outlets may have appeared


def answer_elements(answer: Answer) -> list[cl.Text]:
    """One side-panel element per citation ([n] in the text becomes a link to it)."""
    if answer.refused:
        return [
            cl.Text(name=f"[{h.rank}]", content=render.hit_markdown(h), display="side")
            for h in answer.hits[:3]
        ]
    return [
        cl.Text(name=f"[{c.n}]", content=render.citation_markdown(c), display="side")
        for c in answer.citations
    ]


async def answer(question: str) -> None:
    """Show the passages being read, stream the answer token by token above them, then show
    the verified text with its sources."""
    began = time.perf_counter()
    seen: dict[str, float] = {}  # when the sources and the first text were sent, ms
    shared = get_shared()
    prefs, chat = session_state(shared)
    chat.assistant = shared.assistant(prefs)
    # A streamed message is stored on its final update(), which does not stamp the time
    # the way send() does: without it the stored conversation would lose its order.
    msg = cl.Message(content="", created_at=utc_now())
    final: Answer | None = None
    found = ""  # the passages being read, shown under the answer while it streams
    streamed = ""
    try:
        items = iterate_in_thread(lambda: chat.stream(question, sources=True), ANSWER_SLOTS)
        async for item in items:
            if isinstance(item, Answer):
                final = item
            elif isinstance(item, SourcesFound):
                found = render.sources_found_markdown(item, language_of(question))
                await msg.stream_token(found, is_sequence=True)
                seen.setdefault("sources", round((time.perf_counter() - began) * 1000))
            else:
                seen.setdefault("text", round((time.perf_counter() - began) * 1000))
                streamed += item
                shown = render.streaming_markdown(streamed, found) if found else streamed
                await msg.stream_token(shown, is_sequence=True)
    except Exception as exc:
        log.warning("answer failed: %s", exc, exc_info=not isinstance(exc, RagError))
        msg.content = (msg.content + "\n\n" if msg.content else "") + render.polite_error(exc)
        await (msg.update() if msg.streaming else msg.send())
        return
    assert final is not None
    t = final.timings_ms
    # in-process figures (first token, total) beside what this handler sent when: the
    # difference is what the session, history and thread hops add (evals/bench_ui.py)
    log.info("answer: %s, refused=%s, first token %s ms, total %s ms; sent: sources %s ms, "
             "text %s ms, final %s ms", final.backend, final.refused, t.first_token, t.total,
             seen.get("sources"), seen.get("text"),
             round((time.perf_counter() - began) * 1000))  # fmt: skip
    msg.content = render.answer_markdown(final, final.hits[:3])
    msg.elements = answer_elements(final)  # type: ignore[assignment]
    # Stored with the conversation: follow-ups after a resume, and feedback after a restart.
    msg.metadata = {
        "question": final.standalone_question or final.question,
        "answer": final.text,
        "citations": [{"n": c.n, "title": c.title, "article_id": c.article_id}
                      for c in final.citations],
    }  # fmt: skip
    await (msg.update() if msg.streaming else msg.send())
    # Chainlit attaches feedback to the run (the on_message step) that holds the message.
    for key in {msg.id, msg.parent_id or msg.id}:
        ANSWERS.remember(key, final, current_user())
    if msg.elements:
        await close_sidebar()


async def close_sidebar() -> None:
    """Keep the side panel closed until a [n] is clicked.

    Chainlit 2.11+ opens the panel by itself, listing every side element of the session,
    whenever one arrives (Chainlit issue #2911). Closing it once the browser has rendered
    the new elements restores the click-to-open behaviour.
    """
    await asyncio.sleep(SIDEBAR_SETTLE_S)
    await cl.ElementSidebar.set_elements([])
