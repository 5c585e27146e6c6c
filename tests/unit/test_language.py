"""The question's language decides the language of what the assistant writes."""

from __future__ import annotations

from rag.text.language import MESSAGES, language_of, say


def test_language_of_questions() -> None:
    assert language_of("小米在非洲的战略是什么？") == "zh"
    assert language_of("Minecraft是什么类型的游戏？") == "zh", "a Latin name in a Chinese question"
    assert language_of("What is Xiaomi's Africa strategy?") == "en"
    assert language_of("What does 雷军 say?") == "en", "one Chinese name in an English question"


def test_every_message_has_both_languages_and_formats() -> None:
    for key, texts in MESSAGES.items():
        assert set(texts) == {"en", "zh"}, key
    assert say("refusal", "zh").startswith("我在现有的文章中找不到")
    assert "2019" in say("prefer_period", "en", period="2019", expression="in 2019")
    assert say("refusal", "fr") == say("refusal", "en"), "unknown languages fall back to English"
