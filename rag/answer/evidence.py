"""Sentence-level evidence: the sentences of retrieved passages, scored against a text.

Both the extractive answerer (which sentences answer the question?) and the citation
verifier (which sentence supports this answer sentence?) work on this.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from rag.embed import Embedder
from rag.models import Citation, Hit
from rag.store.base import Store
from rag.text.sentences import HAN, split_sentences
from rag.text.words import lexical_support, numbers_match


@dataclass(frozen=True)
class Evidence:
    """One sentence of a retrieved passage."""

    hit: Hit
    sentence: str
    vector: np.ndarray
    position: int = 0  # the sentence's place in its passage


SentenceCache = dict[str, tuple[list[str], np.ndarray]]
MAX_CACHED_CHUNKS = 5000  # ~60 MB of sentence vectors at most


class EvidenceSet:
    """All sentences of the retrieved passages with their vectors.

    `cache` (chunk id → sentences and vectors) spares re-embedding passages seen before;
    chunk ids change whenever content does, so entries never go stale.
    """

    def __init__(
        self, hits: list[Hit], embedder: Embedder, cache: SentenceCache | None = None
    ) -> None:
        self.hits = hits
        self.embedder = embedder
        cache = {} if cache is None else cache
        if len(cache) > MAX_CACHED_CHUNKS:
            cache.clear()
        missing = [h.chunk for h in hits if h.chunk.id not in cache]
        sentences = {c.id: split_sentences(c.text) for c in missing}
        flat = [s for c in missing for s in sentences[c.id]]
        vectors = embedder.embed_passages(flat) if flat else np.zeros((0, 1), dtype=np.float32)
        start = 0
        for chunk in missing:
            count = len(sentences[chunk.id])
            cache[chunk.id] = (sentences[chunk.id], vectors[start : start + count])
            start += count
        self.items = [
            Evidence(hit, sentence, vector, n)
            for hit in hits
            for n, (sentence, vector) in enumerate(zip(*cache[hit.chunk.id], strict=True))
        ]
        self._queries: dict[str, np.ndarray] = {}

    def remember(self, text: str, vector: np.ndarray) -> None:
        """The embedding of `text` (the question), so ranking against it embeds nothing."""
        self._queries[text] = vector

    def _vector(self, text: str) -> np.ndarray:
        if text not in self._queries:
            self._queries[text] = self.embedder.embed_queries([text])[0]
        return self._queries[text]

    def subset(self, hits: list[Hit]) -> EvidenceSet:
        """The same embedded sentences, restricted to some of the hits (no re-embedding)."""
        keep = {h.chunk.id for h in hits}
        view = EvidenceSet.__new__(EvidenceSet)
        view.hits, view.embedder = hits, self.embedder
        view.items = [e for e in self.items if e.hit.chunk.id in keep]
        view._queries = self._queries
        return view

    def rank(self, text: str, paraphrase: bool = False) -> list[tuple[Evidence, float]]:
        """Sentences by similarity to `text`: cosine blended with word overlap.

        With `paraphrase`, a high cosine alone also counts: an answer may restate a sentence
        in other words ("roughly half" for "51%"), which a question rarely does. A claim's
        numbers must then appear in the sentence: "ranks third with 14%" is not supported by
        a sentence about "capturing market share".
        """
        if not self.items:
            return []
        query = self._vector(text)
        chinese = bool(HAN.search(text))
        scored = []
        for item in self.items:
            cosine = float(item.vector @ query)
            if chinese != bool(HAN.search(item.sentence)):
                blend = cosine  # a Chinese question shares no words with an English sentence
            else:
                blend = 0.7 * cosine + 0.3 * lexical_support(text, item.sentence)
            if paraphrase:
                blend = max(cosine, blend) if numbers_match(text, item.sentence) else 0.5 * blend
            scored.append((item, blend))
        return sorted(scored, key=lambda pair: pair[1], reverse=True)

    def best_in(self, text: str, chunk_id: str) -> tuple[Evidence, float] | None:
        """The sentence of one passage that best supports `text` (paraphrases allowed)."""
        ranked = [(e, s) for e, s in self.rank(text, paraphrase=True) if e.hit.chunk.id == chunk_id]
        return ranked[0] if ranked else None


class SentenceSource:
    """Evidence for hits from the sentence vectors the index stores (embedded at ingest),
    kept in memory across questions and index reloads (chunk ids change with content)."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._cache: SentenceCache = {}
        self._lock = threading.Lock()

    def evidence(self, store: Store, hits: list[Hit]) -> EvidenceSet:
        """The sentences of the hits with their vectors (read from the index where stored,
        embedded otherwise)."""
        with self._lock:
            wanted = [h.chunk for h in hits if h.chunk.id not in self._cache]
            stored = store.sentence_vectors([c.id for c in wanted]) if wanted else {}
            for chunk in wanted:
                sentences = split_sentences(chunk.text)
                vectors = stored.get(chunk.id)
                if sentences and vectors is not None and len(vectors) == len(sentences):
                    self._cache[chunk.id] = (sentences, vectors)
            return EvidenceSet(hits, self.embedder, self._cache)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


def make_citation(n: int, item: Evidence, score: float) -> Citation:
    chunk = item.hit.chunk
    return Citation(
        n=n,
        article_id=chunk.article_id,
        title=chunk.title,
        source=chunk.source,
        published=chunk.published,
        url=chunk.url,
        chunk_id=chunk.id,
        quote=item.sentence,
        passage=chunk.text,
        score=round(score, 4),
    )
