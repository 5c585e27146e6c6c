"""Questions with several parts are split into one question per part; others are not."""

from __future__ import annotations

import pytest

from rag.retrieve.parts import split_parts


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "2021年宝马和奔驰的全球销量分别是多少？",
            ["2021年宝马的全球销量分别是多少？", "2021年奔驰的全球销量分别是多少？"],
        ),
        (
            "2022年和2023年春节档首日票房冠军",
            ["2022年春节档首日票房冠军", "2023年春节档首日票房冠军"],
        ),
        ("MU5735航班坠毁的时间和地点", ["MU5735航班坠毁的时间", "MU5735航班坠毁的地点"]),
        (
            "iPhone SE 3的芯片是什么，起售价多少",
            ["iPhone SE 3的芯片是什么，", "iPhone SE 3起售价多少"],
        ),
        (
            "Who won the 2022 and 2023 Super Bowl?",
            ["Who won the 2022 Super Bowl?", "Who won the 2023 Super Bowl?"],
        ),
        (
            "When did Tesla and BYD open their first plants?",
            ["When did Tesla open their first plants?", "When did BYD open their first plants?"],
        ),
        (
            "What did Xiaomi announce? When will it ship?",
            ["What did Xiaomi announce?", "When will it ship?"],
        ),
    ],
)
def test_a_question_with_several_parts_is_split(question: str, parts: list[str]) -> None:
    assert split_parts(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "What is Xiaomi's Africa strategy?",
        "How many followers did Lei Jun lose?",
        "Which brands rank ahead of Xiaomi in Africa's smartphone market?",
        "速度与激情8什么时候在内地上映？",  # 与 inside a title
        "《七人乐队》的导演是谁？",
        "小米在非洲的战略是什么？",
    ],
)
def test_a_question_about_one_thing_is_not_split(question: str) -> None:
    assert split_parts(question) == []


def _citation(n: int, quote: str):  # type: ignore[no-untyped-def]
    from rag.models import Citation

    return Citation(
        n=n,
        article_id="a",
        title="t",
        source="s",
        published=None,
        chunk_id=f"c-{quote}",
        quote=quote,
        passage=quote,
        score=0.9,
    )


def test_the_parts_answers_are_joined_with_citations_numbered_across_them() -> None:
    from rag.answer.parts import join_parts
    from rag.answer.reply import Draft

    first = Draft([], "llamacpp", "宝马销量252万辆 [2]。", [_citation(2, "宝马")], grounded=1.0)
    second = Draft([], "llamacpp", "奔驰销量超过240万 [1]。", [_citation(1, "奔驰")], grounded=1.0)
    joined = join_parts([first, second], ["宝马的销量", "奔驰的销量"], [])
    assert joined is not None
    assert joined.text == "宝马销量252万辆 [1]。 奔驰销量超过240万 [2]。"
    assert [(c.n, c.quote) for c in joined.citations] == [(1, "宝马"), (2, "奔驰")]
    refused = Draft([], "llamacpp")
    partly = join_parts([first, refused], ["宝马的销量", "奔驰的销量"], [])
    assert partly is not None and [n.values["part"] for n in partly.notes] == ["奔驰的销量"]
    assert join_parts([refused, refused], ["a", "b"], []) is None
