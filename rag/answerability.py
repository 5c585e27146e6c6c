"""Cheap answerability checks for extractive answers (no LLM to say "not in sources").

Retrieval similarity alone cannot tell "What is Xiaomi's revenue in Nigeria?" from a
question the articles answer: the Africa passages are close either way. Two checks catch
the common cases without a model:

* the question names something the retrieved passages never mention (a capitalised name
  or an acronym such as "Nigeria" or "CEO");
* the question asks for a kind of answer the chosen sentences do not contain: a number for
  "how many/how much", a date for "when/what date", a name for "who".
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_NAME = re.compile(r"(?<![\w'’])([A-Z][a-zA-Z0-9]*(?:[-'’][A-Za-z0-9]+)*)")
_QUESTION_WORDS = frozenset(
    "what which who whom whose when where why how is are was were did does do can could "
    "will would should in on at for of the a an and or if".split()
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|"
    r"million|billion|half|first|second|third|quarter)\b",
    re.IGNORECASE,
)
_MONTHS = (
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
_DATE = re.compile(rf"\b(({'|'.join(_MONTHS.split())})\b|(19|20)\d\d\b|\d{{1,2}}/\d{{1,2}})", re.I)
_ASKS_NUMBER = re.compile(r"^\s*how (many|much)\b|\bwhat (percentage|share|number)\b", re.I)
_ASKS_DATE = re.compile(r"^\s*when\b|\b(what|which) (date|day|year|month)\b", re.I)
_ABOUT_REPORTING = re.compile(r"\b(report|publish|outlet|news|media|newspaper|wrote)", re.I)
_ASKS_NAME = re.compile(r"^\s*(who|whom|whose)\b|\b(name|names) of\b", re.I)


def names_in(question: str) -> list[str]:
    """Capitalised words and acronyms of a question, except its first word and wh-words."""
    names = []
    for n, match in enumerate(_NAME.finditer(question)):
        word = match.group(1)
        if (n == 0 and match.start() == len(question) - len(question.lstrip())) or (
            word.lower() in _QUESTION_WORDS
        ):
            continue
        names.append(word.rstrip("'’s") if word.endswith(("'s", "’s")) else word)
    return names


def _mentions(text: str, name: str) -> bool:
    """`name` occurs in `text` (case-insensitive; "African" and "Xiaomi's" count for longer
    names through a shared prefix)."""
    key = name.lower()
    if len(key) > 5:
        key = key[: len(key) - 2]
    return re.search(rf"\b{re.escape(key)}", text.lower()) is not None


def unanswerable_reason(
    question: str, passages: list[str], sentences: list[str], sources: Sequence[str] = ()
) -> str | None:
    """Why the chosen sentences cannot answer the question, or None when nothing is amiss.

    `sources` ("<outlet> <date>" of each cited passage) count as part of the answer for
    questions about reporting: a citation shows them ("Who reported it, and when?").
    """
    corpus = "\n".join(passages)
    missing = [n for n in names_in(question) if not _mentions(corpus, n)]
    if missing:
        return f"the articles do not mention {', '.join(missing)}"
    shown = [*sentences, *sources] if _ABOUT_REPORTING.search(question) else sentences
    answer = " ".join(shown)
    if _ASKS_NUMBER.search(question) and not _NUMBER.search(answer):
        return "the question asks for a figure and no retrieved sentence gives one"
    if _ASKS_DATE.search(question) and not _DATE.search(answer):
        return "the question asks for a date and no retrieved sentence gives one"
    if _ASKS_NAME.search(question):
        asked = {w.lower() for w in names_in(question)} | {w.lower() for w in question.split()}
        asked |= set(_MONTHS.split())  # "In August, ..." names no one
        if not any(n.lower() not in asked for n in names_in(" " + answer)):
            return "the question asks for a name and no retrieved sentence gives a new one"
    return None
