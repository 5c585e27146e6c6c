"""Sentence selection of extractive answers: margins and the asked kind of answer."""

from __future__ import annotations

from typing import Any

from rag.answerability import asked_for
from rag.extractive import select_sentences


class RankedSentences:
    """An evidence set reduced to what selection reads: sentences ranked with scores."""

    def __init__(self, ranked: list[tuple[str, float]]) -> None:
        self.ranked = ranked

    def rank(self, text: str) -> list[tuple[Any, float]]:
        return [(Sentence(s), score) for s, score in self.ranked]


class Sentence:
    def __init__(self, sentence: str) -> None:
        self.sentence = sentence


def chosen(question: str, ranked: list[tuple[str, float]]) -> list[str]:
    picked = select_sentences(question, RankedSentences(ranked), 3, asked_for(question))  # type: ignore[arg-type]
    return [item.sentence for item, _ in picked]


def test_a_date_question_keeps_only_sentences_with_a_date() -> None:
    ranked = [
        ("Lei Jun made a surprise appearance in a live stream on January 7, 2026.", 0.80),
        ("The live stream showed Lei Jun's relaxed demeanor.", 0.78),
    ]
    assert chosen("On what date did Lei Jun appear in a live stream?", ranked) == [ranked[0][0]]


def test_a_sentence_that_gives_the_figure_may_rank_below_one_that_restates_the_question() -> None:
    ranked = [
        ("Xiaomi wants to capture market share in Africa.", 0.75),
        ("Xiaomi ranks third with a 14% market share.", 0.65),
        ("Transsion holds a 51% market share.", 0.55),  # below the allowed gap
    ]
    assert chosen("What is Xiaomi's rank in Africa?", ranked) == [ranked[1][0]]


def test_nothing_is_chosen_when_no_sentence_gives_what_is_asked() -> None:
    ranked = [("Lei Jun acknowledged a drop of 290,000 followers.", 0.8)]
    assert chosen("How many viewers watched the live stream?", ranked) == []


def test_broad_questions_gather_sentences_within_the_broad_margin() -> None:
    ranked = [("Xiaomi opened a store.", 0.80), ("It trains talent.", 0.66), ("Unrelated.", 0.6)]
    assert chosen("What is Xiaomi's Africa strategy?", ranked) == [ranked[0][0], ranked[1][0]]
