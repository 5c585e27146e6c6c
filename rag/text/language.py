"""The question's language, and every text the assistant itself writes, in English and Chinese.

A Chinese question gets a Chinese answer, refusal and notices; anything else gets English.
Messages are looked up by key (`say("refusal", "zh")`) so the answer path, the CLI and the
UI share one catalogue. The answer path's stages return `Note`s (a key and its values), and
the reply is worded once, at the end, in the question's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Language = Literal["en", "zh"]
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def language_of(text: str) -> Language:
    """'zh' when Chinese characters make up at least 30% of the letters ("Minecraft是什么类型
    的游戏？" is Chinese), else 'en'."""
    letters = [c for c in text if c.isalpha()]
    han = sum(1 for c in letters if _HAN.match(c))
    return "zh" if han >= 2 and han >= 0.3 * len(letters) else "en"


def is_cjk(text: str) -> bool:
    """Written mostly in Chinese, Japanese or Korean (more than half of the letters)."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) > len(letters) / 2


MESSAGES: dict[str, dict[str, str]] = {
    "refusal": {
        "en": "I could not find the answer to this question in the articles I have. "
        "The closest passages are listed below.",
        "zh": "我在现有的文章中找不到这个问题的答案。下面列出了最接近的段落。",
    },
    "prefer_period": {
        "en": "Preferred passages from or about {period} (from “{expression}”).",
        "zh": "优先考虑{period}发表或提到{period}的段落（根据“{expression}”）。",
    },
    "searched_period": {
        "en": "Searched only articles published {window} (from “{expression}”).",
        "zh": "只检索了{window}发表的文章（根据“{expression}”）。",
    },
    "no_article_in_period": {
        "en": "No article was published {window}; searched all articles instead.",
        "zh": "没有文章发表于{window}，因此检索了全部文章。",
    },
    "translated": {
        "en": "Searched in English: “{english}”.",
        "zh": "已用英文检索：“{english}”。",
    },
    "untranslated": {
        "en": "The question is not in English and there is no language model to translate it; "
        "the English embedding model matches it poorly. Use an LLM backend, or "
        "RAG_EMBEDDING_MODEL=multilingual-e5-small (then `rag ingest --rebuild`).",
        "zh": "问题不是英文，也没有可用于翻译的语言模型，而英文嵌入模型很难匹配它。请使用带语言模型"
        "的后端，或设置 RAG_EMBEDDING_MODEL=multilingual-e5-small（然后运行 `rag ingest --rebuild`）。",
    },
    "llm_failed": {
        "en": "The language model failed ({error}); showing extracted sentences instead.",
        "zh": "语言模型出错（{error}），改为显示从文章中摘录的句子。",
    },
    "llm_stopped": {
        "en": "The language model stopped in mid-answer ({error}); what it wrote until then, "
        "incomplete and not verified: “{partial} …”. Showing extracted sentences instead.",
        "zh": "语言模型在回答中途停止（{error}）；它此前写下的内容（不完整，未经核实）：“{partial}……”。"
        "改为显示从文章中摘录的句子。",
    },
    "unverified": {
        "en": "The model's answer could not be verified against the sources; showing the "
        "supporting sentences instead.",
        "zh": "模型的回答无法与来源核实，改为显示相关的原文句子。",
    },
    "reporting_fallback": {
        "en": "The language model gave no answer; the outlet and date are those of the cited "
        "article.",
        "zh": "语言模型没有给出回答；媒体和日期取自所引用的文章。",
    },
    "not_answered": {"en": "Not answered: {reason}.", "zh": "未作回答：{reason}。"},
    "part_not_held": {
        "en": "The articles do not answer this part: “{part}”.",
        "zh": "文章中没有这一部分的答案：“{part}”。",
    },
    "disagree": {
        "en": "The sources disagree; another one says:",
        "zh": "来源的说法不一致，另一来源称：",
    },
    "other_year": {
        "en": "the articles give {given} for this, not {asked}",
        "zh": "文章只提到{given}的情况，没有{asked}的",
    },
    "not_stated": {
        "en": "the passages found do not state it as the answer to this question; the "
        "closest sentence is “{quote}”",
        "zh": "找到的段落没有把它作为这个问题的答案；最接近的句子是“{quote}”",
    },
    "no_kind": {
        "en": "no retrieved sentence gives the {kind} the question asks for",
        "zh": "检索到的句子中没有问题所问的{kind}",
    },
    "wrong_period": {
        "en": "the question is about {years} and no cited passage is from or about it",
        "zh": "问题问的是{years}，但所引用的段落都不是该时间的",
    },
    "quarantined": {
        "en": "{count} passage(s) that contain instructions to the assistant were left out.",
        "zh": "有{count}个段落含有针对助手的指令，已被排除。",
    },
    "quarantined_sentences": {
        "en": "{count} sentence(s) that address the assistant were left out of the sources.",
        "zh": "有{count}个句子是针对助手的指令，已从来源中排除。",
    },
    "published": {"en": "Published: {dated}.", "zh": "发表：{dated}。"},
    "sources": {"en": "Sources", "zh": "来源"},
    "not_in_articles": {"en": "Not in the articles.", "zh": "文章中没有答案。"},
    "closest": {"en": "Closest passages", "zh": "最接近的段落"},
    "reading": {"en": "Writing the answer from these passages:", "zh": "正在根据以下段落作答："},
    "date_unknown": {"en": "date unknown", "zh": "日期不详"},
    "unmatched": {
        "en": "These sentences could not be matched to a source:",
        "zh": "以下句子无法对应到来源：",
    },
    "note": {"en": "note", "zh": "注意"},
}
# the kinds of answer a factoid question asks for (rag/answer/answerability.py)
MESSAGES |= {
    "kind_figure": {"en": "figure", "zh": "数字"},
    "kind_date": {"en": "date", "zh": "日期"},
    "kind_name": {"en": "name", "zh": "名称"},
}


def say(key: str, language: str = "en", **values: object) -> str:
    """The message `key` in `language` (English when it has no translation)."""
    texts = MESSAGES[key]
    text = texts.get(language, texts["en"])
    return text.format(**values) if values else text


class Worded(Protocol):
    """A value of a note that is written differently in each language (a period, years)."""

    def words(self, language: str) -> str: ...


@dataclass(frozen=True)
class Note:
    """Something the reply must say, as a message key and its values: a stage decides it,
    the reply words it in the question's language (values may be notes or `Worded`)."""

    key: str
    values: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, key: str, **values: Any) -> Note:
        return cls(key, values)

    def words(self, language: str) -> str:
        worded = {
            name: value.words(language) if hasattr(value, "words") else value
            for name, value in self.values.items()
        }
        return say(self.key, language, **worded)


def format_day(when: object, language: str = "en") -> str:
    """'1 September 2025' / '2025年9月1日' for a datetime."""
    from datetime import datetime

    assert isinstance(when, datetime)
    if language == "zh":
        return f"{when.year}年{when.month}月{when.day}日"
    return f"{when.day} {when:%B %Y}"
