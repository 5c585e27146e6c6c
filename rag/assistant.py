"""The facade: ingest, search, ask. Everything else (CLI, UI, evals) goes through it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from rag.answerability import about_time, asked_kind
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
from rag.embeddings import Embedder, settings_embedder
from rag.errors import IndexMissingError
from rag.evidence import EvidenceSet, SentenceCache
from rag.generation import generate
from rag.ingest import ProgressFactory, ingest
from rag.injection import quarantine
from rag.language import say
from rag.llm import LLM, load_llm
from rag.models import Answer, Chunk, Hit, IndexStats, IngestReport
from rag.period import period_label, period_mismatch, window_text
from rag.prompt import fixed_prefix
from rag.query import Query, prepare
from rag.retrieval import Retriever
from rag.search import SearchFilters
from rag.store import ArticleRecord, Store, StoreStats, open_store, store_exists
from rag.store.legacy import legacy_folder
from rag.translate import untranslated_notice

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
        question = validate_question(query, self.settings)
        prepared = prepare(
            question, self.embedder, None, read_dates=self.settings.date_mode != "off"
        )
        return self._retrieve(prepared, k, filters)[0]

    def _retrieve(
        self, query: Query, k: int | None, filters: SearchFilters | None
    ) -> tuple[list[Hit], list[str]]:
        """Hybrid search, with the time the question names preferred (or, with date_mode
        'filter', as a publication-date filter), and the notices that say so.

        With 'filter', "in January 2026" keeps only articles published then; when none is,
        all articles are searched and the notice says that.
        """
        k = k or self.settings.top_k
        intent, lang = query.dates, query.language
        search = self.retriever.search
        if query.period is None or self.settings.date_mode == "off":
            return search(query.text, k, filters, intent.recent, vector=query.vector), []
        if self.settings.date_mode == "prefer":
            hits = search(query.text, k, filters, vector=query.vector, period=intent)
            label = period_label(intent, lang)
            return hits, [say("prefer_period", lang, period=label, expression=intent.expression)]
        narrowed = (filters or SearchFilters()).narrowed(intent.after, intent.before)
        hits = search(query.text, k, narrowed, vector=query.vector)
        window = window_text(intent, lang)
        if hits:
            return hits, [say("searched_period", lang, window=window, expression=intent.expression)]
        hits = search(query.text, k, filters, vector=query.vector)
        return hits, [say("no_article_in_period", lang, window=window)]

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

    def prepare(self, question: str) -> Query:
        """The question validated, with its language, search text, vector and dates."""
        question = validate_question(question, self.settings)
        return prepare(
            question,
            self.embedder,
            self.llm,
            translate=self.settings.translate_questions,
            read_dates=self.settings.date_mode != "off",
        )

    def stream(
        self, question: str, *, k: int | None = None, filters: SearchFilters | None = None
    ) -> Iterator[str | Answer]:
        """Yield the answer text as it is generated, then the verified Answer (always last)."""
        started = time.perf_counter()
        query = self.prepare(question)
        lang, text = query.language, query.text
        llm = self.llm
        backend = llm.name if llm else "extractive"
        found, notices = self._retrieve(query, k, filters)
        hits, left_out = quarantine(found)
        notices = [*query.notices, *notices]
        if left_out:
            notices.append(say("quarantined", lang, count=len(left_out)))
        retrieved = time.perf_counter()
        answer: Answer | None = None
        if not retrieval_is_confident(hits, self.settings):
            answer = refusal(text, hits, backend, language=lang)
        elif llm is None:
            evidence = self._evidence(hits, query)
            answer = answer_extractively(text, hits, evidence, self.settings, language=lang)
            yield answer.text
        else:
            evidence = self._evidence(hits, query)
            for item in generate(text, hits, evidence, llm, self.settings, lang):
                if isinstance(item, Answer):
                    answer = item
                else:
                    yield item
        assert answer is not None
        answer = self._check_period(query, answer, backend)
        if answer.refused and llm is None:
            untranslated = untranslated_notice(query.asked, self.settings.embedding_model, lang)
            notices += [untranslated] if untranslated else []
        if query.dates.recent or query.period or about_time(text):
            answer = name_dates(answer, lang)
        answer.question = query.asked
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

    def _check_period(self, query: Query, answer: Answer, backend: str) -> Answer:
        """Refuse an answer drawn from another year than the one the question names."""
        if query.period is None or self.settings.date_mode == "off":
            return answer
        asked = asked_kind(query.asked)
        years = period_mismatch(query.dates, answer, bool(asked and asked.kind == "date"))
        if years is None:
            return answer
        lang = query.language
        label = (
            "、".join(f"{y}年" for y in sorted(years))
            if lang == "zh"
            else ", ".join(str(y) for y in sorted(years))
        )
        reason = say("not_answered", lang, reason=say("wrong_period", lang, years=label))
        notice = " ".join(n for n in (reason, answer.notice) if n)
        return refusal(query.text, answer.hits, backend, notice, lang)

    def _evidence(self, hits: list[Hit], query: Query | None = None) -> EvidenceSet:
        """The sentences of the hits with their vectors, read from the index where stored
        (and the question's vector, so ranking against it embeds nothing)."""
        evidence = self._sentences(hits)
        if query is not None:
            evidence.remember(query.text, query.vector)
        return evidence

    def _sentences(self, hits: list[Hit]) -> EvidenceSet:
        index = self.index
        with self._lock:
            wanted = [h.chunk for h in hits if h.chunk.id not in self._sentence_cache]
            stored = index.sentence_vectors([c.id for c in wanted]) if wanted else {}
            for chunk in wanted:
                sentences = split_sentences(chunk.text)
                vectors = stored.get(chunk.id)
                if sentences and vectors is not None and len(vectors) == len(sentences):
                    self._sentence_cache[chunk.id] = (sentences, vectors)
            return EvidenceSet(hits, self.embedder, self._sentence_cache)

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
            self._sentence_cache.clear()
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
