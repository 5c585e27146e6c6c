"""The facade: ingest, search, ask. Everything else (CLI, UI, evals) goes through it.

It wires the parts (settings, embedder, store, LLM) and holds no answering logic: a
question's path is rag/answer/pipeline.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal, overload

from rag.answer.evidence import SentenceSource
from rag.answer.pipeline import Engines, answer_question, prepare_query
from rag.answer.prompt import fixed_prefix
from rag.chat import ChatSession
from rag.config import Settings
from rag.embed import Embedder, settings_embedder
from rag.errors import IndexMissingError
from rag.ingest import ingest
from rag.llm import LLM, load_llm
from rag.models import (
    Answer,
    ArticleRecord,
    Chunk,
    Hit,
    IndexStats,
    IngestReport,
    ProgressFactory,
    SearchFilters,
    SourcesFound,
)
from rag.retrieve.query import validate_question
from rag.retrieve.retriever import Retriever
from rag.retrieve.search import search_passages
from rag.store import Store, StoreStats, open_store, store_exists
from rag.store.legacy import legacy_folder

_UNSET = object()


class Assistant:
    """Answers questions about the indexed articles, with verified citations."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: Store | None,
        llm: LLM | object | None = _UNSET,
    ) -> None:
        """Parts can be passed in (e.g. a shared index, a test LLM); otherwise built lazily."""
        self.settings = settings
        self.embedder = embedder
        self._index = index
        self._llm = llm
        self._sentences = SentenceSource(embedder)
        self._lock = threading.RLock()

    @classmethod
    def open(cls, settings: Settings | None = None, *, allow_empty: bool = False) -> Assistant:
        """Open the index in `settings.index_dir` (default Settings when none are given).

        Raises IndexMissingError when there is no index, unless `allow_empty` (for an
        ingest, which also upgrades an index of an older format).
        """
        settings = settings or Settings()
        assistant = cls(settings, settings_embedder(settings), None)
        if not allow_empty:
            assistant.reload()
        elif store_exists(settings) and not _old_format(settings):
            assistant.reload()  # an outdated index stays unloaded until ingest upgrades it
        return assistant

    @property
    def index(self) -> Store:
        """The opened store (FAISS or Milvus, whichever the settings name)."""
        if self._index is None:
            raise IndexMissingError(
                f"no index in {self.settings.index_dir}; run `rag ingest` (or upload articles)"
            )
        return self._index

    def ingest(
        self,
        paths: Sequence[Path] | None = None,
        *,
        rebuild: bool = False,
        progress: ProgressFactory | None = None,
        owner: str | None = None,
    ) -> IngestReport:
        """Incrementally index files (default: the corpus folder), then reload the index.

        `owner`: the articles are visible only to searches with that user in
        `SearchFilters.visible_to` (private uploads)."""
        kwargs = {"progress": progress} if progress else {}
        report = ingest(self.settings, self.embedder, paths, rebuild=rebuild, owner=owner, **kwargs)
        self.reload()
        return report

    def reload(self) -> Assistant:
        """Open the index again (after an ingest elsewhere): searches see the new one."""
        index = open_store(self.settings)
        index.manifest.check_compatible(
            self.settings.embedding_model, self.settings.chunk_size, self.settings.chunk_overlap
        )
        with self._lock:
            self._index = index
        return self

    def search(
        self, query: str, k: int | None = None, filters: SearchFilters | None = None
    ) -> list[Hit]:
        """Top-k passages for a query, best first."""
        query = validate_question(query, self.settings.max_question_chars)
        engines = self.engines(llm=None)  # no translation: search the words as given
        s = self.settings
        prepared = prepare_query(query, engines)
        return search_passages(prepared, engines.retriever, k or s.top_k, filters, s.date_mode).hits

    @property
    def retriever(self) -> Retriever:
        """Hybrid search over the loaded index with the configured fusion weights."""
        s = self.settings
        return Retriever(self.index, self.embedder, s.weights, s.max_per_article, s.candidate_pool)

    @property
    def llm(self) -> LLM | None:
        """The configured LLM backend (None in extractive mode), created on first use."""
        with self._lock:
            if self._llm is _UNSET:
                self._llm = load_llm(self.settings)
            return self._llm  # type: ignore[return-value]

    def ask(
        self, question: str, *, k: int | None = None, filters: SearchFilters | None = None
    ) -> Answer:
        """Answer a question from the articles, or refuse when they do not hold the answer."""
        answer = None
        for item in self.stream(question, k=k, filters=filters):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    @overload
    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        sources: Literal[False] = False,
    ) -> Iterator[str | Answer]: ...

    @overload
    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        sources: bool,
    ) -> Iterator[str | SourcesFound | Answer]: ...

    def stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: SearchFilters | None = None,
        sources: bool = False,
    ) -> Iterator[str | SourcesFound | Answer]:
        """Yield the answer text as it is generated, then the verified Answer (always last).
        With `sources`, first the passages the answer will be written from (`SourcesFound`,
        as soon as they are chosen: before the model has read them)."""
        question = validate_question(question, self.settings.max_question_chars)
        for item in answer_question(question, self.engines(), k, filters):
            if sources or not isinstance(item, SourcesFound):
                yield item

    def engines(self, llm: LLM | object | None = _UNSET) -> Engines:
        """The parts a question's stages run on (this Assistant's LLM unless given)."""
        index = self.index
        return Engines(
            settings=self.settings,
            embedder=self.embedder,
            retriever=self.retriever,
            llm=self.llm if llm is _UNSET else llm,  # type: ignore[arg-type]
            evidence=lambda hits: self._sentences.evidence(index, hits),
        )

    def articles(self) -> dict[str, ArticleRecord]:
        """Every indexed article's record by id (private uploads included), or {} when
        nothing is indexed yet."""
        index = self._index
        return dict(index.manifest.articles) if index is not None else {}

    def passages(self, chunk_ids: Sequence[str]) -> list[Chunk]:
        """The indexed passages with these ids (unknown ids are left out)."""
        return self.index.chunks(list(chunk_ids))

    def store_stats(self) -> StoreStats:
        """Which engine and dense/keyword indexes serve this index, and their sizes."""
        return self.index.stats()

    def warm_up(self) -> None:
        """Load what the first answer would otherwise wait for: the embedding model (one
        query embedded), the index, the LLM, and the LLM's cache of the fixed system
        prompt (llama.cpp), so a first question costs what any later one does."""
        self.embedder.embed_queries(["warm up"])
        if self._index is None and store_exists(self.settings) and not _old_format(self.settings):
            self.reload()
        llm = self.llm
        prime = getattr(llm, "warm_up", None)
        if prime is not None:
            prime(prefix=fixed_prefix())

    def close(self) -> None:
        """Release the index (file handles, a Milvus connection); the Assistant is unusable
        for searches afterwards until `reload()`."""
        with self._lock:
            index, self._index = self._index, None
            self._sentences.clear()
        if index is not None:
            index.close()

    def with_backend(self, backend: str) -> Assistant:
        """Another Assistant sharing this one's index and embedder, with another LLM backend."""
        settings = self.settings.model_copy(update={"llm_backend": backend})
        return Assistant(settings, self.embedder, self._index)

    def chat(self, filters: SearchFilters | None = None, k: int | None = None) -> ChatSession:
        """A conversation that keeps history and understands follow-up questions."""
        return ChatSession(self, filters, k)

    def stats(self) -> IndexStats:
        """What the index holds."""
        index = self.index
        manifest = index.manifest
        store = index.stats()
        dates = [a.published for a in manifest.articles.values() if a.published]
        return IndexStats(
            articles=len(manifest.articles),
            chunks=store.chunks,
            embedding_model=manifest.embedding_model,
            dimension=manifest.dimension,
            chunk_size=manifest.chunk_size,
            chunk_overlap=manifest.chunk_overlap,
            index_bytes=store.disk_bytes or 0,
            last_ingest=manifest.updated_at,
            sources=sorted({a.source for a in manifest.articles.values()}),
            first_published=min(dates) if dates else None,
            last_published=max(dates) if dates else None,
        )


def _old_format(settings: Settings) -> bool:
    """An index folder of a format before the store owned it (`rag ingest` imports it)."""
    from rag.store.faiss_store import FaissStore

    return (
        settings.store == "faiss"
        and not FaissStore.exists(settings.index_dir)
        and legacy_folder(settings.index_dir) is not None
    )
