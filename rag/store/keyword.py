"""The keyword side of hybrid search: BM25 over chunk rows, English and Chinese, incremental.

Tokens are lower-cased, English stop words dropped and words stemmed (Snowball via
PyStemmer); runs of CJK characters are segmented with jieba (search mode, so both "智能手机"
and "手机" match).

Scores are bm25s' "lucene" BM25 (same k1, b, idf and length normalisation; a unit test
checks them against bm25s), but the index is kept as segments of term frequencies and the
collection statistics (document count, document frequency, mean length) are taken at query
time over the rows alive now. So an ingest only tokenizes its new chunks and appends a
segment, a deletion only clears a row's alive bit, and the scores stay exactly what a
rebuild over the live rows would give; segments are merged when there are too many.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexError_
from rag.text.sentences import HAN

TOKENIZER_VERSION = "en-snowball+jieba-v1"
K1, B = 1.2, 0.75
MAX_SEGMENTS = 8

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+(?:['’.][^\W_]+)*")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Keyword tokens of a text: stemmed English words, jieba words for CJK runs."""
    stop = _stopwords()
    words: list[str] = []
    for run in _RUN.findall(text.lower()):
        if HAN.match(run):
            words.extend(w for w in _jieba().cut_for_search(run) if w.strip())
        else:
            run = run.replace("’", "'").removesuffix("'s")
            if run not in stop:
                words.append(run)
    latin = [w for w in words if not HAN.match(w)]
    stems = dict(zip(latin, _stemmer().stemWords(latin), strict=True))
    return [stems.get(w, w) for w in words]


@dataclass
class Segment:
    """Term frequencies of some rows, by term (CSC-like): postings of term t are
    rows[starts[t]:starts[t+1]] with frequencies tf[...]."""

    vocab: dict[str, int]
    starts: np.ndarray  # int64, len(vocab) + 1
    rows: np.ndarray  # int32 global row numbers
    tf: np.ndarray  # float32

    @classmethod
    def build(cls, first_row: int, token_lists: Sequence[Sequence[str]]) -> Segment:
        vocab: dict[str, int] = {}
        terms: list[int] = []
        rows: list[int] = []
        freqs: list[int] = []
        for n, tokens in enumerate(token_lists):
            for token, count in Counter(tokens).items():
                terms.append(vocab.setdefault(token, len(vocab)))
                rows.append(first_row + n)
                freqs.append(count)
        return cls.from_triples(vocab, np.array(terms), np.array(rows), np.array(freqs))

    @classmethod
    def from_triples(
        cls, vocab: dict[str, int], terms: np.ndarray, rows: np.ndarray, tf: np.ndarray
    ) -> Segment:
        order = np.lexsort((rows, terms))
        counts = np.bincount(terms.astype(np.int64), minlength=len(vocab))
        starts = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return cls(vocab, starts, rows[order].astype(np.int32), tf[order].astype(np.float32))

    def postings(self, token: str) -> tuple[np.ndarray, np.ndarray] | None:
        col = self.vocab.get(token)
        if col is None:
            return None
        a, b = self.starts[col], self.starts[col + 1]
        return self.rows[a:b], self.tf[a:b]

    def save(self, path: Path) -> None:
        np.savez(path.with_suffix(".npz"), starts=self.starts, rows=self.rows, tf=self.tf)
        path.with_suffix(".vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> Segment:
        arrays = np.load(path.with_suffix(".npz"))
        vocab = json.loads(path.with_suffix(".vocab.json").read_text())
        return cls(vocab, arrays["starts"], arrays["rows"], arrays["tf"])


def merge(segments: Sequence[Segment], alive: np.ndarray) -> Segment:
    """One segment with the postings of all, dead rows dropped."""
    vocab: dict[str, int] = {}
    parts = []
    for seg in segments:
        remap = np.array(
            [vocab.setdefault(t, len(vocab)) for t in sorted(seg.vocab, key=seg.vocab.get)],  # type: ignore[arg-type]
            dtype=np.int64,
        )
        terms = np.repeat(remap, np.diff(seg.starts)) if len(remap) else np.zeros(0, np.int64)
        keep = alive[seg.rows] if len(seg.rows) else np.zeros(0, bool)
        parts.append((terms[keep], seg.rows[keep], seg.tf[keep]))
    if not parts:
        return Segment({}, np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))
    terms, rows, tf = (np.concatenate(p) for p in zip(*parts, strict=True))
    return Segment.from_triples(vocab, terms, rows, tf)


