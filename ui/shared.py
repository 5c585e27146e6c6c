"""One Assistant per server process, shared by every chat session, plus per-session prefs.

The shared Assistant is created lazily (first page load or chat start), never at import.
Sessions that pick another answer engine or top-k get a variant Assistant that shares the
embedder and the index; an upload re-indexes once and every variant sees the new index.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from time import monotonic
from typing import Any

from rag import Assistant
from rag.config import Settings
from rag.errors import IndexMissingError
from rag.models import ArticleRecord, IndexStats, IngestReport, ProgressFactory, SearchFilters

log = logging.getLogger("rag.ui")
BACKENDS = ("llamacpp", "openai", "extractive")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Prefs:
    """What one chat session chose in the settings panel."""

    backend: str
    top_k: int
    outlets: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> Prefs:
        return cls(backend=settings.llm_backend, top_k=settings.top_k)

    def filters(self, user: str | None) -> SearchFilters:
        """The retrieval filters; `user`'s private uploads are searched beside shared articles."""
        after = datetime.combine(self.date_from, time.min, UTC) if self.date_from else None
        before = datetime.combine(self.date_to, time.max, UTC) if self.date_to else None
        return SearchFilters(
            sources=list(self.outlets),
            published_after=after,
            published_before=before,
            visible_to=user,
        )

    def describe(self) -> str:
        outlets = ", ".join(self.outlets) or "all outlets"
        dates = f"{self.date_from or 'any date'} to {self.date_to or 'any date'}"
        return f"engine **{self.backend}**, {self.top_k} passages, {outlets}, {dates}"


def parse_day(value: object) -> date | None:
    """A YYYY-MM-DD text as a date; empty → None; anything else raises ValueError."""
    text = str(value or "").strip()
    if not text:
        return None
    if not ISO_DAY.match(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def update_prefs(prefs: Prefs, values: dict[str, Any]) -> tuple[Prefs, list[str]]:
    """Apply the settings panel's values; invalid ones are kept as before and explained."""
    problems: list[str] = []
    backend = str(values.get("backend", prefs.backend))
    if backend not in BACKENDS:
        problems.append(f"unknown answer engine {backend!r}")
        backend = prefs.backend
    top_k = max(1, min(50, int(values.get("top_k", prefs.top_k))))
    outlets = tuple(values.get("outlets") or ())
    days: dict[str, date | None] = {}
    for key, label in (("date_from", "start date"), ("date_to", "end date")):
        try:
            days[key] = parse_day(values.get(key))
        except ValueError:
            problems.append(f"the {label} {values.get(key)!r} is not a date like 2025-09-01")
            days[key] = getattr(prefs, key)
    if days["date_from"] and days["date_to"] and days["date_from"] > days["date_to"]:
        problems.append("the start date is after the end date")
        days = {"date_from": prefs.date_from, "date_to": prefs.date_to}
    updated = replace(prefs, backend=backend, top_k=top_k, outlets=outlets, **days)
    return updated, problems


class SharedAssistants:
    """The process-wide Assistant and its per-(engine, top-k) variants."""

    def __init__(self, settings: Settings) -> None:
        self.base = Assistant.open(settings, allow_empty=True)
        self.settings = settings
        self._variants: dict[tuple[str, int], Assistant] = {}
        self._lock = threading.Lock()
        self.ready = threading.Event()  # set once the default Assistant is warm

    def assistant(self, prefs: Prefs) -> Assistant:
        """The Assistant for a session's engine and top-k (sharing embedder and index)."""
        key = (prefs.backend, prefs.top_k)
        if key == (self.settings.llm_backend, self.settings.top_k):
            return self.base
        with self._lock:
            if key not in self._variants:
                settings = self.settings.model_copy(
                    update={"llm_backend": prefs.backend, "top_k": prefs.top_k}
                )
                self._variants[key] = Assistant(settings, self.base.embedder, self._index())
            return self._variants[key]

    def _index(self) -> Any:
        try:
            return self.base.index
        except IndexMissingError:
            return None

    def ingest(
        self, paths: Sequence[Path], progress: ProgressFactory, owner: str | None = None
    ) -> IngestReport:
        """Index the files incrementally (private to `owner`, if given); every variant then
        uses the new index."""
        report = self.base.ingest(list(paths), progress=progress, owner=owner)
        with self._lock:
            self._variants.clear()
        return report

    def indexed(self) -> dict[str, ArticleRecord]:
        """Every indexed article by id (private ones included: for id checks only)."""
        return self.base.articles()

    def _visible(self, user: str | None) -> list[ArticleRecord]:
        return [r for r in self.indexed().values() if r.owner is None or r.owner == user]

    def stats(self, user: str | None = None) -> IndexStats | None:
        """What the index holds for `user` (shared articles and their own uploads); None
        when nothing is indexed yet."""
        try:
            stats = self.base.stats()
        except IndexMissingError:
            return None
        visible = self._visible(user)
        dates = [r.published for r in visible if r.published]
        return stats.model_copy(
            update={
                "articles": len(visible),
                "chunks": sum(len(r.chunk_ids) for r in visible),
                "sources": sorted({r.source for r in visible}),
                "first_published": min(dates) if dates else None,
                "last_published": max(dates) if dates else None,
            }
        )

    def corpus_sample(self, user: str | None = None) -> tuple[str, list[str]]:
        """Passage text `user` may search (for choosing starters) and titles, newest first."""
        if self._index() is None:
            return "", []
        visible = sorted(
            self._visible(user),
            key=lambda a: a.published.timestamp() if a.published else 0.0,
            reverse=True,
        )
        text = "\n".join(
            c.text for c in self.base.passages([c for r in visible for c in r.chunk_ids])
        )
        return text, [r.title for r in visible]

    def warm_up(self, assistant: Assistant | None = None) -> threading.Event:
        """Load the embedding model, the LLM and its prompt cache in the background, so
        first answers are fast; the event is set when done (also after a failure, which the
        first answer then reports)."""
        target = assistant or self.base
        done = threading.Event()

        def work() -> None:
            started = monotonic()
            try:
                target.warm_up()
                log.info("ready to answer: models loaded in %.1f s", monotonic() - started)
            except Exception:
                log.warning("warm-up failed", exc_info=True)
            finally:
                done.set()

        threading.Thread(target=work, name="rag-warm-up", daemon=True).start()
        return done


_shared: SharedAssistants | None = None
_shared_lock = threading.Lock()


def get_shared() -> SharedAssistants:
    """The process-wide SharedAssistants, created (from RAG_* settings) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SharedAssistants(Settings())
            _shared.ready = _shared.warm_up()
        return _shared
