"""Ingest → search → ask on the real corpus with the real model and a real FAISS index."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import IndexMissingError, InputError
from rag.models import Answer, SearchFilters, SourcesFound
from tests.conftest import (
    AFRICA_FACTS,
    AFRICA_ID,
    AFRICA_Q,
    LIVESTREAM_ID,
    cited_facts,
    make_settings,
)

pytestmark = pytest.mark.integration


def test_africa_question_cites_the_africa_article(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = corpus_assistant.ask(AFRICA_Q)
    assert not answer.refused
    assert answer.citations and {c.article_id for c in answer.citations} == {AFRICA_ID}
    quotes = " ".join(c.quote for c in answer.citations)
    assert "Africa" in quotes
    # the strategy's facts, not only the sentence that repeats the word "strategy"
    assert len(cited_facts(answer, AFRICA_FACTS, AFRICA_ID)) >= 2, answer.text
    for citation in answer.citations:
        assert f"[{citation.n}]" in answer.text
        assert citation.quote in citation.passage
    assert answer.timings_ms.total > 0


def test_the_extractive_answerer_keeps_the_passage_gate(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    """Its answers are not read by a model: a passage under the refusal threshold is not
    admitted by one on-topic sentence (it would quote an announcement date for a delivery
    date)."""
    answer = corpus_assistant.ask("On what date will the new SU7 be delivered to customers?")
    assert answer.refused, answer.text


def test_the_sources_come_before_the_answer(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    items = list(corpus_assistant.stream(AFRICA_Q, sources=True))
    found, answer = items[0], items[-1]
    assert isinstance(found, SourcesFound) and isinstance(answer, Answer)
    assert not any(isinstance(i, SourcesFound) for i in items[1:])
    assert found.hits[0].chunk.article_id == AFRICA_ID
    assert len(found.quotes) == len(found.hits)
    for hit, quote in zip(found.hits, found.quotes, strict=True):
        assert quote in hit.chunk.text  # a sentence of the passage it stands for
    shown = {h.chunk.id for h in found.hits}
    assert answer.citations and {c.chunk_id for c in answer.citations} <= shown
    # without asking for them, a stream is text and the Answer, as before
    plain = list(corpus_assistant.stream(AFRICA_Q))
    assert not any(isinstance(i, SourcesFound) for i in plain)


def test_a_refusal_shows_no_sources_being_read(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    items = list(corpus_assistant.stream("What is the capital of Australia?", sources=True))
    assert items[-1].refused  # type: ignore[union-attr]
    assert not any(isinstance(i, SourcesFound) for i in items)


@pytest.mark.parametrize(
    "question",
    ["What is the capital of Australia?", "Who won the 2022 football World Cup?"],
)
def test_off_topic_questions_are_refused(corpus_assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = corpus_assistant.ask(question)
    assert answer.refused
    assert answer.citations == []
    assert "could not find" in answer.text
    assert answer.hits, "a refusal still lists the closest passages"


def test_search_ranks_and_filters(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    hits = corpus_assistant.search("Morocco store", k=3)
    assert hits[0].chunk.article_id == AFRICA_ID
    assert [h.rank for h in hits] == [1, 2, 3]
    assert hits[0].score >= hits[1].score
    only_livestream = corpus_assistant.search(
        "Morocco store", k=3, filters=SearchFilters(sources=["Bei Jing Shang Bao"])
    )
    assert only_livestream and {h.chunk.article_id for h in only_livestream} == {LIVESTREAM_ID}
    in_2026 = corpus_assistant.search(
        "Xiaomi", k=10, filters=SearchFilters(published_after="2026-01-01")
    )
    assert {h.chunk.article_id for h in in_2026} == {LIVESTREAM_ID}
    none = corpus_assistant.search("Xiaomi", filters=SearchFilters(published_before="2000-01-01"))
    assert none == []


@pytest.mark.parametrize("question", ["", "   \n\t"])
def test_empty_questions_are_rejected(corpus_assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="empty"):
        corpus_assistant.ask(question)


def test_huge_question_is_rejected(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="limit"):
        corpus_assistant.ask("Xiaomi Africa " * 5000)


def test_stats_describe_the_index(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    stats = corpus_assistant.stats()
    assert stats.articles == 2 and stats.chunks >= 2
    assert stats.embedding_model == "multilingual-e5-small" and stats.dimension == 384
    assert stats.sources == ["Bei Jing Shang Bao", "创业邦"]
    assert stats.index_bytes > 0


def test_warm_up_opens_the_index_and_close_releases_it(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    fresh = Assistant(corpus_assistant.settings, corpus_assistant.embedder, None)
    fresh.warm_up()  # extractive: no LLM; the index is opened and the embedder used
    assert fresh.search("Xiaomi Africa", 1)[0].chunk.article_id == AFRICA_ID
    fresh.close()
    with pytest.raises(IndexMissingError):
        fresh.search("Xiaomi Africa", 1)
    assert corpus_assistant.search("Xiaomi Africa", 1)  # the other Assistant is untouched


@pytest.mark.parametrize(
    "model", ["multilingual-e5-small", "all-MiniLM-L6-v2", "bge-small-en-v1.5"]
)
def test_a_price_question_gets_the_price_not_another_figure(tmp_path: Path, model: str) -> None:
    from rag.embed import load_embedder

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "widget.md").write_text(
        "---\ntitle: The widget goes on sale\nsource: Gadget Daily\npublished: 2026-03-02\n---\n\n"
        "Acme's new widget went on sale on Monday. It costs 42 euros. "
        "How well is the widget doing? The widget sold 10,000 units in its first week. "
        "Its maker plans a second model for next year.\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path, corpus, llm_backend="extractive", embedding_model=model)
    assistant = Assistant(settings, load_embedder(model), None)
    assistant.ingest()
    answer = assistant.ask("How much does the widget cost?")
    # the price, or a refusal ("It costs 42 euros" may score too far below the best
    # sentence); never the other figure
    assert answer.refused or "42 euros" in answer.text, answer.text
    assert "10,000" not in answer.text, answer.text
