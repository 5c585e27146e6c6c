"""Extractive answerability checks: unknown names, missing figures, dates and names, and
which sentences give the kind of answer a question asks for."""

from __future__ import annotations

import pytest

from rag.answer.answerability import (
    Asked,
    asked_for,
    attributed,
    gives,
    names_in,
    new_names,
    topical,
    unanswerable_reason,
)

PASSAGES = [
    "雷军又签任命通知,目标非洲\nXiaomi opened its first direct store in Morocco. The African "
    "market is led by Transsion with 51%. In August, Xiaomi announced a restructuring."
]


def test_names_skip_the_first_word_and_question_words() -> None:
    assert names_in("How many stores does Xiaomi operate in Kenya?") == ["Xiaomi", "Kenya"]
    assert names_in("What is Samsung's share?") == ["Samsung"]


@pytest.mark.parametrize(
    ("question", "sentences", "reason"),
    [
        ("How many stores does Xiaomi run in Kenya?", ["Xiaomi opened a store."], "Kenya"),
        ("What is the name of Transsion's CEO?", ["Transsion leads."], "CEO"),
        ("How many stores did Xiaomi open?", ["Xiaomi opened a store in Morocco."], "figure"),
        ("When will Xiaomi open more stores?", ["Xiaomi opened its first store."], "date"),
        ("Who leads the African team?", ["In August, the team was restructured."], "name"),
    ],
)
def test_unanswerable_questions_get_a_reason(
    question: str, sentences: list[str], reason: str
) -> None:
    found = unanswerable_reason(question, PASSAGES, sentences)
    assert found is not None and reason in found


@pytest.mark.parametrize(
    ("question", "sentences"),
    [
        ("What share does Transsion hold in African markets?", ["Transsion holds 51%."]),
        ("How many stores did Xiaomi open in Morocco?", ["Xiaomi opened its first store."]),
        ("When did Xiaomi restructure its African team?", ["In August, Xiaomi announced it."]),
        ("Who leads the African smartphone market?", ["The market is led by Transsion."]),
    ],
)
def test_answerable_questions_pass(question: str, sentences: list[str]) -> None:
    assert unanswerable_reason(question, PASSAGES, sentences) is None


def test_a_citations_outlet_and_date_answer_only_questions_about_reporting() -> None:
    sentences = ["Xiaomi opened its first direct store in Morocco."]
    sources = ["创业邦 01 September 2025"]
    reported = "When was the Morocco store reported?"
    assert unanswerable_reason(reported, PASSAGES, sentences, sources) is None
    assert unanswerable_reason(reported, PASSAGES, sentences) is not None
    event = "When will Xiaomi open more stores in Morocco?"
    assert "date" in (unanswerable_reason(event, PASSAGES, sentences, sources) or "")


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("How many followers did Lei Jun lose?", Asked("figure", "followers")),
        ("How much did the store cost?", Asked("figure", "price")),
        ("What is Xiaomi's rank in Africa?", Asked("figure", "rank")),
        ("What market share does Transsion hold?", Asked("figure", "share")),
        ("And where does Xiaomi rank there?", Asked("figure", "rank")),
        ("On what date did Lei Jun appear?", Asked("date")),
        ("In which month was the team restructured?", Asked("date")),
        ("Which brands rank ahead of Xiaomi?", Asked("name")),
        ("On which social media platform did he lose followers?", Asked("name")),
        ("What is the name of the new executive?", Asked("name")),
        # earlier turns lead a follow-up in extractive mode: the last question counts
        ("When did Lei Jun go live? What did he announce?", None),
        ("What did he say? How many followers did he lose?", Asked("figure", "followers")),
        ("What is Xiaomi's Africa strategy?", None),
        ("Which outlet reported the store opening?", None),  # a citation answers it
    ],
)
def test_the_kind_of_answer_a_question_asks_for(question: str, asked: Asked | None) -> None:
    assert asked_for(question) == asked


