"""The facade: ingest, search, ask. Everything else (CLI, UI, evals) goes through it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.answerability import about_time
from rag.answering import (
    answer_extractively,
    name_dates,
    refusal,
    retrieval_is_confident,
    validate_question,
)
from rag.chat import ChatSession
from rag.config import Settings
from rag.corpus.text import split_sentences
from rag.dates import DateIntent, parse_date_intent
from rag.embeddings import Embedder, settings_embedder
from rag.errors import IndexMissingError
from rag.evidence import EvidenceSet, SentenceCache
from rag.generation import generate
from rag.ingest import ProgressFactory, ingest
from rag.llm import LLM, load_llm
from rag.models import Answer, Hit, IndexStats, IngestReport
from rag.retrieval import Retriever, SearchFilters
from rag.store.index import Index, sentence_id
from rag.translate import needs_translation, translate_question, untranslated_notice

_UNSET = object()


class Assistant:
    """Answers questions about the indexed articles, with verified citations."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        index: Index | None,
        llm: LLM | object | None = _UNSET,
    ) -> None:
        """Parts can be passed in (e.g. a shared index, a test LLM); otherwise built lazily."""
        self.settings = settings
        self.embedder = embedder
        self._index = index
        self._llm = llm
        self._sentence_cache: SentenceCache = {}
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
        elif (
            Index.exists(settings.index_dir)
            and not Index.read_manifest(settings.index_dir).outdated
        ):
            assistant.reload()  # an outdated index stays unloaded until ingest upgrades it
        return assistant

    @property
    def index(self) -> Index:
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
    ) -> IngestReport:
        """Incrementally index files (default: the corpus folder), then reload the index."""
        kwargs = {"progress": progress} if progress else {}
        report = ingest(self.settings, self.embedder, paths, rebuild=rebuild, **kwargs)
        self.reload()
        return report

    def reload(self) -> Assistant:
        """Load the live index generation from disk (after an ingest elsewhere)."""
        index = Index.load(self.settings.index_dir)
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
        query = validate_question(query, self.settings)
        return self._retrieve(query, k, filters)[0]

    def _retrieve(
        self, query: str, k: int | None, filters: SearchFilters | None
    ) -> tuple[list[Hit], str | None, bool]:
        """Hybrid search, narrowed to the dates the question names (with a notice saying so),
        and whether the question is about time.

        "in January 2026" becomes a published-date filter; when no article falls in it, all
        articles are searched and the notice says that. "latest" prefers recent articles.
        """
        k = k or self.settings.top_k
        intent = parse_date_intent(query) if self.settings.parse_dates else DateIntent()
        timely = intent.recent or about_time(query)
        if intent.after is None and intent.before is None:
            return self.retriever.search(query, k, filters, recent=intent.recent), None, timely
        narrowed = (filters or SearchFilters()).narrowed(intent.after, intent.before)
        hits = self.retriever.search(query, k, narrowed)
        window = _window_text(intent)
        if hits:
            notice = f"Searched only articles published {window} (from “{intent.expression}”)."
            return hits, notice, True
        notice = f"No article was published {window}; searched all articles instead."
        return self.retriever.search(query, k, filters), notice, True

    @property
    def retriever(self) -> Retriever:
        """Hybrid search over the loaded index with the configured fusion weights."""
        s = self.settings
        return Retriever(self.index, self.embedder, s.weights, s.max_per_article)

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

    def stream(
        self, question: str, *, k: int | None = None, filters: SearchFilters | None = None
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it is generated, then the verified Answer (always last)."""
        started = time.perf_counter()
        question = validate_question(question, self.settings)
        llm = self.llm
        backend = llm.name if llm else "extractive"
        asked, notices = question, []
        if llm is not None and self.settings.translate_questions and needs_translation(question):
            english = translate_question(llm, question)
            if english:
                question = english
                notices.append(f"Searched in English: “{english}”.")
        hits, date_notice, timely = self._retrieve(question, k, filters)
        notices += [date_notice] if date_notice else []
        retrieved = time.perf_counter()
        answer: Answer | None = None
        if not retrieval_is_confident(hits, self.settings):
            answer = refusal(question, hits, backend)
        elif llm is None:
            evidence = self._evidence(hits)
            answer = answer_extractively(question, hits, evidence, self.settings)
            yield answer.text
        else:
            evidence = self._evidence(hits)
            for item in generate(question, hits, evidence, llm, self.settings):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        assert answer is not None
        if answer.refused and llm is None:
            untranslated = untranslated_notice(asked, self.settings.embedding_model)
            notices += [untranslated] if untranslated else []
        if timely:
            answer = name_dates(answer)
        answer.question = asked
        if notices:
            answer.notice = " ".join([*notices, *([answer.notice] if answer.notice else [])])
        done = time.perf_counter()
        first = answer.timings_ms.first_token
        answer.timings_ms.retrieve = round((retrieved - started) * 1000, 1)
        answer.timings_ms.generate = round((done - retrieved) * 1000, 1)
        answer.timings_ms.total = round((done - started) * 1000, 1)
        answer.timings_ms.first_token = (
            round(first + answer.timings_ms.retrieve, 1) if first else None
        )
        yield answer

    def _evidence(self, hits: list[Hit]) -> EvidenceSet:
        """The sentences of the hits with their vectors, read from the index where stored."""
        index = self.index
        with self._lock:
            for hit in hits:
                chunk = hit.chunk
                if chunk.id in self._sentence_cache:
                    continue
                sentences = split_sentences(chunk.text)
                ids = [sentence_id(chunk.id, n) for n in range(len(sentences))]
                if ids and all(i in index.sentences for i in ids):
                    self._sentence_cache[chunk.id] = (sentences, index.sentences.vectors(ids))
            return EvidenceSet(hits, self.embedder, self._sentence_cache)

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
        dates = [a.published for a in manifest.articles.values() if a.published]
        return IndexStats(
            articles=len(manifest.articles),
            chunks=len(index.chunks),
            embedding_model=manifest.embedding_model,
            dimension=manifest.dimension,
            chunk_size=manifest.chunk_size,
            chunk_overlap=manifest.chunk_overlap,
            index_bytes=index.size_bytes(self.settings.index_dir),
            last_ingest=manifest.updated_at,
            sources=sorted({a.source for a in manifest.articles.values()}),
            first_published=min(dates) if dates else None,
            last_published=max(dates) if dates else None,
        )


def _window_text(intent: DateIntent) -> str:
    """'between 2026-01-01 and 2026-01-31', 'since 2025-09-01', 'until 2025-12-31'."""
    after = intent.after.date().isoformat() if intent.after else None
    before = intent.before.date().isoformat() if intent.before else None
    if after and before:
        return f"between {after} and {before}"
    return f"since {after}" if after else f"until {before}"
