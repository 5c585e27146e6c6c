"""The on-disk index: manifest + chunks + vectors, written as whole generations.

Layout of ``index_dir``::

    CURRENT            name of the live generation folder (replaced atomically)
    gen-<time>-<rand>/ manifest.json, chunks.jsonl,
                       vectors.faiss + vector_ids.json (one vector per chunk),
                       sentence_vectors.faiss + sentence_vector_ids.json (one per sentence,
                       ids "<chunk id>#<n>" in `split_sentences` order),
                       bm25/ (keyword index, rows in chunk-vector order)
    .ingest.lock       held by a running ingest

A new generation is written completely, fsynced, then CURRENT is swapped with os.replace:
an ingest killed at any point leaves the previous generation live and loadable.
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from rag.errors import IndexError_, IndexMissingError
from rag.keyword import KeywordIndex
from rag.models import Chunk
from rag.store.faiss_store import FaissStore
from rag.store.manifest import Manifest

CURRENT = "CURRENT"
MANIFEST_FILE = "manifest.json"
CHUNKS_FILE = "chunks.jsonl"
SENTENCE_PREFIX = "sentence_"


def sentence_id(chunk_id: str, n: int) -> str:
    return f"{chunk_id}#{n}"


def chunk_of(sentence_vector_id: str) -> str:
    return sentence_vector_id.rsplit("#", 1)[0]


class Index:
    """A loaded index generation: chunks, their vectors, sentence vectors, keyword index."""

    def __init__(
        self,
        manifest: Manifest,
        chunks: dict[str, Chunk],
        store: FaissStore,
        sentences: FaissStore | None = None,
        keyword: KeywordIndex | None = None,
    ) -> None:
        self.manifest = manifest
        self.chunks = chunks
        self.store = store
        self.sentences = sentences or FaissStore(manifest.dimension, SENTENCE_PREFIX)
        self.keyword = keyword or KeywordIndex.build([], [])
        self.scoring: object | None = None  # rag.retrieval.Tables, derived on first search

    @classmethod
    def empty(cls, manifest: Manifest) -> Index:
        return cls(manifest, {}, FaissStore(manifest.dimension))

    @staticmethod
    def live_folder(index_dir: Path) -> Path | None:
        pointer = index_dir / CURRENT
        if not pointer.exists():
            return None
        folder = index_dir / pointer.read_text().strip()
        if not folder.is_dir():
            raise IndexError_(
                f"{pointer} names a missing folder; run `rag ingest --rebuild` to rebuild the index"
            )
        return folder

    @classmethod
    def exists(cls, index_dir: Path) -> bool:
        return (index_dir / CURRENT).exists()

    @classmethod
    def read_manifest(cls, index_dir: Path) -> Manifest:
        folder = cls.live_folder(index_dir)
        if folder is None:
            raise IndexMissingError(f"no index in {index_dir}; run `rag ingest` to build one")
        try:
            return Manifest.model_validate_json((folder / MANIFEST_FILE).read_text())
        except (OSError, ValidationError) as exc:
            raise IndexError_(
                f"the index manifest in {folder} is unreadable; run `rag ingest --rebuild`"
            ) from exc

    @classmethod
    def load(cls, index_dir: Path) -> Index:
        """Load the live generation; a missing or damaged index raises a clear error.

        An index of an older format loads without sentence vectors and keyword index (its
        manifest says `outdated`); only ingest uses it that way, to upgrade it.
        """
        manifest = cls.read_manifest(index_dir)
        folder = cls.live_folder(index_dir)
        assert folder is not None
        try:
            with (folder / CHUNKS_FILE).open(encoding="utf-8") as fh:
                chunks = [Chunk.model_validate_json(line) for line in fh if line.strip()]
        except (OSError, ValidationError) as exc:
            raise IndexError_(
                f"the chunk file in {folder} is damaged; run `rag ingest --rebuild`"
            ) from exc
        store = FaissStore.load(folder, manifest.dimension)
        if len(store) != len(chunks):
            raise IndexError_(f"{folder}: vectors and chunks disagree; run `rag ingest --rebuild`")
        if manifest.outdated:
            return cls(manifest, {c.id: c for c in chunks}, store)
        sentences = FaissStore.load(folder, manifest.dimension, SENTENCE_PREFIX)
        keyword = KeywordIndex.load(folder)
        if keyword.ids != store.ids:
            raise IndexError_(
                f"{folder}: keyword and vector rows disagree; run `rag ingest --rebuild`"
            )
        return cls(manifest, {c.id: c for c in chunks}, store, sentences, keyword)

    def save(self, index_dir: Path) -> Path:
        """Write this index as a new generation and make it live atomically."""
        index_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{secrets.token_hex(3)}"
        tmp = index_dir / f".tmp-{name}"
        tmp.mkdir()
        self.manifest.updated_at = datetime.now(UTC)
        (tmp / MANIFEST_FILE).write_text(self.manifest.model_dump_json(indent=2))
        with (tmp / CHUNKS_FILE).open("w", encoding="utf-8") as fh:
            for chunk in self.chunks.values():
                fh.write(chunk.model_dump_json() + "\n")
        self.store.save(tmp)
        self.sentences.save(tmp)
        self.keyword.save(tmp)
        _fsync_folder(tmp)
        final = index_dir / name
        tmp.rename(final)
        pointer_tmp = index_dir / f".{CURRENT}.tmp"
        pointer_tmp.write_text(name)
        _fsync_file(pointer_tmp)
        os.replace(pointer_tmp, index_dir / CURRENT)
        _fsync_dir_entry(index_dir)
        self._remove_old_generations(index_dir, keep=name)
        return final

    @staticmethod
    def _remove_old_generations(index_dir: Path, keep: str) -> None:
        for entry in index_dir.iterdir():
            is_generation = entry.name.startswith(("gen-", ".tmp-gen-"))
            if entry.is_dir() and is_generation and entry.name != keep:
                shutil.rmtree(entry, ignore_errors=True)

    def size_bytes(self, index_dir: Path) -> int:
        folder = self.live_folder(index_dir)
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder else 0


def _fsync_file(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir_entry(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir():
            _fsync_folder(path)
        else:
            _fsync_file(path)
    _fsync_dir_entry(folder)
