"""Hybrid retrieval: dense passage cosine + BM25 (+ best-sentence cosine), fused by z-scores.

The store returns each signal's top candidates for the question (a few hundred, filters
applied by the engine), every signal filled in for their union, and the same scores for a
fixed reference sample of the collection (rag/store/base.py). Each signal is standardised
with the mean and spread it has over the whole collection that passes the filters, as the
sample estimates them (when the candidates are that whole collection, over them: small
corpora are scored exactly as a full scan would), and the weighted sum ranks the union.
Only the spreads change a ranking, and a few hundred sampled rows give them to within a few
per cent; z-scores over the candidates alone would not (README "Vector stores and scale").
A recency preference adds the z-scored publication time. The top list keeps at most
`max_per_article` passages per article before filling with the rest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rag.dates import DateIntent
from rag.embeddings import Embedder
from rag.models import Hit
from rag.period import fits
from rag.search import SearchFilters, Weights
from rag.store.base import POOL, Candidates, Scored, Store
from rag.store.base import Signals as Wanted

__all__ = ["Retriever", "SearchFilters", "Signals", "Weights", "fuse", "zscore"]


class Signals(NamedTuple):
    """One score per row for each signal (rows: candidate chunks or documents)."""

    dense: np.ndarray
    sentence: np.ndarray
    keyword: np.ndarray


def zscore(values: np.ndarray, population: np.ndarray | None = None) -> np.ndarray:
    """(x - mean) / std, mean and std taken over `population` (default: the values
    themselves); zeros when the signal is flat."""
    sample = values if population is None else population
    if sample.size == 0:
        return np.zeros_like(values, dtype=np.float64)
    spread = float(sample.std())
    if spread < 1e-9:
        return np.zeros_like(values, dtype=np.float64)
    return (values.astype(np.float64) - float(sample.mean())) / spread


def _known(published: np.ndarray, fill: float) -> np.ndarray:
    return np.asarray(np.nan_to_num(published, nan=fill), np.float64)


def fuse(
    signals: Signals,
    weights: Weights,
    population: Signals | None = None,
    published: np.ndarray | None = None,
    population_published: np.ndarray | None = None,
) -> np.ndarray:
    """The weighted sum of z-scored signals; each signal's mean and spread come from
    `population` (the reference sample) when given, else from the rows themselves."""
    pop = population or signals
    fused = (
        weights.dense * zscore(signals.dense, pop.dense)
        + weights.sentence * zscore(signals.sentence, pop.sentence)
        + weights.keyword * zscore(signals.keyword, pop.keyword)
    )
    if weights.recency and published is not None:
        ref = published if population_published is None else population_published
        both = np.concatenate([published, ref])
        fill = float(np.nanmin(both)) if np.isfinite(both).any() else 0.0
        fused = fused + weights.recency * zscore(_known(published, fill), _known(ref, fill))
    return fused


def signals_of(scored: Scored) -> Signals:
    return Signals(scored.dense, scored.sentence, scored.keyword)


def fuse_candidates(candidates: Candidates, weights: Weights) -> np.ndarray:
    """Fused score of every candidate (the reference sample gives each signal's spread)."""
    found, sample = candidates.found, candidates.sample
    return fuse(
        signals_of(found),
        weights,
        signals_of(sample) if sample is not None and len(sample) else None,
        found.published,
        sample.published if sample is not None and len(sample) else None,
    )


def per_article(scored: Scored) -> tuple[list[str], Signals]:
    """Each signal reduced to an article's best row (article ids in first-seen order)."""
    codes: dict[str, int] = {}
    index = np.array([codes.setdefault(a, len(codes)) for a in scored.articles], np.int64)
    order = np.argsort(index, kind="stable")
    starts = np.unique(index[order], return_index=True)[1] if len(index) else np.zeros(0, int)

    def best(values: np.ndarray) -> np.ndarray:
        if not len(values):
            return values.astype(np.float64)
        return np.maximum.reduceat(values[order].astype(np.float64), starts)

    return list(codes), Signals(best(scored.dense), best(scored.sentence), best(scored.keyword))


def wanted(weights: Weights) -> Wanted:
    """The signals the store must compute for these weights."""
    dense = weights.dense > 0 or not (weights.keyword > 0 or weights.sentence > 0)
    return Wanted(dense=dense, keyword=weights.keyword > 0, sentence=weights.sentence > 0)


class Retriever:
    """Top-k passages for a question by hybrid search over a store."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        weights: Weights,
        max_per_article: int = 3,
        pool: int = POOL,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.weights = weights
        self.max_per_article = max_per_article
        self.pool = pool

    def candidates(
        self,
        query: str,
        vector: np.ndarray | None = None,
        filters: SearchFilters | None = None,
        k: int | None = None,
    ) -> Candidates:
        """The store's candidates for `query` with the signals these weights need."""
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
        return self.store.candidates(
            vector, query, max(self.pool, k or 0), filters, wanted(self.weights)
        )

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
        if vector is None:
            vector = self.embedder.embed_queries([query])[0]
        candidates = self.candidates(query, vector, filters, k)
        found = candidates.found
        if not len(found):
            return []
        weights = self.weights if recent else self.weights._replace(recency=0.0)
        fused = fuse_candidates(candidates, weights)
        ranked = self._diverse_top(found, fused, min(k, len(found)), period)
        chunks = {c.id: c for c in self.store.chunks([found.ids[r] for r, _ in ranked])}
        best = (
            None
            if weights.sentence
            else self._best_sentences(vector, [found.ids[r] for r, _ in ranked])
        )
        return [
            Hit(
                chunk=chunks[found.ids[r]],
                score=float(found.dense[r]),
                rank=rank,
                fused=round(float(value), 4),
                sentence=float(
                    found.sentence[r] if best is None else best.get(found.ids[r], found.dense[r])
                ),
                keyword=float(found.keyword[r]),
            )
            for rank, (r, value) in enumerate(ranked, start=1)
        ]

    def _best_sentences(self, vector: np.ndarray, chunk_ids: list[str]) -> dict[str, float]:
        """Cosine of each chunk's best-matching sentence (chunks without stored sentence
        vectors are left out: their passage cosine stands in)."""
        stored = self.store.sentence_vectors(chunk_ids)
        return {cid: float((m @ vector).max()) for cid, m in stored.items() if len(m)}

    def _diverse_top(
        self, found: Scored, fused: np.ndarray, k: int, period: DateIntent | None = None
    ) -> list[tuple[int, float]]:
        """The best k rows with their scores, at most `max_per_article` per article unless
        that leaves gaps. Candidates from or about `period` get the period bonus first."""
        pool = min(len(fused), max(k * 10, 50))
        candidates = (
            np.argpartition(-fused, pool - 1)[:pool] if pool < len(fused) else np.arange(len(fused))
        )
        scores = {int(r): float(fused[r]) for r in candidates if np.isfinite(fused[r])}
        if period is not None and self.weights.period:
            chunks = {c.id: c for c in self.store.chunks([found.ids[r] for r in scores])}
            for r in scores:
                if fits(chunks[found.ids[r]], period):
                    scores[r] += self.weights.period
        ordered = sorted(scores, key=lambda r: (-scores[r], found.ids[r]))
        chosen: list[int] = []
        per_article: dict[str, int] = {}
        for r in ordered:
            article = found.articles[r]
            if per_article.get(article, 0) < self.max_per_article:
                chosen.append(r)
                per_article[article] = per_article.get(article, 0) + 1
                if len(chosen) == k:
                    break
        if len(chosen) < k:
            taken = set(chosen)
            chosen += [r for r in ordered if r not in taken][: k - len(chosen)]
        return [(r, scores[r]) for r in chosen]
