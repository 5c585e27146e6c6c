"""Copy an index into another store without re-embedding: an old-format FAISS folder into
the current one (done by `rag ingest`), or any store into another (`rag migrate`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import TYPE_CHECKING

from rag.errors import ConfigError, IndexLockedError
from rag.store.manifest import FORMAT_VERSION

if TYPE_CHECKING:
    from rag.config import Settings
    from rag.store.base import Store

Tick = Callable[[int], None]


def import_legacy_if_needed(settings: Settings) -> int | None:
    """Import an old-format FAISS index folder into the current store format (vectors kept,
    sentence vectors kept where still valid); returns the old format, None if there was
    no old index."""
    from rag.store import create_store
    from rag.store.faiss_store import FaissStore
    from rag.store.legacy import legacy_folder, read_legacy, read_manifest

    if settings.store != "faiss" or FaissStore.exists(settings.index_dir):
        return None
    folder = legacy_folder(settings.index_dir)
    if folder is None:
        return None
    old = read_manifest(folder)
    manifest = old.model_copy(update={"format_version": FORMAT_VERSION, "articles": {}})
    store = create_store(settings, manifest)
    article_of = {c: a.id for a in old.articles.values() for c in a.chunk_ids}
    pending = {a.id: set(a.chunk_ids) for a in old.articles.values()}
    for chunks, vectors, sentences in read_legacy(folder):
        records = []
        for chunk in chunks:
            left = pending.get(article_of.get(chunk.id, ""))
            if left is not None:
                left.discard(chunk.id)
                if not left:
                    records.append(old.articles[article_of[chunk.id]])
        store.add(records, chunks, vectors, sentences)
    store.commit()
    store.close()
    for entry in settings.index_dir.iterdir():
        if entry.name.startswith(("gen-", ".tmp-gen-")) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
    (settings.index_dir / "CURRENT").unlink(missing_ok=True)
    return old.format_version


def copy_store(source: Store, target: Store, tick: Tick | None = None, batch: int = 1000) -> int:
    """Copy every chunk with its passage and sentence vectors and the article records;
    returns the number of chunks copied. The target is committed once, at the end."""
    records = source.manifest.articles
    waiting = {a.id: len(a.chunk_ids) for a in records.values()}
    copied = 0
    for chunks, vectors in source.iter_chunks(batch):
        done = []
        for chunk in chunks:
            waiting[chunk.article_id] -= 1
            if waiting[chunk.article_id] == 0:
                done.append(records[chunk.article_id])
        sentences = source.sentence_vectors([c.id for c in chunks])
        target.add(done, chunks, vectors, sentences)
        copied += len(chunks)
        if tick:
            tick(len(chunks))
    target.commit()
    return copied


def migrate_index(
    source: Settings, target: Settings, progress: Callable[[int, str], Tick] | None = None
) -> tuple[int, str]:
    """Copy the index of `source`'s store into `target`'s (created afresh); returns the
    chunks copied and where they went. Holds the source's ingest lock meanwhile."""
    from filelock import FileLock, Timeout

    from rag.store import create_store, open_store

    where = _location(target)
    if where == _location(source):
        raise ConfigError(f"the index is already in {where}; name another store or URI")
    source.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(source.index_dir / ".ingest.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise IndexLockedError("an ingest is running; wait for it to finish and try again") from exc
    try:
        import_legacy_if_needed(source)
        old = open_store(source)
        manifest = old.manifest.model_copy(update={"articles": {}, "store": target.store})
        new = create_store(target, manifest)
        total = sum(len(r.chunk_ids) for r in old.manifest.articles.values())
        tick = progress(total, f"copying into {where}") if progress else None
        copied = copy_store(old, new, tick)
        old.close()
        new.close()
    finally:
        lock.release()
    return copied, where


def _location(settings: Settings) -> str:
    if settings.store == "milvus":
        from rag.store.milvus_store import milvus_uri

        return f"milvus {milvus_uri(settings)} ({settings.milvus_collection}_*)"
    return f"faiss {settings.index_dir.resolve()}"
