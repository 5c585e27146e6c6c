"""Per-row metadata of a store kept as arrays: which rows are alive and what each row's
outlet, date, owner and article are, so filters become one vectorised mask."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.models import Chunk, SearchFilters


class RowTable:
    """Row n of the store is chunk `ids[n]`; dead rows keep their place until compaction."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.row_of: dict[str, int] = {}
        self.alive = np.zeros(0, bool)
        self.published = np.zeros(0, np.float64)  # POSIX time, NaN when unknown
        self.source = np.zeros(0, np.int32)  # index into `sources`
        self.owner = np.zeros(0, np.int32)  # index into `owners`, -1: everyone's
        self.article = np.zeros(0, np.int32)  # index into `articles`
        self.sources: list[str] = []
        self.owners: list[str] = []
        self.articles: list[str] = []
        self._codes: dict[str, dict[str, int]] = {"source": {}, "owner": {}, "article": {}}

    def __len__(self) -> int:
        return len(self.ids)

    def live_count(self) -> int:
        return int(np.count_nonzero(self.alive))

    def _code(self, kind: str, names: list[str], value: str) -> int:
        codes = self._codes[kind]
        if value not in codes:
            codes[value] = len(names)
            names.append(value)
        return codes[value]

    def append(self, chunks: Sequence[Chunk]) -> int:
        """Add rows for these chunks (alive); returns the first new row number."""
        first = len(self.ids)
        for n, chunk in enumerate(chunks):
            self.ids.append(chunk.id)
            self.row_of[chunk.id] = first + n
        self.alive = np.concatenate([self.alive, np.ones(len(chunks), bool)])
        self.published = np.concatenate(
            [
                self.published,
                [c.published.timestamp() if c.published else np.nan for c in chunks],
            ]
        )
        self.source = np.concatenate(
            [self.source, [self._code("source", self.sources, c.source) for c in chunks]]
        ).astype(np.int32)
        self.owner = np.concatenate(
            [
                self.owner,
                [self._code("owner", self.owners, c.owner) if c.owner else -1 for c in chunks],
            ]
        ).astype(np.int32)
        self.article = np.concatenate(
            [self.article, [self._code("article", self.articles, c.article_id) for c in chunks]]
        ).astype(np.int32)
        return first

    def kill(self, chunk_ids: Sequence[str]) -> list[int]:
        rows = [self.row_of.pop(c) for c in chunk_ids if c in self.row_of]
        self.alive[rows] = False
        return rows

    def rows(self, chunk_ids: Sequence[str]) -> np.ndarray:
        return np.array([self.row_of[c] for c in chunk_ids if c in self.row_of], dtype=np.int64)

    def mask(self, filters: SearchFilters | None) -> np.ndarray:
        """Alive rows that pass the filters; rows owned by a user only for that user."""
        filters = filters or SearchFilters()
        keep = self.alive.copy()
        mine = self._codes["owner"].get(filters.visible_to or "", -2)
        keep &= (self.owner == -1) | (self.owner == mine)
        if filters.sources:
            wanted = [
                self._codes["source"][s] for s in filters.sources if s in self._codes["source"]
            ]
            keep &= np.isin(self.source, wanted)
        after, before = filters.bounds()
        with np.errstate(invalid="ignore"):
            if after is not None:
                keep &= self.published >= after  # NaN compares False
            if before is not None:
                keep &= self.published <= before
        return keep

    def save(self, path: Path) -> None:
        np.savez(
            path,
            ids=np.array(self.ids, dtype="U"),
            alive=self.alive,
            published=self.published,
            source=self.source,
            owner=self.owner,
            article=self.article,
            sources=np.array(self.sources, dtype="U"),
            owners=np.array(self.owners, dtype="U"),
            articles=np.array(self.articles, dtype="U"),
        )

    @classmethod
    def load(cls, path: Path) -> RowTable:
        data = np.load(path)
        table = cls()
        table.ids = data["ids"].tolist()
        table.alive = data["alive"].copy()
        table.row_of = {c: n for n, c in enumerate(table.ids) if table.alive[n]}
        table.published = data["published"]
        table.source, table.owner, table.article = data["source"], data["owner"], data["article"]
        for kind, names in (("source", "sources"), ("owner", "owners"), ("article", "articles")):
            values = data[names].tolist()
            setattr(table, names, values)
            table._codes[kind] = {v: n for n, v in enumerate(values)}
        return table

    def compacted(self) -> tuple[RowTable, np.ndarray]:
        """A table of the alive rows only, and old row → new row (-1 for dropped rows)."""
        keep = np.flatnonzero(self.alive)
        renumber = np.full(len(self.ids), -1, np.int64)
        renumber[keep] = np.arange(len(keep))
        table = RowTable()
        table.ids = [self.ids[r] for r in keep]
        table.row_of = {c: n for n, c in enumerate(table.ids)}
        table.alive = np.ones(len(keep), bool)
        table.published = self.published[keep]
        table.source, table.owner = self.source[keep], self.owner[keep]
        table.article = self.article[keep]
        table.sources, table.owners, table.articles = self.sources, self.owners, self.articles
        table._codes = self._codes
        return table, renumber
