"""The citation verifier with the real embedding model on real corpus passages."""

from __future__ import annotations

from datetime import datetime

import pytest

from rag.answer.evidence import EvidenceSet
from rag.answer.verify import CitationVerifier, split_answer
from rag.models import Chunk, Hit
from tests.conftest import AFRICA_ID, LIVESTREAM_ID

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sources(corpus_assistant):  # type: ignore[no-untyped-def]
    """[1] = the Africa store passage, [2] = the followers passage."""
    africa = corpus_assistant.search("first direct store in Morocco", k=1)[0]
    followers = corpus_assistant.search("Lei Jun lost 290,000 followers", k=1)[0]
    assert (africa.chunk.article_id, followers.chunk.article_id) == (AFRICA_ID, LIVESTREAM_ID)
    hits = [africa, followers]
    return hits, EvidenceSet(hits, corpus_assistant.embedder), corpus_assistant.settings


def verify(sources, text: str):  # type: ignore[no-untyped-def]
    hits, evidence, settings = sources
    return CitationVerifier(hits, evidence, settings.support_threshold).verify(text)


def test_correct_markers_are_kept_with_the_supporting_quote(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Xiaomi opened its first direct store in Morocco [1].")
    assert result.text == "Xiaomi opened its first direct store in Morocco [1]."
    assert result.grounded == 1.0
    assert "Morocco" in result.citations[0].quote


def test_a_wrong_marker_is_corrected(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Lei Jun acknowledged a drop of 290,000 followers [1].")
    assert result.text.endswith("[2].")
    assert [c.n for c in result.citations] == [2]
    assert "290,000" in result.citations[0].quote


def test_a_missing_marker_is_added(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Xiaomi ranks third in Africa with a 14% market share.")
    assert result.text.endswith("[1].") and result.grounded == 1.0


def test_markers_out_of_range_are_removed(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Xiaomi opened its first direct store in Morocco [7][1].")
    assert "[7]" not in result.text and "[1]" in result.text


def test_a_hallucinated_sentence_is_flagged(sources) -> None:  # type: ignore[no-untyped-def]
    text = (
        "Xiaomi opened its first direct store in Morocco [1]. "
        "The new SU7 costs 215,900 yuan and ships with a solar roof [2]."
    )
    result = verify(sources, text)
    assert result.unsupported == ["The new SU7 costs 215,900 yuan and ships with a solar roof."]
    assert "solar roof." in result.text and "solar roof [2]" not in result.text
    assert result.grounded == 0.5


def test_split_answer_keeps_markers_with_their_sentence() -> None:
    assert split_answer("One fact [1]. Second fact.[2] Third") == [
        "One fact [1].",
        "Second fact.[2]",
        "Third",
    ]


def test_a_number_the_cited_passage_lacks_is_not_supported(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Lei Jun lost 14% of his 43 million followers [2].")
    assert result.unsupported and result.citations == []


def test_a_sentence_joining_two_sources_is_supported_clause_by_clause(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(
        sources,
        "Xiaomi opened its first direct store in Morocco, and Lei Jun lost 290,000 followers [1].",
    )
    assert result.grounded == 1.0 and not result.unsupported
    assert [c.n for c in result.citations] == [1, 2], "each clause cites its own source"
    wrong = verify(sources, "小米在摩洛哥开设了第一家直营店，雷军失去了500万粉丝 [1]。")
    assert wrong.unsupported, "one clause no source supports makes the sentence unsupported"


def test_a_bare_answer_is_supported_when_a_source_states_it(sources) -> None:  # type: ignore[no-untyped-def]
    assert verify(sources, "290,000 [2].").grounded == 1.0
    assert verify(sources, "Morocco").citations[0].n == 1, "no marker: the source that states it"
    assert verify(sources, "350,000 [2].").unsupported == ["350,000."]


def test_a_question_echoed_back_is_no_claim(sources) -> None:  # type: ignore[no-untyped-def]
    result = verify(sources, "Where did Xiaomi open its first direct store [1]?")
    assert result.citations == [] and "[1]" not in result.text


def test_a_sentence_giving_a_whole_date_is_supported_by_the_sentence_stating_it(
    corpus_assistant,
) -> None:  # type: ignore[no-untyped-def]
    """The cited passage words it otherwise ("premiered on …"), below the similarity
    threshold; the date it states, on the same subject, supports the answer."""
    texts = [
        "The Walking Dead Season 11 Sets January 2023 Netflix Release Date.",
        "The eleventh and final season of The Walking Dead, an American post-apocalyptic "
        "horror television series on AMC, premiered on August 22, 2021, and concluded on "
        "November 20, 2022.",
    ]
    hits = [passage(n, t) for n, t in enumerate(texts)]
    evidence = EvidenceSet(hits, corpus_assistant.embedder)
    threshold = corpus_assistant.settings.support_threshold
    answer = "The premiere date of The Walking Dead Season 11 is August 22, 2021 [2]."
    result = CitationVerifier(hits, evidence, threshold).verify(answer)
    assert [c.n for c in result.citations] == [2] and "August 22, 2021" in result.citations[0].quote
    wrong = "The premiere date of The Walking Dead Season 11 is August 23, 2021 [2]."
    assert not CitationVerifier(hits, evidence, threshold).verify(wrong).citations


def passage(n: int, text: str) -> Hit:
    chunk = Chunk(
        id=f"w#{n}", article_id=f"w{n}", text=text, start=0, end=len(text),
        title=f"W{n}", source="Wire", published=datetime(2022, 12, 1),
    )  # fmt: skip
    return Hit(chunk=chunk, score=0.9, rank=n + 1)


def test_a_name_in_latin_letters_must_be_written_so_in_its_chinese_source(corpus_assistant) -> None:  # type: ignore[no-untyped-def]
    """《泰坦尼克号》的编剧: "James Cameron" is not what the Chinese passage says."""
    hits = [passage(0, "《泰坦尼克号》由詹姆斯·卡梅隆编剧并执导，于1997年上映。")]
    evidence = EvidenceSet(hits, corpus_assistant.embedder)
    verifier = CitationVerifier(hits, evidence, corpus_assistant.settings.support_threshold)
    assert not verifier.verify("《泰坦尼克号》的编剧是James Cameron [1]。").citations
    assert [
        c.n for c in verifier.verify("《泰坦尼克号》的编剧是詹姆斯·卡梅隆 [1]。").citations
    ] == [1]
