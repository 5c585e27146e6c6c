"""The reference sample: a fixed, uniform choice of whole articles whose rows every search
also scores, so fusion knows how widely each signal spreads over the collection without
scoring every row. Articles are chosen by the hash of their id (a bottom-k sketch): the
choice is the same on every backend and barely moves when articles come and go."""

from __future__ import annotations

import hashlib

import numpy as np

from rag.store.rows import RowTable


def article_rank(article_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(article_id.encode(), digest_size=8).digest(), "big")


def choose_sample_ids(article_chunks: dict[str, list[str]], size: int) -> list[str]:
    """Chunk ids of the articles with the smallest id hashes, about `size` chunks in all."""
    chosen: list[str] = []
    for article_id in sorted(article_chunks, key=article_rank):
        if len(chosen) >= size:
            break
        chosen.extend(article_chunks[article_id])
    return chosen


def choose_sample(rows: RowTable, size: int) -> np.ndarray:
    """Row numbers of the sample among the alive rows of a table."""
    live = np.flatnonzero(rows.alive)
    codes = rows.article[live]
    order = sorted(np.unique(codes).tolist(), key=lambda c: article_rank(rows.articles[c]))
    picked: list[int] = []
    by_code: dict[int, list[int]] = {}
    wanted = set(order[:size])  # at most `size` articles are ever needed
    for row, code in zip(live.tolist(), codes.tolist(), strict=True):
        if code in wanted:
            by_code.setdefault(code, []).append(row)
    for code in order:
        if len(picked) >= size:
            break
        picked.extend(by_code.get(code, []))
    return np.array(sorted(picked), np.int64)
