"""Extractive answers: sentence selection (margins, the asked kind of answer) and the
publication dates named in answers about time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from rag.answer.answerability import asked_for
from rag.answer.extract import select_sentences
from rag.answer.reply import Draft, word_reply
from rag.models import Citation, Timings


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


def citation(n: int, article: str, source: str, published: datetime | None) -> Citation:
    return Citation(
        n=n,
        article_id=article,
        title="t",
        source=source,
        published=published,
        chunk_id=f"c{n}",
        quote="q.",
        passage="q.",
        score=0.9,
    )


def worded(draft: Draft) -> str:
    """The reply's text for a question about time (in English)."""
    return word_reply(draft, "When?", "en", [], name_dates=True, timings=Timings()).text


def test_an_answer_about_reporting_names_each_cited_articles_outlet_and_date() -> None:
    answer = Draft(
        [],
        "extractive",
        text="Xiaomi restructured its African team [1]. It opened a store [2]. More [3].",
        citations=[
            citation(1, "africa", "创业邦", datetime(2025, 9, 1, tzinfo=UTC)),
            citation(2, "africa", "创业邦", datetime(2025, 9, 1, tzinfo=UTC)),
            citation(3, "lei", "Bei Jing Shang Bao", datetime(2026, 1, 8, tzinfo=UTC)),
        ],
    )
    dated = worded(answer)
    assert dated.endswith(
        "\n\nPublished: 创业邦, 1 September 2025 [1]; Bei Jing Shang Bao, 8 January 2026 [3]."
    )


def test_refusals_and_undated_citations_get_no_dates() -> None:
    undated = Draft([], "extractive", text="A [1].", citations=[citation(1, "a", "Outlet", None)])
    assert worded(undated) == "A [1]."
    refused = Draft([], "extractive", citations=[citation(1, "a", "Outlet", None)])
    assert (
        worded(refused)
        == "I could not find the answer to this question in the articles I have. The closest passages are listed below."
    )


def test_citations_are_numbered_from_one_in_their_order() -> None:
    draft = Draft(
        [],
        "llamacpp",
        text="Opened a store [2]. Ranks third [4]. Both [2] [4].",
        citations=[citation(2, "a", "s", None), citation(4, "a", "s", None)],
    )
    answer = word_reply(draft, "q?", "en", [], name_dates=False, timings=Timings())
    assert answer.text == "Opened a store [1]. Ranks third [2]. Both [1] [2]."
    assert [c.n for c in answer.citations] == [1, 2]
