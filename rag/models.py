"""The typed shapes everything exchanges: Article → Chunk → Hit → Citation → Answer, and a
search's filters and weights. Shapes only: this module imports no behaviour."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field

from rag.text.dates import parse_published

# An ingest's progress: (total, label) → a function called with the items just done.
ProgressFactory = Callable[[int, str], Callable[[int], None]]


class Article(BaseModel):
    """One news article, as loaded from a file."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id: front matter `id`, else derived from the file name.")
    title: str
    source: str = Field("unknown", description="The outlet that published it.")
    published: datetime | None = Field(None, description="Publication time; None when unknown.")
    language: str = "en"
    url: str | None = None
    text: str = Field(min_length=1)
    path: str | None = Field(None, description="File it was loaded from.")
    owner: str | None = Field(
        None, description="The user who uploaded it when uploads are private; None: everyone's."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def content_hash(self) -> str:
        """Hash of what gets indexed: text and the metadata shown in citations."""
        when = self.published.isoformat() if self.published else ""
        payload = "\x1f".join([self.title, self.source, when, self.url or "", self.text])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Chunk(BaseModel):
    """A passage of an article, sized to fit the embedding model's window."""

    model_config = ConfigDict(frozen=True)

    id: str
    article_id: str
    text: str
    start: int = Field(ge=0, description="Character offset of the chunk in the article text.")
    end: int = Field(ge=0)
    title: str
    source: str
    published: datetime | None = None
    url: str | None = None
    owner: str | None = Field(None, description="Visible only to this user (None: to all).")


class Hit(BaseModel):
    """A retrieved chunk with its scores; hits are ranked by `fused`."""

    chunk: Chunk
    score: float = Field(description="Cosine similarity of the passage to the question.")
    rank: int = Field(ge=1)
    fused: float = Field(0.0, description="Hybrid score used for ranking (z-score fusion).")
    sentence: float = Field(0.0, description="Cosine of the passage's best-matching sentence.")
    keyword: float = Field(0.0, description="BM25 score of the passage.")


class Citation(BaseModel):
    """A numbered source of an answer, with the sentence that supports it."""

    n: int = Field(ge=1)
    article_id: str
    title: str
    source: str
    published: datetime | None
    url: str | None = None
    chunk_id: str
    quote: str = Field(description="The exact sentence of the passage that supports the answer.")
    passage: str = Field(description="The whole cited passage.")
    score: float


class Timings(BaseModel):
    retrieve: float = 0.0
    generate: float = 0.0
    total: float = 0.0
    first_token: float | None = None


class SourcesFound(BaseModel):
    """The passages an answer is about to be written from, known before the model starts
    reading them: `Assistant.stream(..., sources=True)` yields it before the answer text,
    so a reader sees where the answer will come from while it is written. Numbered 1, 2, …
    as the model's prompt numbers them (the [n] markers of the streamed text); the final
    Answer renumbers its citations in the order the text cites them."""

    hits: list[Hit]
    quotes: list[str] = Field(description="Each passage's sentence that best matches the question.")


class AnswerCheck(BaseModel):
    """The answerability gate's reading of a candidate answer (rag/answer/gate.py)."""

    signals: dict[str, float] = Field(description="What the gate read, by name.")
    probability: float | None = Field(
        None, description="P(the answer is right); None where no gate applies."
    )
    threshold: float | None = None
    refused: bool = Field(False, description="The gate turned the candidate into a refusal.")
    candidate: str | None = Field(None, description="The refused candidate's text.")


class Answer(BaseModel):
    """What `Assistant.ask` returns and `rag ask --json` prints."""

    question: str
    text: str
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)
    context: list[str] = Field(
        default_factory=list,
        description="Chunk ids of the passages the answer was written from: the LLM prompt's "
        "sources, or the passages an extractive answer chose its sentences from.",
    )
    grounded: float = Field(1.0, ge=0.0, le=1.0, description="Supported sentences / sentences.")
    unsupported: list[str] = Field(
        default_factory=list, description="Answer sentences no source supports."
    )
    backend: str = "extractive"
    notice: str | None = Field(None, description="E.g. why the extractive fallback was used.")
    standalone_question: str | None = Field(
        None, description="The rewritten question used for retrieval in a chat."
    )
    timings_ms: Timings = Field(default_factory=Timings)
    check: AnswerCheck | None = Field(
        None, description="The answerability gate's reading of the candidate answer."
    )
    disputed: bool = Field(
        False, description="The sources disagree: the answer also cites one that says otherwise."
    )


class IngestReport(BaseModel):
    """What an ingest did."""

    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    duplicates: list[str] = Field(
        default_factory=list, description="'file: same content as article X' (indexed once)."
    )
    skipped: list[str] = Field(default_factory=list, description="'file: reason' per bad file.")
    chunks_embedded: int = 0
    sentences_embedded: int = Field(0, description="Sentence vectors computed (for ranking).")
    articles: int = 0
    chunks: int = 0
    seconds: float = 0.0


class IndexStats(BaseModel):
    articles: int
    chunks: int
    embedding_model: str
    dimension: int
    chunk_size: int
    chunk_overlap: int
    index_bytes: int
    last_ingest: datetime | None
    sources: list[str]
    first_published: datetime | None
    last_published: datetime | None


class ArticleRecord(BaseModel):
    """What the index keeps of an indexed article (its chunks are stored apart)."""

    id: str
    content_hash: str
    path: str | None
    title: str
    source: str
    published: datetime | None
    chunk_ids: list[str]
    owner: str | None = None


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


@dataclass
class Turn:
    """One exchange of a chat: the question in its standalone form, and the answer."""

    question: str
    answer: str
