"""Translating CJK questions for retrieval: when, and what is accepted from the model."""

from __future__ import annotations

import pytest

from rag.errors import LLMError
from rag.llm.fake import FakeLLM
from rag.retrieve.translate import needs_translation, translate_question, untranslated_note


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("小米在非洲的战略是什么？", True),
        ("雷军在直播中宣布了哪款新车型？", True),
        ("What is Xiaomi's Africa strategy?", False),
        ("What does 雷军 say?", False),  # mostly English: the English embedder copes
        ("2026?", False),
    ],
)
def test_needs_translation(question: str, expected: bool) -> None:
    assert needs_translation(question) is expected


def test_translation_is_the_models_first_line() -> None:
    llm = FakeLLM('"What is Xiaomi\'s strategy in Africa?"\nNote: literal translation.')
    assert (
        translate_question(llm, "小米在非洲的战略是什么？")
        == "What is Xiaomi's strategy in Africa?"
    )
    assert llm.calls and "Translate" in llm.calls[0][0]["content"]


@pytest.mark.parametrize("reply", ["", "小米在非洲的战略", "word " * 200])
def test_odd_replies_are_rejected(reply: str) -> None:
    assert translate_question(FakeLLM(reply), "小米在非洲的战略是什么？") is None


def test_a_failing_model_means_no_translation() -> None:
    def broken(messages):  # type: ignore[no-untyped-def]
        raise LLMError("server down")

    assert translate_question(FakeLLM(broken), "小米在非洲的战略是什么？") is None


def test_untranslated_notice_only_for_cjk_questions_with_an_english_embedder() -> None:
    note = untranslated_note("小米在非洲的战略是什么？", "all-MiniLM-L6-v2")
    assert note and "multilingual-e5-small" in note.words("en")
    assert untranslated_note("小米在非洲的战略是什么？", "multilingual-e5-small") is None
    assert untranslated_note("What is Xiaomi's Africa strategy?", "all-MiniLM-L6-v2") is None
