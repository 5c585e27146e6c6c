"""Dense retrieval over the index, with filters on outlet and publication date."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from rag.corpus.text import parse_published
from rag.embeddings import Embedder
from rag.models import Chunk, Hit
from rag.store.index import Index


class SearchFilters(BaseModel):
    """Restrict a search to some outlets and/or a publication date range (inclusive)."""

    sources: list[str] = Field(default_factory=list, description="Outlets to keep (exact names).")
    published_after: datetime | None = None
    published_before: datetime | None = None

    def is_empty(self) -> bool:
        return not (self.sources or self.published_after or self.published_before)

    def accepts(self, chunk: Chunk) -> bool:
        if self.sources and chunk.source not in self.sources:
            return False
        if self.published_after or self.published_before:
            if chunk.published is None:
                return False
            after = parse_published(self.published_after)
            before = parse_published(self.published_before)
            if after and chunk.published < after:
                return False
            if before and chunk.published > before:
                return False
        return True


class Retriever:
    """Top-k passages for a question."""

    def __init__(self, index: Index, embedder: Embedder) -> None:
        self.index = index
        self.embedder = embedder

    def search(self, query: str, k: int, filters: SearchFilters | None = None) -> list[Hit]:
        vector = self.embedder.embed_queries([query])[0]
        allowed = None
        if filters and not filters.is_empty():
            allowed = {cid for cid, c in self.index.chunks.items() if filters.accepts(c)}
        found = self.index.store.search(vector, k, allowed)
        return [
            Hit(chunk=self.index.chunks[cid], score=score, rank=rank)
            for rank, (cid, score) in enumerate(found, start=1)
        ]
