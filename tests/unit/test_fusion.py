"""Hybrid-search logic: z-score fusion with a reference population, per-document maxima,
row filters, keyword tokens and the incremental BM25 (checked against bm25s)."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from rag.models import Chunk, SearchFilters, Weights
from rag.retrieve.fusion import Signals, fuse, per_article, zscore
from rag.store.base import Scored
from rag.store.keyword import KeywordIndex, tokenize
from rag.store.rows import RowTable


def test_zscore_standardises_over_a_population_and_is_zero_when_flat() -> None:
    values = np.array([1.0, 2.0, 3.0])
    assert zscore(values) == pytest.approx([-1.2247, 0.0, 1.2247], abs=1e-4)
    z = zscore(np.array([3.0]), population=np.array([1.0, 2.0, 3.0, 2.0]))
    assert z[0] == pytest.approx((3 - 2) / np.std([1, 2, 3, 2]))
    assert np.all(zscore(np.array([0.5, 0.5, 0.5])) == 0.0)


def test_fuse_weights_signals() -> None:
    signals = Signals(
        dense=np.array([0.9, 0.1, 0.5]),
        sentence=np.array([0.1, 0.9, 0.5]),
        keyword=np.array([0.0, 0.0, 0.0]),  # no query word indexed: a flat signal adds nothing
    )
    assert int(np.argmax(fuse(signals, Weights(1.0, 0.0, 1.0)))) == 0
    assert int(np.argmax(fuse(signals, Weights(0.0, 1.0, 1.0)))) == 1


def test_the_population_spread_decides_how_signals_trade_off() -> None:
    # Two candidates: one better on dense, one on keyword. Over the candidates alone both
    # signals look equally spread; over the collection the keyword signal is much wider,
    # so a keyword lead counts for less.
    found = Signals(np.array([0.8, 0.6]), np.zeros(2), np.array([5.0, 9.0]))
    population = Signals(
        np.array([0.1, 0.2, 0.15, 0.8]), np.zeros(4), np.array([0.0, 0.0, 20.0, 9.0])
    )
    weights = Weights(0.5, 0.0, 0.5)
    assert int(np.argmax(fuse(found, weights))) in (0, 1)
    assert int(np.argmax(fuse(found, weights, population))) == 0


def test_recency_weight_prefers_newer_rows() -> None:
    flat = Signals(np.ones(3), np.ones(3), np.zeros(3))
    published = np.array([1.0e9, 1.7e9, np.nan])
    fused = fuse(flat, Weights(1.0, 1.0, 1.0, recency=0.5), published=published)
    assert int(np.argmax(fused)) == 1 and fused[2] == fused.min()


def test_per_article_takes_each_articles_best_chunk() -> None:
    scored = Scored(
        ids=["a1", "b1", "a2", "b2"],
        articles=["a", "b", "a", "b"],
        published=np.full(4, np.nan),
        dense=np.array([0.1, 0.3, 0.7, 0.2]),
        keyword=np.array([1.0, 0.0, 0.0, 2.0]),
        sentence=np.zeros(4),
    )
    ids, signals = per_article(scored)
    assert ids == ["a", "b"]
    assert signals.dense.tolist() == pytest.approx([0.7, 0.3])
    assert signals.keyword.tolist() == pytest.approx([1.0, 2.0])


def test_tokenize_stems_english_drops_stopwords_and_segments_chinese() -> None:
    assert tokenize("The stores are opening in Morocco's cities") == [
        "store",
        "open",
        "morocco",
        "citi",
    ]
    chinese = tokenize("雷军又签任命通知,目标非洲")
    assert "非洲" in chinese and "雷军" in chinese


TEXTS = [
    "Transsion holds 51% of the market in Africa",
    "Lei Jun live stream about the Xiaomi market",
    "小米在非洲开店",
    "Xiaomi opened its first direct store in Morocco, a market in Africa",
    "The market for smartphones in Africa grows and grows",
]


def test_keyword_scores_equal_bm25s_and_survive_segments_deletes_and_reloads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import bm25s

    index = KeywordIndex()
    index.add(0, TEXTS[:2])
    index.add(2, TEXTS[2:])  # a second segment: statistics are global at query time
    alive = np.ones(5, bool)
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokenize(t) for t in TEXTS], show_progress=False)
    for query in ("Africa market market", "Xiaomi store Morocco", "非洲的战略"):
        want = reference.get_scores(tokenize(query))
        assert index.scores(query, alive) == pytest.approx(want, rel=1e-5, abs=1e-6)
    alive[1] = False  # a deleted row: scores as a rebuild over the rest would
    rebuilt = bm25s.BM25(k1=1.2, b=0.75)
    rebuilt.index([tokenize(t) for n, t in enumerate(TEXTS) if n != 1], show_progress=False)
    got = index.scores("Xiaomi market", alive)
    assert got[1] == 0.0
    assert np.delete(got, 1) == pytest.approx(
        rebuilt.get_scores(tokenize("Xiaomi market")), rel=1e-5
    )
    names = index.save(tmp_path, "kw")
    loaded = KeywordIndex.load(tmp_path, "kw", names)
    loaded.compact(alive, renumber=None)
    assert loaded.scores("Xiaomi market", alive) == pytest.approx(got)
    assert not loaded.scores("zzz unknown words", alive).any()


def _chunk(n: int, source: str, published: datetime | None, owner: str | None = None) -> Chunk:
    return Chunk(
        id=f"c{n}", article_id=f"a{n}", text="t", start=0, end=1, title="t",
        source=source, published=published, owner=owner,
    )  # fmt: skip


def test_row_filters_keep_outlets_dates_and_visibility() -> None:
    rows = RowTable()
    rows.append(
        [
            _chunk(0, "创业邦", datetime(2025, 9, 1, tzinfo=UTC)),
            _chunk(1, "Bei Jing Shang Bao", datetime(2026, 1, 8, tzinfo=UTC)),
            _chunk(2, "创业邦", None),
            _chunk(3, "创业邦", None, owner="alice"),
        ]
    )
    assert rows.mask(SearchFilters(sources=["创业邦"])).tolist() == [True, False, True, False]
    january = SearchFilters(published_after=datetime(2026, 1, 1), published_before="2026-01-31")
    assert rows.mask(january).tolist() == [False, True, False, False]
    assert rows.mask(SearchFilters(visible_to="alice")).tolist() == [True, True, True, True]
    assert rows.mask(SearchFilters(visible_to="bob")).tolist() == [True, True, True, False]
    rows.kill(["c0"])
    assert rows.mask(None).tolist() == [False, True, True, False]
