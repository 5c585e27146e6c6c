"""Extractive answerability checks: unknown names, missing figures, dates and names."""

from __future__ import annotations

import pytest

from rag.answerability import names_in, unanswerable_reason

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
