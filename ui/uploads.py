"""Screen files attached in the chat, then copy the good ones into the uploads folder.

Checks, cheapest first, each before anything reads the whole file: the number of files per
message, the extension, the size on disk, the content (ui/sniff.py), the uploader's total.
Private uploads go to a folder of their own per user (`uploads/users/<name>-<hash>/`),
shared ones to `uploads/`.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rag import SUPPORTED_SUFFIXES, load_file
from rag.config import Settings
from rag.errors import LoaderError
from rag.models import ArticleRecord
from ui.chat_db import INDEXED, UploadRecord
from ui.limits import quota_problem, size_problem
from ui.sniff import content_problem

UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    """An attached file that passed the checks."""

    name: str  # as the user named it
    source: Path  # Chainlit's temporary copy
    size: int
    sha256: str


@dataclass
class Screened:
    accepted: list[Candidate] = field(default_factory=list)
    rejected: list[tuple[str, str, int]] = field(default_factory=list)  # (name, reason, size)


def safe_name(name: str) -> str:
    """A file name without folders or odd characters; keeps the extension."""
    cleaned = UNSAFE.sub("_", Path(name).name).strip(" .") or "upload"
    return cleaned[:120]


def user_folder(settings: Settings, user: str) -> Path:
    """A user's private uploads folder: readable name plus a hash (no two users share one)."""
    digest = hashlib.sha256(user.encode()).hexdigest()[:10]
    return settings.uploads_dir / "users" / f"{safe_name(user)[:40]}-{digest}"


def upload_target(settings: Settings, user: str) -> tuple[Path, str | None]:
    """(folder to save in, owner for ingest): per user when private, shared otherwise."""
    if settings.upload_visibility == "private":
        return user_folder(settings, user), user
    return settings.uploads_dir, None


def _digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def screen(files: Iterable[tuple[str, Path]], settings: Settings, used_bytes: int) -> Screened:
    """Sort (name, temporary path) pairs into accepted and rejected, with reasons."""
    result = Screened()
    total = used_bytes
    for position, (name, source) in enumerate(files):
        size = source.stat().st_size
        problem = None
        if position >= settings.upload_max_files:
            problem = f"at most {settings.upload_max_files} files per message; send it again"
        elif Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            problem = f"unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        problem = (
            problem
            or size_problem(source, settings.upload_max_file_mb)
            or content_problem(source, Path(name).suffix)
            or quota_problem(total, size, settings.upload_max_user_mb)
        )
        if problem:
            result.rejected.append((name, problem, size))
            continue
        total += size
        result.accepted.append(Candidate(name, source, size, _digest(source)))
    return result


def save(candidates: Iterable[Candidate], folder: Path) -> dict[str, Candidate]:
    """Copy accepted files into `folder`; returns saved path → candidate.

    A new file never overwrites another upload of the same name (it gets a suffix), so
    nothing indexed before is replaced by accident.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved: dict[str, Candidate] = {}
    for candidate in candidates:
        target = folder / safe_name(candidate.name)
        if target.exists() and _digest(target) != candidate.sha256:
            target = target.with_name(f"{target.stem}-{candidate.sha256[:8]}{target.suffix}")
        shutil.copyfile(candidate.source, target)
        saved[str(target)] = candidate
    return saved


def outcomes(
    saved: dict[str, Candidate], skipped: Iterable[str], duplicates: Iterable[str]
) -> dict[str, str]:
    """Saved path → outcome after ingest, from its 'path: reason' report lines."""
    result = dict.fromkeys(saved, INDEXED)
    for prefix, lines in (("skipped", skipped), ("duplicate", duplicates)):
        for line in lines:
            path, _, reason = line.partition(": ")
            if path in result:
                result[path] = f"{prefix}: {reason}"
    return result


def id_conflicts(
    paths: Iterable[str], indexed: Mapping[str, ArticleRecord], owner: str | None
) -> dict[str, str]:
    """Saved path → why it must not be indexed: it holds an article whose id is already
    indexed for someone else (it would replace their article, or hide a shared one)."""
    problems: dict[str, str] = {}
    for path in paths:
        try:
            articles = load_file(Path(path))
        except LoaderError:
            continue  # ingest reports why
        for article in articles:
            record = indexed.get(article.id)
            if record is not None and record.owner != owner:
                problems[path] = (
                    f"rejected: an article with the id {article.id!r} is already indexed; "
                    "rename the file or give it another id in its front matter"
                )
    return problems


def discard(final: dict[str, str]) -> None:
    """Delete saved files that were not indexed: they hold no article of their own."""
    for path, outcome in final.items():
        if outcome.startswith(("skipped", "rejected")):
            Path(path).unlink(missing_ok=True)


def records(
    user: str, visibility: str, screened: Screened, saved: dict[str, Candidate],
    final: dict[str, str],
) -> list[UploadRecord]:  # fmt: skip
    """One uploads-table row per attached file."""
    rows = [
        UploadRecord(user, c.name, c.sha256, c.size, final.get(path, INDEXED), visibility, path)
        for path, c in saved.items()
    ]
    for name, reason, size in screened.rejected:
        rows.append(UploadRecord(user, name, "", size, f"rejected: {reason}", visibility))
    return rows
