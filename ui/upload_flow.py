"""An upload in the chat, start to end: who may, how many, checks, save, index, record."""

from __future__ import annotations

import asyncio
from pathlib import Path

import chainlit as cl

from rag.models import IngestReport
from ui import render
from ui.chat_db import UploadLog, UploadRecord, db_path
from ui.limits import RateLimiter, wait_text
from ui.shared import SharedAssistants
from ui.streaming import Progress
from ui.uploads import (
    Candidate,
    Screened,
    discard,
    id_conflicts,
    outcomes,
    records,
    save,
    screen,
    upload_target,
)
from ui.users import Directory

HOUR_S = 3600.0


class UploadDesk:
    """Process-wide upload state: the per-user hourly limit and the uploads table."""

    def __init__(self, shared: SharedAssistants, directory: Directory) -> None:
        self.shared = shared
        self.settings = shared.settings
        self.directory = directory
        self.limiter = RateLimiter(self.settings.uploads_per_hour, HOUR_S)
        self.log = UploadLog(db_path(self.settings))

    def refusal(self, user: str, rate_key: str, count: int) -> str | None:
        """Why this user may not upload `count` files now, or None."""
        if self.settings.upload_visibility == "admin" and not self.directory.is_admin(user):
            return (
                "✋ Only administrators may add articles on this server. You can still ask "
                "about the articles already indexed."
            )
        wait = self.limiter.acquire(rate_key, count)
        if wait:
            return (
                f"⏳ You have reached the limit of {self.settings.uploads_per_hour} uploaded "
                f"files per hour. Please wait {wait_text(wait)} and attach them again."
            )
        return None

    async def handle(self, files: list[tuple[str, Path]], user: str, rate_key: str) -> bool:
        """Check, save and index the attached files, telling the person what happened.
        Returns whether anything new may be searchable (the settings panel then refreshes)."""
        attempts = min(len(files), self.settings.upload_max_files)
        refusal = self.refusal(user, rate_key, attempts)
        visibility = self.settings.upload_visibility
        if refusal:
            rows = [UploadRecord(user, n, "", p.stat().st_size, "rejected: not allowed now",
                                 visibility) for n, p in files]  # fmt: skip
            await asyncio.to_thread(self.log.add, rows)
            await cl.Message(content=refusal).send()
            return False
        used = await asyncio.to_thread(self.log.bytes_indexed, user)
        screened = await asyncio.to_thread(screen, files, self.settings, used)
        folder, owner = upload_target(self.settings, user)
        saved = await asyncio.to_thread(save, screened.accepted, folder)
        conflicts = await asyncio.to_thread(id_conflicts, saved, self.shared.indexed(), owner)
        to_index = [Path(p) for p in saved if p not in conflicts]
        final = dict(conflicts)
        report, status = None, None
        if to_index:
            status = cl.Message(content=f"📥 Indexing {len(to_index)} file(s)…")
            await status.send()
            report = await self._ingest(to_index, owner, status)
            if report is None:
                return False
            final = {**outcomes(saved, report.skipped, report.duplicates), **conflicts}
        await asyncio.to_thread(discard, final)
        await asyncio.to_thread(self.log.add, records(user, visibility, screened, saved, final))
        rejected = _rejected_lines(screened, saved, conflicts)
        if report is None or status is None:
            lines = "\n".join(f"- {render.inert(r)}" for r in rejected)
            await cl.Message(content=f"Nothing was indexed.\n\nSkipped:\n{lines}").send()
            return False
        names = {p: c.name for p, c in saved.items()}
        summary = render.ingest_summary(report, names, rejected)
        if owner is not None and (report.added or report.updated):
            summary += "\n\n🔒 Your uploads are searched only in your own conversations."
        status.content = summary
        await status.update()
        return True

    async def _ingest(
        self, paths: list[Path], owner: str | None, status: cl.Message
    ) -> IngestReport | None:
        """Index, showing progress in `status`; None (after saying why) when it failed."""
        progress = Progress()
        task = asyncio.ensure_future(
            asyncio.to_thread(self.shared.ingest, paths, progress.factory, owner)
        )
        while not task.done():
            await asyncio.wait({task}, timeout=0.5)
            if (line := progress.changed()) is not None:
                status.content = f"📥 Indexing {len(paths)} file(s)… {line}"
                await status.update()
        try:
            report = task.result()
        except Exception as exc:
            status.content = render.polite_error(exc)
            await status.update()
            return None
        return report


def _rejected_lines(
    screened: Screened, saved: dict[str, Candidate], conflicts: dict[str, str]
) -> list[str]:
    """'name: reason' for every file not indexed before ingest ran."""
    lines = [f"{name}: {reason}" for name, reason, _ in screened.rejected]
    for path, outcome in conflicts.items():
        lines.append(f"{saved[path].name}: {outcome.removeprefix('rejected: ')}")
    return lines
