"""The first pass of an ingest: read every file, keep only what decides (id, content hash,
path, owner), and sort the indexed articles into unchanged, moved, removed, new, changed
and duplicated."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rag.corpus import iter_files, load_file
from rag.errors import LoaderError
from rag.models import ArticleRecord, IngestReport

log = logging.getLogger("rag.ingest")


@dataclass(frozen=True)
class Seen:
    """What the first pass keeps of an article: enough to decide, nothing to embed."""

    id: str
    content_hash: str
    path: str | None
    owner: str | None


def scan(
    paths: Sequence[Path], report: IngestReport, owner: str | None = None
) -> tuple[dict[str, Seen], set[Path]]:
    """Read every file under `paths`; bad files and duplicates go into the report.

    Returns what was found by article id (owned by `owner`, if given) and the (resolved)
    files that failed to load."""
    found: dict[str, Seen] = {}
    by_hash: dict[str, str] = {}
    failed: set[Path] = set()
    for path in iter_files(paths):
        try:
            loaded = load_file(path)
        except LoaderError as exc:
            log.warning("skipped %s", exc)
            report.skipped.append(str(exc))
            failed.add(path.resolve())
            continue
        for article in loaded:
            if article.content_hash in by_hash:
                report.duplicates.append(
                    f"{path}: same content as article {by_hash[article.content_hash]}"
                )
            elif article.id in found:
                report.skipped.append(
                    f"{path}: article id {article.id!r} is already used by {found[article.id].path}"
                )
            else:
                found[article.id] = Seen(
                    article.id, article.content_hash, article.path, owner or article.owner
                )
                by_hash[article.content_hash] = article.id
    return found, failed


def inside(path: str | None, roots: Sequence[Path]) -> bool:
    if path is None:
        return False
    resolved = Path(path).resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


def keep_or_remove(
    records: dict[str, ArticleRecord],
    found: dict[str, Seen],
    roots: list[Path],
    failed: set[Path],
    report: IngestReport,
) -> tuple[list[str], list[ArticleRecord]]:
    """Indexed articles whose file disappeared from a scanned folder (removed), and the
    records of unchanged articles whose file moved. Unchanged, outside the scan, or whose
    file now fails to load: kept as they are."""
    removed: list[str] = []
    moved: list[ArticleRecord] = []
    for article_id, record in records.items():
        current = found.get(article_id)
        unchanged = (
            current is not None
            and current.content_hash == record.content_hash
            and current.owner == record.owner
        )
        if current is not None and not unchanged:
            continue  # changed: re-embedded (the store replaces it)
        broken = record.path is not None and Path(record.path).resolve() in failed
        if current is None and inside(record.path, roots) and not broken:
            report.removed.append(article_id)
            removed.append(article_id)
            continue
        if unchanged:
            assert current is not None
            report.unchanged.append(article_id)
            if current.path != record.path:
                moved.append(record.model_copy(update={"path": current.path}))
    return removed, moved


def new_or_changed(
    records: dict[str, ArticleRecord],
    found: dict[str, Seen],
    removed: list[str],
    report: IngestReport,
) -> dict[str, Seen]:
    """Articles to (re-)embed; exact duplicates of kept articles are reported instead."""
    gone = set(removed)
    unchanged = set(report.unchanged)
    known_hashes = {r.content_hash: r.id for r in records.values() if r.id not in gone}
    to_embed: dict[str, Seen] = {}
    for seen in found.values():
        if seen.id in unchanged:
            continue
        other = known_hashes.get(seen.content_hash)
        if other is not None and other != seen.id:
            report.duplicates.append(f"{seen.path}: same content as article {other}")
            continue
        (report.updated if seen.id in records else report.added).append(seen.id)
        to_embed[seen.id] = seen
    return to_embed
