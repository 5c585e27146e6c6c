"""The public shapes of a search: which rows it may see (`SearchFilters`) and how its
signals are weighted (`Weights`). Stores push the filters down to their engine."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from pydantic import BaseModel, Field

from rag.corpus.text import parse_published


class SearchFilters(BaseModel):
    """Restrict a search to some outlets and/or a publication date range (inclusive)."""

    sources: list[str] = Field(default_factory=list, description="Outlets to keep (exact names).")
    published_after: datetime | None = None
    published_before: datetime | None = None
    visible_to: str | None = Field(
        None,
        description="A user: their private uploads are searched beside everyone's articles. "
        "None: private uploads are never searched.",
    )

    def is_empty(self) -> bool:
        return not (self.sources or self.published_after or self.published_before)

    def bounds(self) -> tuple[float | None, float | None]:
        """The date range as POSIX times (None: open); rows of unknown date fail any bound."""
        after = parse_published(self.published_after)
        before = parse_published(self.published_before)
        return (after.timestamp() if after else None, before.timestamp() if before else None)

    def narrowed(self, after: datetime | None, before: datetime | None) -> SearchFilters:
        """These filters intersected with a date window."""
        mine_after = parse_published(self.published_after)
        mine_before = parse_published(self.published_before)
        return self.model_copy(
            update={
                "published_after": max(d for d in (mine_after, after) if d)
                if (mine_after or after)
                else None,
                "published_before": min(d for d in (mine_before, before) if d)
                if (mine_before or before)
                else None,
            }
        )


class Weights(NamedTuple):
    dense: float
    sentence: float
    keyword: float
    recency: float = 0.0
    period: float = 0.0  # bonus (z units) of a passage from or about the period asked for
