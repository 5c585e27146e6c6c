"""Pure scoring functions: ranking (hit@k, MRR, nDCG, recall), answers, latency percentiles.

Rankings are lists of ids, best first. Functions that do not apply to an item (no gold,
no citations) return None, and `mean` skips None.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence

from rag.text.words import lexical_support

SUPPORT_MIN = 0.6  # lexical support of a cited sentence by a gold quote that counts as correct


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces, ends stripped (case kept)."""
    return " ".join(text.split())


def dedupe(ranking: Iterable[str]) -> list[str]:
    """Each id once, at its best (first) rank."""
    return list(dict.fromkeys(ranking))


def hit_at_k(ranking: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 when some gold id is in the top k, else 0.0."""
    wanted = set(gold)
    return 1.0 if any(r in wanted for r in ranking[:k]) else 0.0


def reciprocal_rank(ranking: Sequence[str], gold: Iterable[str], k: int = 10) -> float:
    """1 / rank of the first gold id within the top k (0.0 when none)."""
    wanted = set(gold)
    for rank, doc in enumerate(ranking[:k], start=1):
        if doc in wanted:
            return 1.0 / rank
    return 0.0


def recall_at_k(ranking: Sequence[str], relevant: Iterable[str], k: int) -> float | None:
    """Share of the relevant ids found in the top k (None when nothing is relevant)."""
    wanted = set(relevant)
    if not wanted:
        return None
    return len(wanted & set(ranking[:k])) / len(wanted)


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain: sum of gain_i / log2(i + 1), ranks from 1."""
    return sum(g / math.log2(i + 1) for i, g in enumerate(gains, start=1))


def ndcg_at_k(ranking: Sequence[str], relevance: Mapping[str, float], k: int = 10) -> float | None:
    """nDCG@k with graded relevance (linear gain, log2 discount; the trec_eval formula).

    Each id counts once, at its best rank. None when no id has positive relevance.
    """
    ideal = sorted((g for g in relevance.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return None
    gains = [float(relevance.get(doc, 0.0)) for doc in dedupe(ranking)[:k]]
    return dcg(gains) / dcg(ideal)


def quote_recall(passages: Iterable[str], gold_quotes: Sequence[str]) -> float | None:
    """Share of gold quotes contained (whitespace-normalised) in some passage."""
    if not gold_quotes:
        return None
    texts = [normalise(p) for p in passages]
    found = sum(any(normalise(q) in t for t in texts) for q in gold_quotes)
    return found / len(gold_quotes)


def key_fact_recall(facts: Sequence[str], haystack: str) -> float | None:
    """Share of key facts found as case-insensitive substrings of `haystack`."""
    if not facts:
        return None
    text = normalise(haystack).casefold()
    return sum(normalise(f).casefold() in text for f in facts) / len(facts)


def missing_facts(facts: Sequence[str], haystack: str) -> list[str]:
    """The key facts not found in `haystack` (case-insensitive)."""
    text = normalise(haystack).casefold()
    return [f for f in facts if normalise(f).casefold() not in text]


def citation_is_correct(quote: str, passage: str, gold_quotes: Sequence[str]) -> bool:
    """A citation is correct when its passage contains a gold quote, or its quoted
    sentence is contained in / contains a gold quote, or is lexically supported by one."""
    q, p = normalise(quote), normalise(passage)
    for gold in map(normalise, gold_quotes):
        if gold in p or (q and (q in gold or gold in q)):
            return True
        if lexical_support(q, gold) >= SUPPORT_MIN:
            return True
    return False


def citation_precision(
    citations: Sequence[tuple[str, str]], gold_quotes: Sequence[str]
) -> float | None:
    """Share of (quote, passage) citations that are correct; None without citations or gold."""
    if not citations or not gold_quotes:
        return None
    return sum(citation_is_correct(q, p, gold_quotes) for q, p in citations) / len(citations)


def citation_recall(cited_ids: Iterable[str], gold_ids: Sequence[str]) -> float | None:
    """Share of gold article ids that are cited; None when there is no gold."""
    if not gold_ids:
        return None
    cited = set(cited_ids)
    return sum(g in cited for g in set(gold_ids)) / len(set(gold_ids))


def mean(values: Iterable[float | None]) -> float | None:
    """Arithmetic mean of the values that are not None (None when there are none)."""
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def bootstrap_interval(
    values: Iterable[float | None], confidence: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float] | None:
    """Percentile-bootstrap interval of the mean of the values that are not None.

    How far a mean over these queries could move on another sample of queries like them
    (SciFact's 300 test queries: nDCG@10 ± about 0.04). To compare two settings, pass the
    per-query differences: the paired interval is much narrower. Seeded: reproducible.
    """
    kept = [v for v in values if v is not None]
    if not kept:
        return None
    rng = random.Random(seed)
    n = len(kept)
    means = [sum(rng.choices(kept, k=n)) / n for _ in range(resamples)]
    tail = (1 - confidence) / 2 * 100
    low, high = percentile(means, tail), percentile(means, 100 - tail)
    assert low is not None and high is not None
    return low, high


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear interpolation between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def latency_summary(values: Sequence[float | None]) -> dict[str, float | None]:
    """Median and p95 of the values that are not None, plus how many there were."""
    kept = [v for v in values if v is not None]
    return {"median": percentile(kept, 50), "p95": percentile(kept, 95), "n": float(len(kept))}
