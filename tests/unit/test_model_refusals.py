"""An answer that opens by saying the sources do not hold it is a refusal, markers or not."""

from __future__ import annotations

import pytest

from rag.answer.generate import opens_with_refusal


@pytest.mark.parametrize(
    "text",
    [
        "NOT IN SOURCES [2]",
        "NOT IN SOURCES [1]  Published: 29 May 2021 [1].",
        "The president of FIFA is not mentioned in the given sources [2].",
        "资料中没有提到这个信息 [1]。",
    ],
)
def test_refusals_with_markers_are_refusals(text: str) -> None:
    assert opens_with_refusal(text)


@pytest.mark.parametrize(
    "text",
    [
        "Xiaomi did not provide figures, but opened a store in Morocco [1].",
        "Lei Jun lost 290,000 followers [2]. The sources do not say why [1].",
        "小米在摩洛哥开设了首家直营店 [1]。",
        "",
    ],
)
def test_answers_are_not_refusals(text: str) -> None:
    assert not opens_with_refusal(text)
