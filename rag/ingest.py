"""Incremental ingest: files → articles → chunks → vectors → a new index generation.

Unchanged articles (same id, same content hash) keep their vectors; changed ones are
re-chunked and re-embedded; articles whose file disappeared from a scanned folder are
removed; an exact duplicate of an article (same content, other file) is indexed once.
A file that fails to load is skipped and reported, and whatever it contributed before
stays indexed: bad input never loses data.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from filelock import FileLock, Timeout

from rag.chunking import chunk_article, embedding_text, make_splitter
from rag.config import Settings
from rag.corpus import iter_files, load_file
from rag.corpus.text import split_sentences
from rag.embeddings import Embedder
from rag.errors import IndexLockedError, IndexMismatchError, LoaderError
from rag.keyword import TOKENIZER_VERSION, KeywordIndex
from rag.models import Article, Chunk, IngestReport
from rag.store.index import Index, sentence_id
from rag.store.manifest import FORMAT_VERSION, ArticleRecord, Manifest

log = logging.getLogger(__name__)
ProgressFactory = Callable[[int, str], Callable[[int], None]]
LOCK_FILE = ".ingest.lock"


def scan(
    paths: Sequence[Path], report: IngestReport, owner: str | None = None
) -> tuple[dict[str, Article], set[Path]]:
    """Load every file under `paths`; bad files and duplicates go into the report.

    Returns the articles by id (owned by `owner`, if given) and the (resolved) files that
    failed to load.
    """
    articles: dict[str, Article] = {}
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
            if owner is not None:
                article = article.model_copy(update={"owner": owner})
            if article.content_hash in by_hash:
                report.duplicates.append(
                    f"{path}: same content as article {by_hash[article.content_hash]}"
                )
            elif article.id in articles:
                report.skipped.append(
                    f"{path}: article id {article.id!r} is already used by {articles[article.id].path}"
                )
            else:
                articles[article.id] = article
                by_hash[article.content_hash] = article.id
    return articles, failed


def _inside(path: str | None, roots: Sequence[Path]) -> bool:
    if path is None:
        return False
    resolved = Path(path).resolve()
    return any(resolved == r or r in resolved.parents for r in roots)


def _empty_manifest(settings: Settings, embedder: Embedder) -> Manifest:
    return Manifest(
        embedding_model=settings.embedding_model,
        dimension=embedder.dimension,
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        keyword_tokenizer=TOKENIZER_VERSION,
    )


def _previous_index(settings: Settings, embedder: Embedder, rebuild: bool) -> Index:
    if rebuild or not Index.exists(settings.index_dir):
        return Index.empty(_empty_manifest(settings, embedder))
    index = Index.load(settings.index_dir)
    index.manifest.check_compatible(
        settings.embedding_model, settings.chunk_size, settings.chunk_overlap, upgrading=True
    )
    return index


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
    finally:
        lock.release()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _ingest_locked(
    settings: Settings,
    embedder: Embedder,
    paths: Sequence[Path],
    rebuild: bool,
    progress: ProgressFactory,
    owner: str | None = None,
) -> IngestReport:
    report = IngestReport()
    old = _previous_index(settings, embedder, rebuild)
    found, failed = scan(paths, report, owner)
    records, kept_chunks = _keep_or_remove(old, found, [p.resolve() for p in paths], failed, report)
    to_embed = _new_or_changed(old, found, records, report)
    new_chunks = _chunk_all(settings, embedder, to_embed)
    for article in to_embed:
        records[article.id] = ArticleRecord(
            id=article.id,
            content_hash=article.content_hash,
            path=article.path,
            title=article.title,
            source=article.source,
            published=article.published,
            chunk_ids=[c.id for c in new_chunks[article.id]],
            owner=article.owner,
        )
    fresh = [c for chunks in new_chunks.values() for c in chunks]
    changed = bool(
        to_embed
        or report.removed
        or not Index.exists(settings.index_dir)
        or rebuild
        or old.manifest.outdated
        or old.manifest.keyword_tokenizer != TOKENIZER_VERSION
    )
    if changed or any(records[a].path != old.manifest.articles[a].path for a in report.unchanged):
        report.sentences_embedded = _write(
            settings, embedder, old, records, kept_chunks, fresh, progress
        )
    report.chunks_embedded = len(fresh)
    report.articles = len(records)
    report.chunks = len(kept_chunks) + len(fresh)
    return report


def _keep_or_remove(
    old: Index,
    found: dict[str, Article],
    roots: list[Path],
    failed: set[Path],
    report: IngestReport,
) -> tuple[dict[str, ArticleRecord], list[Chunk]]:
    """Indexed articles to keep as they are (unchanged, outside the scan, or whose file now
    fails to load) and those whose file disappeared from a scanned folder (removed)."""
    records: dict[str, ArticleRecord] = {}
    kept: list[Chunk] = []
    for article_id, record in old.manifest.articles.items():
        current = found.get(article_id)
        unchanged = (
            current is not None
            and current.content_hash == record.content_hash
            and current.owner == record.owner
        )
        if current is not None and not unchanged:
            continue  # changed: re-embedded by the caller
        broken = record.path is not None and Path(record.path).resolve() in failed
        if current is None and _inside(record.path, roots) and not broken:
            report.removed.append(article_id)
            continue
        if unchanged:
            assert current is not None
            record = record.model_copy(update={"path": current.path})
            report.unchanged.append(article_id)
        records[article_id] = record
        kept.extend(old.chunks[c] for c in record.chunk_ids)
    return records, kept


def _new_or_changed(
    old: Index, found: dict[str, Article], records: dict[str, ArticleRecord], report: IngestReport
) -> list[Article]:
    """Articles to (re-)embed; exact duplicates of kept articles are reported instead."""
    known_hashes = {r.content_hash: r.id for r in records.values()}
    to_embed: list[Article] = []
    for article in found.values():
        if article.id in records:
            continue
        if article.content_hash in known_hashes:
            report.duplicates.append(
                f"{article.path}: same content as article {known_hashes[article.content_hash]}"
            )
            continue
        (report.updated if article.id in old.manifest.articles else report.added).append(article.id)
        to_embed.append(article)
    return to_embed


def _chunk_all(
    settings: Settings, embedder: Embedder, articles: list[Article]
) -> dict[str, list[Chunk]]:
    if not articles:
        return {}
    splitter = make_splitter(settings.chunk_size, settings.chunk_overlap, embedder.tokenize)
    return {a.id: chunk_article(a, splitter) for a in articles}


def _write(
    settings: Settings,
    embedder: Embedder,
    old: Index,
    records: dict[str, ArticleRecord],
    kept: list[Chunk],
    fresh: list[Chunk],
    progress: ProgressFactory,
) -> int:
    """A new generation: kept vectors copied, fresh chunks and missing sentences embedded,
    the keyword index rebuilt over all chunks. Returns the number of sentences embedded."""
    manifest = old.manifest.model_copy(
        update={
            "articles": records,
            "format_version": FORMAT_VERSION,
            "keyword_tokenizer": TOKENIZER_VERSION,
        }
    )
    new = Index.empty(manifest)
    new.store.add([c.id for c in kept], old.store.vectors([c.id for c in kept]))
    reused, missing = _sentences_to_embed(old, kept, fresh)
    new.sentences.add(reused, old.sentences.vectors(reused))
    texts = [embedding_text(c) for c in fresh] + [text for _, text in missing]
    if texts:
        if manifest.dimension != embedder.dimension:
            raise IndexMismatchError(
                f"the index holds {manifest.dimension}-dimensional vectors but the model makes "
                f"{embedder.dimension}; run `rag ingest --rebuild`"
            )
        tick = progress(len(texts), "embedding passages and sentences")
        vectors = embedder.embed_passages(texts, progress=tick)
        new.store.add([c.id for c in fresh], vectors[: len(fresh)])
        new.sentences.add([sid for sid, _ in missing], vectors[len(fresh) :])
    new.chunks = {c.id: c for c in [*kept, *fresh]}
    ordered = new.store.ids
    new.keyword = KeywordIndex.build(ordered, [embedding_text(new.chunks[i]) for i in ordered])
    new.save(settings.index_dir)
    return len(missing)


def _sentences_to_embed(
    old: Index, kept: list[Chunk], fresh: list[Chunk]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Sentence vector ids to copy from the old index, and (id, text) pairs to embed
    (every sentence of a fresh chunk; those of kept chunks indexed by an older format)."""
    reused: list[str] = []
    missing: list[tuple[str, str]] = []
    kept_ids = {c.id for c in kept}
    for chunk in [*kept, *fresh]:
        pairs = [(sentence_id(chunk.id, n), s) for n, s in enumerate(split_sentences(chunk.text))]
        if chunk.id in kept_ids and all(sid in old.sentences for sid, _ in pairs):
            reused.extend(sid for sid, _ in pairs)
        else:
            missing.extend(pairs)
    return reused, missing
