"""Hybrid retrieval: dense passage cosine + BM25 (+ best-sentence cosine), fused by z-scores.

For a question every chunk gets its signals, computed over the whole index at once: the
cosine of its vector (`dense`), its BM25 score (`keyword`) and, when weighted, the cosine of
its best-matching sentence (`sentence`, max-sim over sentence vectors stored at ingest; off
by default, see README "Retrieval"). Each signal is standardised over the chunks that pass
the filters (z-score) and the weighted sum ranks them; z-score fusion beat reciprocal-rank
fusion and min-max normalisation on SciFact in the probe that planned this work. A recency
preference adds the z-scored publication time. The top list keeps at most
`max_per_article` passages per article before filling with the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import numpy as np
from pydantic import BaseModel, Field

from rag.corpus.text import parse_published
from rag.dates import DateIntent
from rag.embeddings import Embedder
from rag.models import Hit
from rag.period import fits
from rag.store.index import Index, chunk_of


class SearchFilters(BaseModel):
    """Restrict a search to some outlets and/or a publication date range (inclusive)."""

    sources: list[str] = Field(default_factory=list, description="Outlets to keep (exact names).")
    published_after: datetime | None = None
    published_before: datetime | None = None
    visible_to: str | None = Field(
        None,
        description="A user: their private uploads are searched beside everyone's articles. "
        "None: private uploads are never searched.",
    )

    def is_empty(self) -> bool:
        return not (self.sources or self.published_after or self.published_before)

    def mask(
        self, sources: np.ndarray, published: np.ndarray, owners: np.ndarray | None = None
    ) -> np.ndarray:
        """Which rows pass, given each row's outlet, POSIX publication time (NaN: unknown,
        excluded whenever a date bound is set) and owner (None: everyone's)."""
        keep = np.ones(len(sources), dtype=bool)
        if owners is not None:
            keep &= (owners == None) | (owners == self.visible_to)  # noqa: E711
        if self.sources:
            keep &= np.isin(sources, self.sources)
        after = parse_published(self.published_after)
        before = parse_published(self.published_before)
        if after:
            keep &= published >= after.timestamp()  # NaN compares False
        if before:
            keep &= published <= before.timestamp()
        return keep

    def narrowed(self, after: datetime | None, before: datetime | None) -> SearchFilters:
        """These filters intersected with a date window."""
        mine_after = parse_published(self.published_after)
        mine_before = parse_published(self.published_before)
        return self.model_copy(
            update={
                "published_after": max(d for d in (mine_after, after) if d)
                if (mine_after or after)
                else None,
                "published_before": min(d for d in (mine_before, before) if d)
                if (mine_before or before)
                else None,
            }
        )


class Weights(NamedTuple):
    dense: float
    sentence: float
    keyword: float
    recency: float = 0.0
    period: float = 0.0  # bonus (z units) of a passage from or about the period asked for


class Signals(NamedTuple):
    """One score per chunk row for each signal."""

    dense: np.ndarray
    sentence: np.ndarray
    keyword: np.ndarray


@dataclass(frozen=True)
class Tables:
    """Arrays derived once per loaded index for scoring every chunk at once."""

    ids: list[str]
    vectors: np.ndarray  # (chunks, dim)
    sentence_vectors: np.ndarray  # (sentences, dim), grouped by chunk row
    sentence_rows: np.ndarray  # chunk rows that have sentences
    sentence_starts: np.ndarray  # first sentence of each of those rows
    article_codes: np.ndarray  # article number of each chunk row
    article_ids: list[str]  # article id of each article number
    article_order: np.ndarray  # chunk rows sorted by article number
    article_starts: np.ndarray  # first row (in that order) of each article number
    published: np.ndarray  # POSIX time of each chunk row (NaN when unknown)
    sources: np.ndarray  # outlet of each chunk row
    owners: np.ndarray | None = None  # owner of each row (None: everyone's); None: no owners

    @classmethod
    def of(cls, index: Index) -> Tables:
        cached = index.scoring
        if isinstance(cached, Tables):
            return cached
        ids = index.store.ids
        row = {cid: n for n, cid in enumerate(ids)}
        owners = np.array([row[chunk_of(s)] for s in index.sentences.ids], dtype=np.int64)
        order = np.argsort(owners, kind="stable")
        rows, starts = np.unique(owners[order], return_index=True)
        articles: dict[str, int] = {}
        codes = np.array(
            [articles.setdefault(index.chunks[c].article_id, len(articles)) for c in ids],
            dtype=np.int64,
        )
        by_article = np.argsort(codes, kind="stable")
        chunks = [index.chunks[c] for c in ids]
        tables = cls(
            ids=ids,
            vectors=index.store.matrix(),
            sentence_vectors=np.ascontiguousarray(index.sentences.matrix()[order]),
            sentence_rows=rows,
            sentence_starts=starts,
            article_codes=codes,
            article_ids=list(articles),
            article_order=by_article,
            article_starts=np.unique(codes[by_article], return_index=True)[1],
            published=np.array(
                [c.published.timestamp() if c.published else np.nan for c in chunks],
                dtype=np.float64,
            ),
            sources=np.array([c.source for c in chunks], dtype=object),
            owners=(
                np.array([c.owner for c in chunks], dtype=object)
                if any(c.owner for c in chunks)
                else None
            ),
        )
        index.scoring = tables
        return tables


def per_article_max(tables: Tables, values: np.ndarray) -> np.ndarray:
    """Each article's best chunk value, indexed by article number (precomputed order)."""
    return np.maximum.reduceat(values[tables.article_order], tables.article_starts)


def zscore(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """(x - mean) / std over the rows in `mask`; zeros when the signal is flat."""
    sample = values if mask is None else values[mask]
    if sample.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    spread = float(sample.std())
    if spread < 1e-9:
        return np.zeros_like(values, dtype=np.float64)
    return (values.astype(np.float64) - float(sample.mean())) / spread


def fuse(
    signals: Signals,
    weights: Weights,
    mask: np.ndarray | None = None,
    published: np.ndarray | None = None,
) -> np.ndarray:
    """The weighted sum of z-scored signals (rows outside `mask` get -inf)."""
    fused = (
        weights.dense * zscore(signals.dense, mask)
        + weights.sentence * zscore(signals.sentence, mask)
        + weights.keyword * zscore(signals.keyword, mask)
    )
    if weights.recency and published is not None:
        known = np.nan_to_num(
            published, nan=np.nanmin(published) if np.isfinite(published).any() else 0.0
        )
        fused = fused + weights.recency * zscore(known, mask)
    if mask is not None:
        fused = np.where(mask, fused, -np.inf)
    return fused


class Retriever:
    """Top-k passages for a question by hybrid search."""

    def __init__(
        self, index: Index, embedder: Embedder, weights: Weights, max_per_article: int = 3
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.weights = weights
        self.max_per_article = max_per_article
        self.tables = Tables.of(index)

    def signals(self, query: str, vector: np.ndarray | None = None) -> Signals:
        """Every chunk's dense, best-sentence and keyword score for `query` (whose embedding
        `vector` may be given). With the sentence weight 0 the best-sentence signal is not
        computed and repeats the dense one: `best_sentence` gives it for a few rows."""
        t = self.tables
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
        dense = t.vectors @ vector
        sentence = dense.copy()
        if len(t.sentence_vectors) and self.weights.sentence:
            per_sentence = t.sentence_vectors @ vector
            sentence[t.sentence_rows] = np.maximum.reduceat(per_sentence, t.sentence_starts)
        keyword = (
            self.index.keyword.scores(query)
            if self.weights.keyword
            else np.zeros(len(t.ids), dtype=np.float32)
        )
        return Signals(dense, sentence, keyword)

    def mask(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Rows that pass the filters (None: all); private uploads only for their owner."""
        owners = self.tables.owners
        if owners is None and (not filters or filters.is_empty()):
            return None
        return (filters or SearchFilters()).mask(self.tables.sources, self.tables.published, owners)

    def search(
        self,
        query: str,
        k: int,
        filters: SearchFilters | None = None,
        recent: bool = False,
        *,
        vector: np.ndarray | None = None,
        period: DateIntent | None = None,
    ) -> list[Hit]:
        """The top k passages; `vector` is the query's embedding when already computed,
        `period` a time the question names (passages from or about it are preferred)."""
        t = self.tables
        if not t.ids:
            return []
        mask = self.mask(filters)
        if mask is not None and not mask.any():
            return []
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
        signals = self.signals(query, vector)
        weights = self.weights if recent else self.weights._replace(recency=0.0)
        fused = fuse(signals, weights, mask, t.published)
        allowed = len(t.ids) if mask is None else int(mask.sum())
        ranked = self._diverse_top(fused, min(k, allowed), period)
        return [
            Hit(
                chunk=self.index.chunks[t.ids[r]],
                score=float(signals.dense[r]),
                rank=rank,
                fused=round(float(value), 4),
                sentence=float(
                    signals.sentence[r] if weights.sentence else self.best_sentence(vector, r)
                ),
                keyword=float(signals.keyword[r]),
            )
            for rank, (r, value) in enumerate(ranked, start=1)
        ]

    def best_sentence(self, vector: np.ndarray, row: int) -> float:
        """Cosine of the best-matching sentence of one chunk row (its passage cosine when
        it has no sentence vectors)."""
        t = self.tables
        j = int(np.searchsorted(t.sentence_rows, row))
        if j == len(t.sentence_rows) or t.sentence_rows[j] != row:
            return float(t.vectors[row] @ vector)
        end = (
            t.sentence_starts[j + 1] if j + 1 < len(t.sentence_starts) else len(t.sentence_vectors)
        )
        return float((t.sentence_vectors[t.sentence_starts[j] : end] @ vector).max())

    def _diverse_top(
        self, fused: np.ndarray, k: int, period: DateIntent | None = None
    ) -> list[tuple[int, float]]:
        """The best k rows with their scores, at most `max_per_article` per article unless
        that leaves gaps. Candidates from or about `period` get the period bonus first."""
        pool = min(len(fused), max(k * 10, 50))
        candidates = (
            np.argpartition(-fused, pool - 1)[:pool] if pool < len(fused) else np.arange(len(fused))
        )
        scores = {int(r): float(fused[r]) for r in candidates if np.isfinite(fused[r])}
        if period is not None and self.weights.period:
            for r in scores:
                if fits(self.index.chunks[self.tables.ids[r]], period):
                    scores[r] += self.weights.period
        ordered = sorted(scores, key=lambda r: -scores[r])
        chosen: list[int] = []
        per_article: dict[int, int] = {}
        for r in ordered:
            code = int(self.tables.article_codes[r])
            if per_article.get(code, 0) < self.max_per_article:
                chosen.append(r)
                per_article[code] = per_article.get(code, 0) + 1
                if len(chosen) == k:
                    break
        if len(chosen) < k:
            taken = set(chosen)
            chosen += [r for r in ordered if r not in taken][: k - len(chosen)]
        return [(r, scores[r]) for r in chosen]
