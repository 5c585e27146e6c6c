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
import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from rag.chunking import chunk_article, embedding_text, make_splitter
from rag.config import Settings
from rag.corpus import iter_files, load_file
from rag.corpus.text import split_sentences
from rag.embeddings import Embedder
from rag.errors import DiskFullError, IndexLockedError, IndexMismatchError, LoaderError
from rag.models import Article, Chunk, IngestReport
from rag.store import (
    ArticleRecord,
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

log = logging.getLogger(__name__)
ProgressFactory = Callable[[int, str], Callable[[int], None]]
LOCK_FILE = ".ingest.lock"


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


def _inside(path: str | None, roots: Sequence[Path]) -> bool:
    if path is None:
        return False
    resolved = Path(path).resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


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
        removed, moved = _keep_or_remove(
            records, found, [p.resolve() for p in paths], failed, report
        )
        to_embed = _new_or_changed(records, found, removed, report)
        checkpoint = Checkpoint(settings.index_dir, embedder)
        writer = _Writer(settings, embedder, store, checkpoint, report)
        if old_format < 3:
            writer.add_missing_sentences(records, set(to_embed) | set(removed))
        store.remove(removed)
        store.keep(moved)
        if to_embed:
            tick = progress(len(to_embed), "embedding passages and sentences")
            for batch in _batches(paths, to_embed, owner, settings.ingest_batch_articles):
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


def _keep_or_remove(
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
        if current is None and _inside(record.path, roots) and not broken:
            report.removed.append(article_id)
            removed.append(article_id)
            continue
        if unchanged:
            assert current is not None
            report.unchanged.append(article_id)
            if current.path != record.path:
                moved.append(record.model_copy(update={"path": current.path}))
    return removed, moved


def _new_or_changed(
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


def _batches(
    paths: Sequence[Path], wanted: dict[str, Seen], owner: str | None, size: int
) -> Iterator[list[Article]]:
    """The wanted articles, read again file by file, in batches of `size`."""
    batch: list[Article] = []
    left = dict(wanted)
    for path in iter_files(paths):
        if not left:
            break
        try:
            loaded = load_file(path)
        except LoaderError:
            continue
        for article in loaded:
            seen = left.get(article.id)
            if seen is None or seen.content_hash != article.content_hash:
                continue
            del left[article.id]
            batch.append(article.model_copy(update={"owner": seen.owner}) if owner else article)
            if len(batch) >= size:
                yield batch
                batch = []
    if batch:
        yield batch


def _record(article: Article, chunks: list[Chunk]) -> ArticleRecord:
    return ArticleRecord(
        id=article.id,
        content_hash=article.content_hash,
        path=article.path,
        title=article.title,
        source=article.source,
        published=article.published,
        chunk_ids=[c.id for c in chunks],
        owner=article.owner,
    )


class _Writer:
    """Chunks and embeds batches of articles into the store (through the checkpoint)."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: Store,
        checkpoint: Checkpoint,
        report: IngestReport,
    ) -> None:
        self.embedder, self.store, self.checkpoint, self.report = (
            embedder,
            store,
            checkpoint,
            report,
        )
        self.splitter = make_splitter(
            settings.chunk_size, settings.chunk_overlap, embedder.tokenize
        )

    def add(self, articles: list[Article]) -> None:
        chunked = {a.id: chunk_article(a, self.splitter) for a in articles}
        chunks = [c for a in articles for c in chunked[a.id]]
        sentences = {c.id: split_sentences(c.text) for c in chunks}
        texts = [embedding_text(c) for c in chunks]
        flat = [s for c in chunks for s in sentences[c.id]]
        vectors = self.checkpoint.embed(texts + flat)
        passages, rest = vectors[: len(chunks)], vectors[len(chunks) :]
        by_chunk, start = {}, 0
        for chunk in chunks:
            count = len(sentences[chunk.id])
            by_chunk[chunk.id] = rest[start : start + count]
            start += count
        self.store.add([_record(a, chunked[a.id]) for a in articles], chunks, passages, by_chunk)
        self.report.chunks_embedded += len(chunks)
        self.report.sentences_embedded += len(flat)

    def add_missing_sentences(self, records: dict[str, ArticleRecord], skip: set[str]) -> None:
        """After importing an index older than format 3: embed every kept chunk's sentences
        (its passage vector is kept) and store the articles again with them. Old indexes
        were small (every vector was copied at each ingest), so this holds them in memory."""
        batches = list(self.store.iter_chunks(1000))
        chunks = [c for part, _ in batches for c in part]
        if not chunks:
            return
        vectors = np.concatenate([v for _, v in batches])
        sentences = {c.id: split_sentences(c.text) for c in chunks}
        flat = [s for c in chunks for s in sentences[c.id]]
        embedded = self.checkpoint.embed(flat)
        by_chunk, start = {}, 0
        for chunk in chunks:
            by_chunk[chunk.id] = embedded[start : start + len(sentences[chunk.id])]
            start += len(sentences[chunk.id])
        by_article: dict[str, list[int]] = {}
        for n, chunk in enumerate(chunks):
            if chunk.article_id not in skip and chunk.article_id in records:
                by_article.setdefault(chunk.article_id, []).append(n)
        self.store.remove(list(by_article))
        for article_id, rows in by_article.items():
            part = [chunks[r] for r in rows]
            self.store.add(
                [records[article_id]], part, vectors[rows], {c.id: by_chunk[c.id] for c in part}
            )
        self.report.sentences_embedded += len(flat)
