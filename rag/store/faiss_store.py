"""The embedded store: FAISS for dense search, our segmented BM25 for keywords, SQLite for
chunks and article records, all in one folder.

Layout of ``index_dir``::

    store.sqlite          meta (manifest, file list, counts), articles, chunks (JSON by id)
    vectors.f32           passage vectors, float32 rows, appended; memory-mapped for reading
    sentences.f32         sentence vectors, grouped by chunk row, appended; memory-mapped
    rows-<gen>.npz        per-row metadata (alive, outlet, date, owner, article, sentences)
    kw-<gen>-*.npz/json   BM25 segments (immutable once written) and row lengths
    ann-<gen>.faiss       approximate dense index (HNSW over 8-bit codes) once the index is
                          large (`faiss_ann_threshold`); results re-scored exactly
    .ingest.lock          held by a running ingest

`commit` writes the new per-row files, then records them and the new row counts in one
SQLite transaction: that transaction is the only moment the index changes. A process killed
before it leaves the previous index as it was (vector rows appended past the committed count
are ignored and overwritten by the next ingest); files no transaction names are deleted.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from rag.errors import IndexError_, IndexMissingError
from rag.models import ArticleRecord, Chunk, SearchFilters
from rag.store.base import (
    ALL_DEFAULT,
    SAMPLE_CHUNKS,
    Candidates,
    Scored,
    Signals,
    StoreStats,
)
from rag.store.keyword import KeywordIndex
from rag.store.manifest import Manifest
from rag.store.rows import RowTable
from rag.store.sample import choose_sample

DB_FILE = "store.sqlite"
VECTORS = "vectors.f32"
SENTENCES = "sentences.f32"
EXACT_FILTERED_ROWS = 20_000  # fewer rows pass the filters: exact search over just those
COMPACT_DEAD_SHARE = 0.25


@dataclass(frozen=True)
class FaissConfig:
    ann_threshold: int = 100_000  # live passages from which HNSW is built (docs/vector-stores-2026-12-01.md: scale table)
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128


class _Vectors:
    """An append-only file of float32 rows, read through a memory map."""

    def __init__(self, path: Path, dimension: int, committed: int) -> None:
        self.path, self.dimension, self.committed = path, dimension, committed
        self.pending = 0
        self._map: np.ndarray | None = None
        self._fh: Any = None

    def __len__(self) -> int:
        return self.committed + self.pending

    def matrix(self) -> np.ndarray:
        rows = len(self)
        if rows == 0:
            return np.zeros((0, self.dimension), np.float32)
        if self._map is None or len(self._map) != rows:
            if self._fh is not None:
                self._fh.flush()
            mapped = np.memmap(self.path, np.float32, "r", shape=(rows, self.dimension))
            self._map = np.asarray(mapped)  # a plain array over the map: no memmap overheads
        return self._map

    def append(self, vectors: np.ndarray) -> int:
        first = len(self)
        if self._fh is None:
            mode = "r+b" if self.path.exists() else "wb"
            self._fh = open(self.path, mode)  # noqa: SIM115 (kept open while writing)
            self._fh.truncate(self.committed * self.dimension * 4)  # drop uncommitted rows
            self._fh.seek(self.committed * self.dimension * 4)
        self._fh.write(np.ascontiguousarray(vectors, np.float32).tobytes())
        self.pending += len(vectors)
        return first

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
        self.committed += self.pending
        self.pending = 0

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        self._map = None


class FaissStore:
    """Reader and writer of one index folder (see the module docstring)."""

    engine = "faiss"

    def __init__(self, folder: Path, manifest: Manifest, config: FaissConfig) -> None:
        self.folder = folder
        self.manifest = manifest
        self.config = config
        self.db = sqlite3.connect(folder / DB_FILE, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.rows = RowTable()
        self.keyword = KeywordIndex()
        self.sent_start = np.zeros(0, np.int64)
        self.sent_count = np.zeros(0, np.int32)
        self.files: dict[str, Any] = {}
        self.vectors = _Vectors(folder / VECTORS, manifest.dimension, 0)
        self.sentences = _Vectors(folder / SENTENCES, manifest.dimension, 0)
        self.ann: Any = None
        self.ann_rows = 0
        self.sample_rows = np.zeros(0, np.int64)
        self._dirty_records: dict[str, ArticleRecord | None] = {}
        self._kw_pending: list[tuple[int, list[str]]] = []

    # ---- opening -------------------------------------------------------------------------

    @staticmethod
    def exists(folder: Path) -> bool:
        return (folder / DB_FILE).exists()

    @classmethod
    def create(cls, folder: Path, manifest: Manifest, config: FaissConfig) -> FaissStore:
        """A new, empty index in `folder` (replacing whatever index was there)."""
        folder.mkdir(parents=True, exist_ok=True)
        for name in (DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", VECTORS, SENTENCES):
            (folder / name).unlink(missing_ok=True)
        store = cls(folder, manifest, config)
        with store.db:
            store.db.executescript(
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                "CREATE TABLE articles (id TEXT PRIMARY KEY, json TEXT NOT NULL);"
                "CREATE TABLE chunks (id TEXT PRIMARY KEY, json TEXT NOT NULL);"
            )
        return store

    @classmethod
    def open(cls, folder: Path, config: FaissConfig) -> FaissStore:
        if not cls.exists(folder):
            raise IndexMissingError(f"no index in {folder}; run `rag ingest` to build one")
        try:
            db = sqlite3.connect(folder / DB_FILE)
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
            articles = [r for (r,) in db.execute("SELECT json FROM articles")]
            db.close()
            manifest = Manifest.model_validate_json(meta["manifest"])
            manifest.articles = {
                a.id: a for a in (ArticleRecord.model_validate_json(j) for j in articles)
            }
            files = json.loads(meta["files"])
        except (sqlite3.Error, KeyError, ValidationError, ValueError) as exc:
            raise IndexError_(
                f"the index in {folder} is unreadable ({exc}); run `rag ingest --rebuild`"
            ) from exc
        store = cls(folder, manifest, config)
        store._load(files)
        return store

    def _load(self, files: dict[str, Any]) -> None:
        self.files = files
        folder = self.folder
        try:
            self.rows = RowTable.load(folder / files["rows"])
            sent = np.load(folder / files["rows"])
            self.sent_start, self.sent_count = sent["sent_start"], sent["sent_count"]
            self.keyword = KeywordIndex.load(folder, files["keyword_stem"], files["segments"])
        except (OSError, KeyError, ValueError) as exc:
            raise IndexError_(
                f"the index files in {folder} are damaged ({exc}); run `rag ingest --rebuild`"
            ) from exc
        d = self.manifest.dimension
        self.vectors = _Vectors(folder / files.get("vectors", VECTORS), d, files["vector_rows"])
        self.sentences = _Vectors(
            folder / files.get("sentences", SENTENCES), d, files["sentence_rows"]
        )
        for vec in (self.vectors, self.sentences):
            size = vec.path.stat().st_size if vec.path.exists() else 0
            if size < vec.committed * d * 4:
                raise IndexError_(
                    f"{vec.path} is shorter than its index says; run `rag ingest --rebuild`"
                )
        if len(self.rows) != self.vectors.committed:
            raise IndexError_(f"{folder}: vectors and chunks disagree; run `rag ingest --rebuild`")
        self.sample_rows = self.rows.rows(files.get("sample", []))
        if files.get("ann"):
            import faiss

            self.ann = faiss.read_index(str(folder / files["ann"]))
            self.ann_rows = int(self.ann.ntotal)

    # ---- reading -------------------------------------------------------------------------

    def chunks(self, ids: Sequence[str]) -> list[Chunk]:
        """The chunks with these ids, in that order (unknown ids are left out)."""
        found: dict[str, Chunk] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for (text,) in self.db.execute(f"SELECT json FROM chunks WHERE id IN ({marks})", part):
                chunk = Chunk.model_validate_json(text)
                found[chunk.id] = chunk
        return [found[i] for i in ids if i in found]

    def iter_chunks(self, batch: int = 1000) -> Iterator[tuple[list[Chunk], np.ndarray]]:
        """Every live chunk with its passage vector, in batches (for migration)."""
        live = np.flatnonzero(self.rows.alive)
        matrix = self.vectors.matrix()
        for start in range(0, len(live), batch):
            rows = live[start : start + batch]
            chunks = self.chunks([self.rows.ids[r] for r in rows])
            yield chunks, np.asarray(matrix[rows], np.float32)

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
        """Each chunk's stored sentence vectors (in `split_sentences` order), where stored."""
        matrix = self.sentences.matrix()
        out = {}
        for chunk_id in chunk_ids:
            row = self.rows.row_of.get(chunk_id)
            if row is None or self.sent_count[row] == 0:
                continue
            start = int(self.sent_start[row])
            out[chunk_id] = np.asarray(matrix[start : start + self.sent_count[row]], np.float32)
        return out

    def stats(self) -> StoreStats:
        disk = sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())
        return StoreStats(
            engine="faiss",
            location=str(self.folder),
            dense_index=self.manifest.index_type,
            keyword_index=f"side index (segmented BM25, {len(self.keyword.segments)} segments)",
            chunks=self.rows.live_count(),
            sentences=int(self.sent_count[self.rows.alive].sum()) if len(self.rows) else 0,
            disk_bytes=disk,
        )

    def candidates(
        self,
        vector: np.ndarray,
        text: str,
        k: int,
        filters: SearchFilters | None = None,
        signals: Signals = ALL_DEFAULT,
    ) -> Candidates:
        """Each signal's top `k` rows passing the filters, every signal filled in for their
        union, and the reference sample scored the same way (see rag/store/base.py)."""
        timings: dict[str, float] = {}
        mask = self.rows.mask(filters)
        passing = int(np.count_nonzero(mask))
        if passing == 0:
            return Candidates(Scored.empty(), None, timings)
        vector = np.ascontiguousarray(vector, np.float32)
        started = time.perf_counter()
        keyword = (
            self.keyword.scores(text, self.rows.alive)
            if signals.keyword
            else np.zeros(len(self.rows), np.float32)
        )
        timings["keyword"] = (time.perf_counter() - started) * 1000
        if passing <= k:
            found = np.flatnonzero(mask)
        else:
            started = time.perf_counter()
            parts = [self._dense_top(vector, k, mask, passing)] if signals.dense else []
            timings["dense"] = (time.perf_counter() - started) * 1000
            if signals.keyword:
                parts.append(KeywordIndex.top(keyword, mask, k))
            if signals.sentence:
                best = np.where(mask, self._best_sentences(vector, None), -np.inf)
                parts.append(_top(best, k))
            found = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
        scored = self._score(found, vector, keyword, signals)
        sample = None
        if passing > k:
            rows = self.sample_rows[mask[self.sample_rows]]
            if len(rows) < 50:  # too few sample rows pass: the visible sample stands in
                visible = SearchFilters(visible_to=(filters or SearchFilters()).visible_to)
                rows = self.sample_rows[self.rows.mask(visible)[self.sample_rows]]
            rows = np.sort(rows)
            matrix = self._sample_matrix()
            if len(rows) < len(self.sample_rows):
                matrix = matrix[np.searchsorted(self.sample_rows, rows)]
            sample = self._score(rows, vector, keyword, signals, matrix @ vector)
        return Candidates(scored, sample, timings)

    def _sample_matrix(self) -> np.ndarray:
        """The sample rows' passage vectors, held in memory (a few MB)."""
        cached = getattr(self, "_sample_cache", None)
        if cached is None or cached[0] is not self.sample_rows:
            cached = (self.sample_rows, np.array(self.vectors.matrix()[self.sample_rows]))
            self._sample_cache = cached
        return cached[1]

    def _score(
        self,
        rows: np.ndarray,
        vector: np.ndarray,
        keyword: np.ndarray,
        signals: Signals,
        dense: np.ndarray | None = None,
    ) -> Scored:
        rows = np.sort(rows)
        if dense is None:
            dense = self.vectors.matrix()[rows] @ vector if len(rows) else np.zeros(0, np.float32)
        sentence = self._best_sentences(vector, rows) if signals.sentence else dense
        return Scored(
            ids=[self.rows.ids[r] for r in rows],
            articles=[self.rows.articles[self.rows.article[r]] for r in rows],
            published=self.rows.published[rows],
            dense=np.asarray(dense, np.float32),
            keyword=keyword[rows],
            sentence=np.asarray(sentence, np.float32),
        )

    def _dense_top(self, vector: np.ndarray, k: int, mask: np.ndarray, passing: int) -> np.ndarray:
        matrix = self.vectors.matrix()
        if self.ann is None:
            scores = matrix @ vector
            return _top(np.where(mask, scores, -np.inf), k)
        if passing <= EXACT_FILTERED_ROWS:
            rows = np.flatnonzero(mask)
            return np.asarray(rows[_top(matrix[rows] @ vector, k)], np.int64)
        import faiss

        covered = mask[: self.ann_rows]
        bits = np.packbits(covered, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(covered), faiss.swig_ptr(bits))
        ef = max(self.config.ef_search, k)
        params = faiss.SearchParametersHNSW(efSearch=ef, sel=selector)  # type: ignore[attr-defined]
        _, found = self.ann.search(vector.reshape(1, -1), k, params=params)
        rows = found[0][found[0] >= 0]
        tail = np.flatnonzero(mask[self.ann_rows :]) + self.ann_rows  # not yet in the graph
        return np.asarray(np.concatenate([rows, tail]), np.int64)

    def _best_sentences(self, vector: np.ndarray, rows: np.ndarray | None) -> np.ndarray:
        """Best sentence cosine of each row (all rows when `rows` is None); rows without
        sentence vectors get their passage cosine. Sentences sit in the file row after row,
        so every row's sentences are one contiguous run."""
        matrix = self.sentences.matrix()
        every = rows is None
        rows = np.arange(len(self.rows)) if rows is None else rows
        out = np.asarray(self.vectors.matrix()[rows] @ vector, np.float32)
        if not len(matrix) or not len(rows):
            return out
        counts = self.sent_count[rows]
        has = np.flatnonzero(counts > 0)
        if every:
            per_sentence = matrix @ vector
            out[has] = np.maximum.reduceat(per_sentence, self.sent_start[rows][has])
            return out
        for n in has:
            start = int(self.sent_start[rows[n]])
            out[n] = float((matrix[start : start + counts[n]] @ vector).max())
        return out

    # ---- writing -------------------------------------------------------------------------

    def add(
        self,
        records: Sequence[ArticleRecord],
        chunks: Sequence[Chunk],
        vectors: np.ndarray,
        sentence_vectors: Mapping[str, np.ndarray],
    ) -> None:
        """Stage articles with their chunks, passage vectors and sentence vectors (by chunk
        id); visible after `commit`. An article already indexed is replaced."""
        self.remove([r.id for r in records if r.id in self.manifest.articles])
        first = self.rows.append(chunks)
        self.vectors.append(vectors)
        starts = np.zeros(len(chunks), np.int64)
        counts = np.zeros(len(chunks), np.int32)
        for n, chunk in enumerate(chunks):
            sent = sentence_vectors.get(chunk.id)
            if sent is not None and len(sent):
                starts[n] = self.sentences.append(sent)
                counts[n] = len(sent)
        self.sent_start = np.concatenate([self.sent_start, starts])
        self.sent_count = np.concatenate([self.sent_count, counts])
        self._kw_pending.append((first, [f"{c.title}\n{c.text}" for c in chunks]))
        # written now, inside the open transaction: other readers see them at commit only,
        # and a large ingest never holds its chunks in memory
        self.db.executemany(
            "INSERT OR REPLACE INTO chunks (id, json) VALUES (?, ?)",
            ((c.id, c.model_dump_json()) for c in chunks),
        )
        for record in records:
            self.manifest.articles[record.id] = record
            self._dirty_records[record.id] = record

    def keep(self, records: Sequence[ArticleRecord]) -> None:
        """Update stored records of unchanged articles (e.g. a file that moved)."""
        for record in records:
            self.manifest.articles[record.id] = record
            self._dirty_records[record.id] = record

    def remove(self, article_ids: Sequence[str]) -> None:
        for article_id in article_ids:
            record = self.manifest.articles.pop(article_id, None)
            if record is None:
                continue
            self.rows.kill(record.chunk_ids)
            self.db.executemany("DELETE FROM chunks WHERE id = ?", ((c,) for c in record.chunk_ids))
            self._dirty_records[article_id] = None

    def commit(self) -> None:
        """Make everything staged visible at once (one SQLite transaction)."""
        gen = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        for first, texts in self._kw_pending:
            self.keyword.add(first, texts)
        self._kw_pending.clear()
        dead = len(self.rows) - self.rows.live_count()
        if len(self.rows) > 1000 and dead > COMPACT_DEAD_SHARE * len(self.rows):
            self._compact(gen)
        else:
            self.keyword.compact(self.rows.alive)
        self.vectors.sync()
        self.sentences.sync()
        self._update_ann(gen)
        self.files = self._write_files(gen)
        self.manifest.updated_at = _now()
        header = self.manifest.model_copy(update={"articles": {}})
        with self.db:  # commits the chunk rows written by add/remove too
            for article_id, record in self._dirty_records.items():
                if record is None:
                    self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
                else:
                    self.db.execute(
                        "INSERT OR REPLACE INTO articles (id, json) VALUES (?, ?)",
                        (article_id, record.model_dump_json()),
                    )
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('manifest', ?)", (header.model_dump_json(),)
            )
            self.db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('files', ?)", (json.dumps(self.files),)
            )
        self._dirty_records.clear()
        self._remove_unlisted_files()

    def _update_ann(self, gen: str) -> None:
        live = self.rows.live_count()
        if self.ann is None and live < self.config.ann_threshold:
            self.manifest.index_type = "flat"
            return
        import faiss

        matrix = self.vectors.matrix()
        if self.ann is None:
            self.ann = faiss.index_factory(
                self.manifest.dimension, f"HNSW{self.config.hnsw_m},SQ8", faiss.METRIC_INNER_PRODUCT
            )
            self.ann.hnsw.efConstruction = self.config.ef_construction
            step = max(1, len(matrix) // 50_000)
            self.ann.train(np.ascontiguousarray(matrix[::step]))
            self.ann_rows = 0
        before = int(self.ann.ntotal) if self.ann_rows else -1
        for start in range(self.ann_rows, len(matrix), 100_000):
            self.ann.add(np.ascontiguousarray(matrix[start : start + 100_000]))
        self.ann_rows = int(self.ann.ntotal)
        self.manifest.index_type = f"hnsw{self.config.hnsw_m}-sq8"
        self._ann_changed = before != self.ann_rows

    def _write_files(self, gen: str) -> dict[str, Any]:
        folder = self.folder
        rows_name = f"rows-{gen}.npz"
        table_path = folder / rows_name
        self.rows.save(table_path)
        extra = dict(np.load(table_path))
        np.savez(table_path, **extra, sent_start=self.sent_start, sent_count=self.sent_count)
        stem = f"kw-{gen}"
        names = self.keyword.save(folder, stem)
        files: dict[str, Any] = {
            "rows": rows_name,
            "keyword_stem": stem,
            "segments": names,
            "vectors": self.vectors.path.name,
            "sentences": self.sentences.path.name,
            "vector_rows": self.vectors.committed,
            "sentence_rows": self.sentences.committed,
            "sample": [self.rows.ids[r] for r in choose_sample(self.rows, SAMPLE_CHUNKS)],
        }
        if self.ann is not None:
            import faiss

            name = self.files.get("ann") if not getattr(self, "_ann_changed", False) else None
            if name is None:
                name = f"ann-{gen}.faiss"
                faiss.write_index(self.ann, str(folder / name))
            files["ann"] = name
            self._ann_changed = False
        for path in folder.iterdir():
            if path.name.startswith((f"rows-{gen}", f"kw-{gen}", f"ann-{gen}")):
                _fsync(path)
        self.sample_rows = self.rows.rows(files["sample"])
        return files

    def _compact(self, gen: str) -> None:
        """Drop dead rows: rewrite the vector files and renumber every row."""
        table, renumber = self.rows.compacted()
        keep = np.flatnonzero(self.rows.alive)
        d = self.manifest.dimension
        vectors = _Vectors(self.folder / f"vectors-{gen}.f32", d, 0)
        sentences = _Vectors(self.folder / f"sentences-{gen}.f32", d, 0)
        old_v, old_s = self.vectors.matrix(), self.sentences.matrix()
        starts = np.zeros(len(keep), np.int64)
        for begin in range(0, len(keep), 50_000):
            part = keep[begin : begin + 50_000]
            vectors.append(np.asarray(old_v[part]))
            for n, row in enumerate(part, start=begin):
                count = int(self.sent_count[row])
                if count:
                    s = int(self.sent_start[row])
                    starts[n] = sentences.append(np.asarray(old_s[s : s + count]))
        self.sent_count = self.sent_count[keep]
        self.sent_start = starts
        self.vectors.close()
        self.sentences.close()
        self.vectors, self.sentences = vectors, sentences
        self.keyword.compact(self.rows.alive, renumber)
        self.rows = table
        self.ann, self.ann_rows = None, 0

    def _remove_unlisted_files(self) -> None:
        listed = {DB_FILE, f"{DB_FILE}-wal", f"{DB_FILE}-shm", ".ingest.lock"}
        listed |= {self.files["rows"], self.files["vectors"], self.files["sentences"]}
        listed |= set(KeywordIndex.files(self.files["keyword_stem"], self.files["segments"]))
        if self.files.get("ann"):
            listed.add(self.files["ann"])
        for path in self.folder.iterdir():
            if path.is_file() and path.name not in listed and not path.name.startswith("."):
                path.unlink(missing_ok=True)

    def close(self) -> None:
        self.vectors.close()
        self.sentences.close()
        self.db.close()


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the k highest finite scores (any order)."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, np.int64)
    top = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return np.asarray(top[np.isfinite(scores[top])], np.int64)


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
