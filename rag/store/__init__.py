"""The index, behind one small interface (rag/store/base.py), on one of two engines:

* ``faiss`` (default): in-process, files in ``<data_dir>/index`` (faiss_store.py);
* ``milvus``: milvus-lite (a file) or a Milvus server or cluster by URI (milvus_store.py).

`open_store` opens the configured one; nothing outside this package knows which it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rag.errors import IndexMismatchError, IndexMissingError
from rag.store.base import Candidates, Scored, Signals, Store, StoreStats, chunk_of, sentence_id
from rag.store.manifest import FORMAT_VERSION, Manifest
from rag.store.migrate import import_legacy_if_needed

if TYPE_CHECKING:
    from rag.config import Settings

__all__ = [
    "FORMAT_VERSION",
    "Candidates",
    "Manifest",
    "Scored",
    "Signals",
    "Store",
    "StoreStats",
    "chunk_of",
    "create_store",
    "import_legacy_if_needed",
    "open_store",
    "sentence_id",
    "store_exists",
]


def _faiss_config(settings: Settings):  # type: ignore[no-untyped-def]
    from rag.store.faiss_store import FaissConfig

    return FaissConfig(
        ann_threshold=settings.ann_threshold,
        hnsw_m=settings.faiss_hnsw_m,
        ef_search=settings.faiss_ef_search,
    )


def store_exists(settings: Settings) -> bool:
    """Whether an index of any format is there (an old-format folder counts)."""
    from rag.store.legacy import legacy_folder

    if settings.store == "milvus":
        from rag.store.milvus_store import MilvusStore

        return MilvusStore.exists(settings)
    from rag.store.faiss_store import FaissStore

    return FaissStore.exists(settings.index_dir) or legacy_folder(settings.index_dir) is not None


def open_store(settings: Settings) -> Store:
    """Open the configured index for searching and writing.

    Raises IndexMissingError when there is none, IndexMismatchError when it has an older
    format (`rag ingest` imports it) or was built by another engine's settings."""
    from rag.store.legacy import legacy_folder

    if settings.store == "milvus":
        from rag.store.milvus_store import MilvusStore

        return MilvusStore.open(settings)
    from rag.store.faiss_store import FaissStore

    if not FaissStore.exists(settings.index_dir):
        if legacy_folder(settings.index_dir) is not None:
            raise IndexMismatchError(
                f"the index in {settings.index_dir} has an older format; run `rag ingest` to "
                "upgrade it (vectors are kept)"
            )
        raise IndexMissingError(f"no index in {settings.index_dir}; run `rag ingest` to build one")
    return FaissStore.open(settings.index_dir, _faiss_config(settings))


def create_store(settings: Settings, manifest: Manifest) -> Store:
    """A new, empty index for the configured engine (replacing the one there)."""
    if settings.store == "milvus":
        from rag.store.milvus_store import MilvusStore

        return MilvusStore.create(settings, manifest)
    from rag.store.faiss_store import FaissStore

    return FaissStore.create(settings.index_dir, manifest, _faiss_config(settings))
