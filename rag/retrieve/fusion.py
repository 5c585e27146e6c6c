"""Hybrid retrieval: dense passage cosine + BM25 (+ best-sentence cosine), fused by z-scores.

The store returns each signal's top candidates for the question (a few hundred, filters
applied by the engine), every signal filled in for their union, and the same scores for a
fixed reference sample of the collection (rag/store/base.py). Each signal is standardised
with the mean and spread it has over the whole collection that passes the filters, as the
sample estimates them (when the candidates are that whole collection, over them: small
corpora are scored exactly as a full scan would), and the weighted sum ranks the union.
Only the spreads change a ranking, and a few hundred sampled rows give them to within a few
per cent; z-scores over the candidates alone would not (docs/vector-stores-2026-12-01.md).
A recency preference adds the z-scored publication time. The top list keeps at most
`max_per_article` passages per article before filling with the rest.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from rag.models import Weights
from rag.store.base import Candidates, Scored
from rag.store.base import Signals as Wanted


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
