"""Top-k passages for a question: the store's candidates, fused (rag/retrieve/fusion.py), the
period preferred, at most `max_per_article` passages per article."""

from __future__ import annotations

import numpy as np

from rag.embed import Embedder
from rag.models import Hit, SearchFilters, Weights
from rag.retrieve.dates import DateIntent
from rag.retrieve.fusion import fuse_candidates, wanted
from rag.retrieve.period import fits
from rag.store.base import POOL, Candidates, Scored, Store


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
