"""Incremental, streaming ingest: files → articles → chunks → vectors → the store.

Two passes keep memory bounded whatever the corpus size. The first reads every file and
keeps only each article's id, content hash, path and owner, to decide what is unchanged,
changed, new, duplicated or removed. The second reads the files again and chunks and embeds
the new and changed articles in batches (`ingest_batch_articles`), each batch written to
the store as it is done; the store makes everything visible at one commit at the end.

Unchanged articles (same id, content hash and owner) keep their vectors; changed ones are
re-chunked and re-embedded; articles whose file disappeared from a scanned folder are
removed; an exact duplicate of an article (same content, other file) is indexed once. A
file that fails to load is skipped and reported, and whatever it contributed before stays
indexed: bad input never loses data. Every embedded batch is also kept in a checkpoint
(rag/store/checkpoint.py) until the commit, so an interrupted ingest, run again, embeds
only what it had not finished.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from rag.config import Settings
from rag.embed import Embedder
from rag.errors import DiskFullError, IndexLockedError, IndexMismatchError
from rag.ingest.plan import keep_or_remove, new_or_changed, scan
from rag.ingest.writer import Writer, read_batches
from rag.models import IngestReport, ProgressFactory
from rag.store import (
    Manifest,
    Store,
    create_store,
    import_legacy_if_needed,
    open_store,
    store_exists,
)
from rag.store.checkpoint import Checkpoint
from rag.store.keyword import TOKENIZER_VERSION
from rag.store.manifest import FORMAT_VERSION

LOCK_FILE = ".ingest.lock"
__all__ = ["LOCK_FILE", "ingest", "scan"]


def _empty_manifest(settings: Settings, embedder: Embedder) -> Manifest:
    return Manifest(
        store=settings.store,
        embedding_model=settings.embedding_model,
        dimension=embedder.dimension,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        keyword_tokenizer=TOKENIZER_VERSION,
    )


def _open_for_ingest(settings: Settings, embedder: Embedder, rebuild: bool) -> tuple[Store, int]:
    """The store to write (a new one for `rebuild`), and the format it had before."""
    imported = None if rebuild else import_legacy_if_needed(settings)
    if rebuild or not store_exists(settings):
        return create_store(settings, _empty_manifest(settings, embedder)), FORMAT_VERSION
    store = open_store(settings)
    manifest = store.manifest
    manifest.check_compatible(
        settings.embedding_model, settings.chunk_size, settings.chunk_overlap, upgrading=True
    )
    if manifest.dimension != embedder.dimension:
        raise IndexMismatchError(
            f"the index holds {manifest.dimension}-dimensional vectors but the model makes "
            f"{embedder.dimension}; run `rag ingest --rebuild`"
        )
    return store, imported or manifest.format_version


def _silent(total: int, label: str) -> Callable[[int], None]:
    return lambda n: None


def ingest(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence[Path] | None = None,
    *,
    rebuild: bool = False,
    progress: ProgressFactory = _silent,
    owner: str | None = None,
) -> IngestReport:
    """Bring the index in step with the files under `paths` (default: the corpus folder).

    `owner` marks the articles found as visible to that user only (private uploads)."""
    started = time.perf_counter()
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / LOCK_FILE), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexLockedError(
            f"another ingest is running (lock {settings.index_dir / LOCK_FILE}); "
            "wait for it to finish and try again"
        ) from exc
    try:
        report = _ingest_locked(
            settings, embedder, paths or [settings.corpus_dir], rebuild, progress, owner
        )
    except (OSError, sqlite3.OperationalError) as exc:
        if not _disk_full(exc, settings.index_dir):
            raise
        raise DiskFullError(
            f"no space left on the disk holding {settings.index_dir}: the ingest stopped and "
            "the previous index is unchanged; free some space and run `rag ingest` again "
            "(batches already embedded are kept and not embedded again)"
        ) from exc
    finally:
        lock.release()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _disk_full(exc: BaseException, folder: Path) -> bool:
    """An error (or one it was raised from) that says the disk is full, or a write error
    while less than 1 MiB is free there (numpy's "N requested and M written" has no errno)."""
    try:
        nearly_full = shutil.disk_usage(folder).free < 2**20
    except OSError:
        nearly_full = False
    while exc is not None:
        if isinstance(exc, OSError) and nearly_full:
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.Error) and "full" in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def _ingest_locked(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence[Path],
    rebuild: bool,
    progress: ProgressFactory,
    owner: str | None = None,
) -> IngestReport:
    report = IngestReport()
    store, old_format = _open_for_ingest(settings, embedder, rebuild)
    try:
        records = dict(store.manifest.articles)
        found, failed = scan(paths, report, owner)
        removed, moved = keep_or_remove(
            records, found, [p.resolve() for p in paths], failed, report
        )
        to_embed = new_or_changed(records, found, removed, report)
        checkpoint = Checkpoint(settings.index_dir, embedder)
        writer = Writer(settings, embedder, store, checkpoint, report)
        if old_format < 3:
            writer.add_missing_sentences(records, set(to_embed) | set(removed))
        store.remove(removed)
        store.keep(moved)
        if to_embed:
            tick = progress(len(to_embed), "embedding passages and sentences")
            for batch in read_batches(paths, to_embed, owner, settings.ingest_batch_articles):
                writer.add(batch)
                tick(len(batch))
        changed = bool(
            to_embed
            or removed
            or moved
            or rebuild
            or old_format < FORMAT_VERSION
            or store.manifest.keyword_tokenizer != TOKENIZER_VERSION
            or not store.manifest.articles
        )
        if changed:
            store.manifest.format_version = FORMAT_VERSION
            store.manifest.keyword_tokenizer = TOKENIZER_VERSION
            store.commit()
        checkpoint.clear()
        report.articles = len(store.manifest.articles)
        report.chunks = sum(len(r.chunk_ids) for r in store.manifest.articles.values())
    finally:
        store.close()
    return report