@pytest.mark.parametrize(
    ("question", "sentence", "expected"),
    [
        ("How many followers did he lose?", "He lost 290,000 followers.", True),
        ("How many viewers watched?", "He lost 290,000 followers.", False),
        ("What market share does Transsion hold?", "Transsion holds 51%.", True),
        ("What market share does Transsion hold?", "Transsion has 3 factories.", False),
        ("On what date did Lei Jun appear?", "Lei Jun appeared on January 7, 2026.", True),
        ("On what date did Lei Jun appear?", "Lei Jun's demeanor was relaxed.", False),  # not June
        ("Which brands lead in Africa?", "The African market is led by Transsion.", True),
        ("Which brands lead in Africa?", "Xiaomi competes in the African market.", True),
        ("Which brands does Xiaomi face in Africa?", "The African market is hard.", False),
        ("Which platform did Lei Jun use?", "Lei Jun addressed the KOL issue.", False),
        # a continent does not answer "which city" / "which country"
        ("In which city is Xiaomi's store in Morocco?", "Xiaomi opened a store in Africa.", False),
        ("In which city is Xiaomi's store in Morocco?", "Xiaomi opened in Casablanca.", True),
        ("Which countries did Xiaomi enter?", "Xiaomi grew in West Africa.", False),
        ("Which countries did Xiaomi enter?", "Xiaomi entered Kenya and Nigeria.", True),
        ("Which brands lead in Asia?", "Samsung leads, Asia reports say.", True),  # not a place
    ],
)
def test_a_sentence_gives_the_asked_kind_or_not(
    question: str, sentence: str, expected: bool
) -> None:
    asked = asked_for(question)
    assert asked is not None
    assert gives(asked, sentence, question) is expected


def test_new_names_are_runs_of_capitals_the_question_does_not_contain() -> None:
    question = "Which executive did Lei Jun appoint for Xiaomi's African business?"
    assert new_names("Xiaomi Group and its founder Lei Jun spoke.", question) == []
    assert new_names("In August, Xiaomi promoted Ada Obi.", question) == ["Ada Obi"]
    assert new_names("The KOL issue came up.", question) == []  # an acronym names no one


MARKET = (
    "The market is competitive, particularly from Transsion, which holds a 51% share, and "
    "others. Xiaomi ranks third with a 14% share, following Transsion and Samsung."
)


def test_a_figure_belongs_to_the_name_in_its_clause_or_the_one_before() -> None:
    first, second = MARKET.split(". ")
    assert attributed(first, "Transsion")  # "Transsion, which holds a 51% share"
    assert not attributed(second, "Samsung")  # Samsung follows; the 14% is Xiaomi's
    assert attributed(second, "Xiaomi")


def test_a_figure_for_a_name_no_sentence_attributes_it_to_is_not_an_answer() -> None:
    passages = [f"Xiaomi in Africa. {MARKET}", "Xiaomi opened a store.", "Xiaomi trains staff."]
    sentences = MARKET.split(". ")
    assert topical("Xiaomi", passages) and not topical("Samsung", passages)
    reason = unanswerable_reason("What is Samsung's market share?", passages, sentences)
    assert reason is not None and "Samsung" in reason
    assert unanswerable_reason("What share does Transsion hold?", passages, sentences) is None
    # the topic of the passages may stay implicit ("the company ranks third")
    assert unanswerable_reason("What is Xiaomi's rank?", passages, ["It ranks third."]) is None


def test_a_price_question_wants_an_amount_of_money() -> None:
    question = "How much does the widget cost?"
    asked = asked_for(question)
    assert asked == Asked("figure", "price")
    assert gives(asked, "The widget costs 42 euros.", question)
    assert gives(asked, "The SU7 is priced at 215,900 yuan.", question)
    assert not gives(asked, "The widget sold 10,000 units in its first week.", question)


def test_a_passage_is_on_topic_by_its_own_score_or_its_best_sentences() -> None:
    from datetime import datetime

    from rag.answer.answerability import on_topic, retrieval_is_confident
    from rag.models import Chunk, Hit

    chunk = Chunk(id="a#0", article_id="a", text="t", start=0, end=1, title="T", source="S",
                  published=datetime(2026, 1, 1))  # fmt: skip
    long_passage = Hit(chunk=chunk, score=0.81, sentence=0.90, rank=1)
    assert on_topic(long_passage, 0.82, 0.84)
    assert not on_topic(long_passage, 0.82)  # no sentence threshold: off
    weak = Hit(chunk=chunk, score=0.80, sentence=0.83, rank=1)
    assert not retrieval_is_confident([weak], 0.82, 0.84)
    assert retrieval_is_confident([weak, long_passage], 0.82, 0.84)
    assert not retrieval_is_confident([], 0.82, 0.84)
