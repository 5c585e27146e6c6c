"""Which follow-ups are rewritten by the LLM before retrieval, and which are searched as they are."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.chat import ChatSession
from rag.llm.fake import FakeLLM
from rag.models import Turn
from rag.retrieve.condense import stands_alone


@pytest.mark.parametrize(
    "question",
    [
        "How many followers did Lei Jun lose?",
        "What is Transsion's market share in Africa?",
        "When did Xiaomi open the store in Nairobi?",
        "小米在非洲的战略是什么？",  # a new question in Chinese, not a follow-up
        "雷军在直播中掉了多少粉丝？",
    ],
)
def test_a_follow_up_naming_its_subject_stands_alone(question: str) -> None:
    assert stands_alone(question)


@pytest.mark.parametrize(
    "question",
    [
        "What share does the leader hold?",  # no name: what leader?
        "Which country got its first direct store?",  # refers back
        "And where does Xiaomi rank there?",
        "What did he announce?",
        "Where?",
        "他宣布了什么？",
        "它什么时候发布？",
        "那份额呢？",
        "排名第几？",
        "What do I know?",
    ],
)
def test_a_follow_up_that_may_refer_back_is_rewritten(question: str) -> None:
    assert not stands_alone(question)


def session_with(llm: FakeLLM) -> ChatSession:
    session = ChatSession(SimpleNamespace(llm=llm))  # type: ignore[arg-type]
    session.history = [Turn("What is Xiaomi doing in Africa?", "It opened a store [1].")]
    return session


def test_the_llm_is_asked_only_when_a_rewrite_is_needed() -> None:
    llm = FakeLLM("Which country got Xiaomi's first direct store in Africa?")
    session = session_with(llm)
    assert session.condense("How many followers did Lei Jun lose?") == (
        "How many followers did Lei Jun lose?"
    )
    assert llm.calls == []
    rewritten = session.condense("Which country got its first direct store?")
    assert rewritten == "Which country got Xiaomi's first direct store in Africa?"
    assert len(llm.calls) == 1


def test_a_chinese_follow_up_is_rewritten_in_chinese_or_searched_with_the_last_question() -> None:
    """The small model rewrote "小米在非洲的战略是什么？" asked after an English question into
    an English question about the previous topic: a rewrite must keep the question's
    language, else the rule prefixes the previous question to a short follow-up."""
    llm = FakeLLM("What market share does Xiaomi hold in Africa?")
    session = session_with(llm)
    assert session.condense("那份额呢？") == "What is Xiaomi doing in Africa? 那份额呢？"
    llm = FakeLLM("小米在非洲的市场份额是多少？")
    assert session_with(llm).condense("那份额呢？") == "小米在非洲的市场份额是多少？"
