"""Questions with several parts: "2021年宝马和奔驰的全球销量分别是多少？", "MU5735航班坠毁的时间和
地点", "iPhone SE 3的芯片是什么，起售价多少", "When did Tesla and BYD open their first plants?".

Each part is searched on its own, so that the passages for every part reach the answer (one
search for the whole question finds the passages of the part it matches best). Parts come
from two shapes, by rules in both scripts:

* clauses that are each a question ("…是什么，…多少", "…电影？它的导演是谁？"); a later clause
  gets the first clause's subject ("iPhone SE 3" + "起售价多少");
* two conjuncts joined by 和/与/及/、 or "and" ("宝马和奔驰", "2022年和2023年", "Tesla and BYD"):
  one part keeps the first, the other the second. In Chinese the second conjunct runs as far
  as the first is long (jieba words: "冬奥会和冬残奥会" → 冬奥会 / 冬残奥会); in English both
  must be names or years (a capitalised run or a number), since "and" joins anything.
"""

from __future__ import annotations

import logging
import re

MAX_PARTS = 3
_ZH_ASKS = re.compile(r"什么|多少|谁|哪|几|何时|时候|吗|怎么|如何|怎样|是否")
_EN_ASKS = re.compile(
    r"^\s*(what|which|who|whom|whose|when|where|how|why|is|are|was|were|did|does|do)\b", re.I
)
_ZH_CLAUSE = re.compile(r"(?<=[？?，,；;])")
_EN_CLAUSE = re.compile(r"(?<=\?)\s+")
_ZH_AND = {"和", "及", "、", "以及", "跟"}  # not 与: it joins titles ("速度与激情")
_ZH_SUBJECT_END = re.compile(r"的|是|在|有|于")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_NAME = r"(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*|\d{4})"
_EN_AND = re.compile(rf"\b({_EN_NAME})\s+and\s+({_EN_NAME})\b")


def split_parts(question: str) -> list[str]:
    """The question's parts (two or three), or [] when it asks one thing."""
    text = question.strip()
    chinese = len(_HAN.findall(text)) >= 2
    parts = _clauses(text, chinese) or _conjuncts(text, chinese)
    return parts[:MAX_PARTS] if len(parts) >= 2 else []


def _clauses(text: str, chinese: bool) -> list[str]:
    pieces = [p.strip() for p in (_ZH_CLAUSE if chinese else _EN_CLAUSE).split(text) if p.strip()]
    asks = _ZH_ASKS if chinese else _EN_ASKS
    if len(pieces) < 2 or not all(asks.search(p) for p in pieces):
        return []
    subject = _ZH_SUBJECT_END.split(pieces[0], maxsplit=1)[0] if chinese else ""
    return [
        pieces[0],
        *(f"{subject}{p}" if subject and subject not in p else p for p in pieces[1:]),
    ]


def _conjuncts(text: str, chinese: bool) -> list[str]:
    if not chinese:
        m = _EN_AND.search(text)
        if not m:
            return []
        first = text[: m.start()] + m.group(1) + text[m.end() :]
        second = text[: m.start()] + m.group(2) + text[m.end() :]
        return [first, second]
    words = _words(text)
    for n, word in enumerate(words):
        if word in _ZH_AND and 0 < n < len(words) - 1:
            left = words[n - 1]
            right, end = words[n + 1], n + 2
            while len(right) < len(left) and end < len(words) and words[end] not in "的是，,？?":
                right, end = right + words[end], end + 1
            head, tail = "".join(words[: n - 1]), "".join(words[end:])
            return [f"{head}{left}{tail}", f"{head}{right}{tail}"]
    return []


def _words(text: str) -> list[str]:
    """jieba's words, a number joined to the 年/月/日 after it ("2022" + "年")."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words: list[str] = []
    for word in jieba.cut(text):
        if words and word in ("年", "月", "日", "号") and words[-1].isdigit():
            words[-1] += word
        else:
            words.append(word)
    return words
