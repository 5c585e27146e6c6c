"""Sentence-level evidence: the sentences of retrieved passages, scored against a text.

Both the extractive answerer (which sentences answer the question?) and the citation
verifier (which sentence supports this answer sentence?) work on this.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from rag.corpus.text import HAN, split_sentences
from rag.embeddings import Embedder
from rag.models import Citation, Hit

_WORD = re.compile(r"[a-z0-9%‰]+(?:[.,][0-9]+)*")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
STOPWORDS = frozenset(
    (
        "a an and are as at be by did do does for from has have how in is it its of on or that "
        "the their this to was were what when where which who why will with about into than "
        "then there these those they them he she his her our we you your i me my so such"
    ).split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased words without stopwords (a crude stem drops a plural/possessive 's'),
    and the character pairs of Chinese runs: Chinese has no spaces, and single characters
    are too common to tell passages apart ("出生率" → "出生", "生率")."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    words = set()
    for w in _WORD.findall(_HAN_RUN.sub(" ", lowered.replace("'s", ""))):
        if w in STOPWORDS:
            continue
        words.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    for run in _HAN_RUN.findall(lowered):
        words.update(run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else words.add(
            run
        )
    return words


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


def numbers_match(claim: str, evidence: str) -> bool:
    """Every number of the claim (14%, 290,000, 2026) also appears in the evidence."""
    return set(_NUMBER.findall(claim)) <= set(_NUMBER.findall(evidence))


def lexical_support(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence (0..1)."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    return len(claim_words & content_words(evidence)) / len(claim_words)


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
