"""Hybrid-search logic: z-score fusion, masks, per-document maxima, keyword tokens."""

from __future__ import annotations

import numpy as np
import pytest

from rag.keyword import KeywordIndex, tokenize
from rag.retrieval import Signals, Tables, Weights, fuse, per_article_max, zscore


def test_zscore_standardises_over_the_mask_and_is_zero_when_flat() -> None:
    values = np.array([1.0, 2.0, 3.0, 100.0])
    mask = np.array([True, True, True, False])
    z = zscore(values, mask)
    assert z[:3] == pytest.approx([-1.2247, 0.0, 1.2247], abs=1e-4)
    assert np.all(zscore(np.array([0.5, 0.5, 0.5])) == 0.0)


def test_fuse_weights_signals_and_excludes_masked_rows() -> None:
    signals = Signals(
        dense=np.array([0.9, 0.1, 0.5]),
        sentence=np.array([0.1, 0.9, 0.5]),
        keyword=np.array([0.0, 0.0, 0.0]),  # no query word indexed: a flat signal adds nothing
    )
    assert int(np.argmax(fuse(signals, Weights(1.0, 0.0, 1.0)))) == 0
    assert int(np.argmax(fuse(signals, Weights(0.0, 1.0, 1.0)))) == 1
    masked = fuse(signals, Weights(1.0, 0.0, 0.0), mask=np.array([False, True, True]))
    assert masked[0] == -np.inf and int(np.argmax(masked)) == 2


def test_recency_weight_prefers_newer_rows() -> None:
    flat = Signals(np.ones(3), np.ones(3), np.zeros(3))
    published = np.array([1.0e9, 1.7e9, np.nan])
    fused = fuse(flat, Weights(1.0, 1.0, 1.0, recency=0.5), published=published)
    assert int(np.argmax(fused)) == 1 and fused[2] == fused.min()


def test_per_article_max_takes_each_articles_best_chunk() -> None:
    tables = Tables(
        ids=["a1", "b1", "a2", "b2"],
        vectors=np.zeros((4, 2)),
        sentence_vectors=np.zeros((0, 2)),
        sentence_rows=np.zeros(0, dtype=np.int64),
        sentence_starts=np.zeros(0, dtype=np.int64),
        article_codes=np.array([0, 1, 0, 1]),
        article_ids=["a", "b"],
        article_order=np.array([0, 2, 1, 3]),
        article_starts=np.array([0, 2]),
        published=np.full(4, np.nan),
        sources=np.array(["s"] * 4, dtype=object),
    )
    assert per_article_max(tables, np.array([0.1, 0.3, 0.7, 0.2])).tolist() == pytest.approx(
        [0.7, 0.3]
    )


def test_tokenize_stems_english_drops_stopwords_and_segments_chinese() -> None:
    assert tokenize("The stores are opening in Morocco's cities") == [
        "store",
        "open",
        "morocco",
        "citi",
    ]
    chinese = tokenize("雷军又签任命通知,目标非洲")
    assert "非洲" in chinese and "雷军" in chinese


def test_keyword_index_scores_every_chunk_in_row_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    index = KeywordIndex.build(
        ["a", "b", "c"],
        ["Transsion holds 51% of the market", "Lei Jun live stream", "小米在非洲开店"],
    )
    scores = index.scores("Transsion market share")
    assert scores.shape == (3,) and int(np.argmax(scores)) == 0 and scores[1] == 0.0
    assert int(np.argmax(index.scores("非洲的战略"))) == 2
    assert not index.scores("zzz unknown words").any()
    (tmp_path / "gen").mkdir()
    index.save(tmp_path / "gen")
    loaded = KeywordIndex.load(tmp_path / "gen")
    assert loaded.ids == ["a", "b", "c"]
    assert loaded.scores("Lei Jun").tolist() == pytest.approx(index.scores("Lei Jun").tolist())


def test_filters_mask_outlets_and_dates_and_drop_unknown_dates() -> None:
    from datetime import UTC, datetime

    from rag.retrieval import SearchFilters

    sources = np.array(["创业邦", "Bei Jing Shang Bao", "创业邦"], dtype=object)
    published = np.array(
        [datetime(2025, 9, 1, tzinfo=UTC).timestamp(), datetime(2026, 1, 8).timestamp(), np.nan]
    )
    assert SearchFilters(sources=["创业邦"]).mask(sources, published).tolist() == [
        True,
        False,
        True,
    ]
    january = SearchFilters(published_after=datetime(2026, 1, 1), published_before="2026-01-31")
    assert january.mask(sources, published).tolist() == [False, True, False]
