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