class KeywordIndex:
    """BM25 over the rows of a store; rows are numbered by the store, `alive` says which
    count (deleted rows and rows outside any segment never score)."""

    def __init__(self, segments: list[Segment] | None = None, lengths: np.ndarray | None = None):
        self.segments = segments or []
        self.lengths = lengths if lengths is not None else np.zeros(0, np.float32)

    def add(self, first_row: int, texts: Sequence[str]) -> None:
        """Index rows first_row .. first_row + len(texts) - 1 (a new segment)."""
        if not texts:
            return
        tokens = [tokenize(t) for t in texts]
        end = first_row + len(texts)
        if len(self.lengths) < end:
            grown = np.zeros(end, np.float32)
            grown[: len(self.lengths)] = self.lengths
            self.lengths = grown
        self.lengths[first_row:end] = [len(t) for t in tokens]
        self.segments.append(Segment.build(first_row, tokens))

    def compact(self, alive: np.ndarray, renumber: np.ndarray | None = None) -> None:
        """Merge the segments when there are too many (or always, when rows are renumbered:
        `renumber[old_row]` is the new row, or -1 for a dropped row)."""
        if renumber is None and len(self.segments) <= MAX_SEGMENTS:
            return
        merged = merge(self.segments, self._pad(alive))
        if renumber is not None:
            merged.rows = renumber[merged.rows].astype(np.int32)
            lengths = np.zeros(int(renumber.max(initial=-1)) + 1, np.float32)
            kept = renumber[: len(self.lengths)] >= 0
            lengths[renumber[: len(self.lengths)][kept]] = self.lengths[kept]
            self.lengths = lengths
        self.segments = [merged]

    def _pad(self, alive: np.ndarray) -> np.ndarray:
        if len(alive) >= len(self.lengths):
            return alive[: max(len(self.lengths), 0)] if len(self.lengths) else alive
        padded = np.zeros(len(self.lengths), bool)
        padded[: len(alive)] = alive
        return padded

    def scores(self, query: str, alive: np.ndarray) -> np.ndarray:
        """BM25 of every row for `query` (0 for dead rows and rows sharing no word)."""
        out = np.zeros(len(alive), np.float32)
        tokens = tokenize(query)
        alive = alive[: len(self.lengths)] if len(alive) > len(self.lengths) else alive
        count = int(np.count_nonzero(alive))
        if not tokens or count == 0:
            return out
        mean_length = float(np.dot(self.lengths[: len(alive)], alive)) / count
        for token in tokens:  # repeated query words count again, as in bm25s
            found = [p for seg in self.segments if (p := seg.postings(token)) is not None]
            if not found:
                continue
            rows = np.concatenate([r for r, _ in found])
            tf = np.concatenate([f for _, f in found])
            keep = rows < len(alive)
            rows, tf = rows[keep], tf[keep]
            keep = alive[rows]
            rows, tf = rows[keep], tf[keep]
            if rows.size == 0:
                continue
            idf = np.log(1.0 + (count - rows.size + 0.5) / (rows.size + 0.5))
            norm = K1 * ((1 - B) + B * self.lengths[rows] / mean_length)
            out[rows] += (idf * tf / (norm + tf)).astype(np.float32)
        return out

    @staticmethod
    def top(scores: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
        """Rows of the k best positive scores among the rows in `mask` (any order)."""
        rows = np.flatnonzero(scores)
        rows = rows[mask[rows]]
        if len(rows) > k:
            rows = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        return np.asarray(rows, np.int64)

    def save(self, folder: Path, stem: str) -> list[str]:
        """Write the segments as `<stem>-<n>.*` files; returns their stems."""
        folder.mkdir(parents=True, exist_ok=True)
        names = []
        for n, seg in enumerate(self.segments):
            name = f"{stem}-{n}"
            seg.save(folder / name)
            names.append(name)
        np.save(folder / f"{stem}-lengths.npy", self.lengths)
        return names

    @classmethod
    def load(cls, folder: Path, stem: str, names: Iterable[str]) -> KeywordIndex:
        try:
            segments = [Segment.load(folder / n) for n in names]
            lengths = np.load(folder / f"{stem}-lengths.npy")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexError_(
                f"the keyword index in {folder} is damaged ({exc}); run `rag ingest --rebuild`"
            ) from exc
        return cls(segments, lengths)

    @staticmethod
    def files(stem: str, names: Iterable[str]) -> list[str]:
        """File names written by `save` for these segment stems."""
        out = [f"{stem}-lengths.npy"]
        for n in names:
            out += [f"{n}.npz", f"{n}.vocab.json"]
        return out
