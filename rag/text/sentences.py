"""Sentences and Chinese characters: how every stage cuts a text into sentences."""

from __future__ import annotations

import re

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # Chinese characters
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_CJK_SENTENCE_END = re.compile(r"(?<=[。！？])")
# A period after these ends no sentence: "U.S. Open", "Mr. Lei", "No. 3", "e.g. this".
ABBREVIATION = re.compile(
    r"(?:^|[\s.(])(?:[A-Z]|Mr|Mrs|Ms|Dr|Prof|St|Mt|No|Nos|vs|etc|e\.g|i\.e|Inc|Co|Corp|Ltd|Jr|Sr|"
    r"Gen|Gov|Sen|Rep|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|ca|fig|al)\.$"
)


# A sentence that is only a snippet's date ("Jan 16, 2020 ...") or an ellipsis says nothing.
# The trailing `\W*` sits inside the optional date group: as `\W*(date)?\W*$` the two runs
# split a long run of punctuation every possible way (quadratic; a 100,000-dash line hung).
_FILLER = re.compile(
    r"^\W*(?:(?:[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}|\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}日?)\W*)?$"
)


def is_filler(sentence: str) -> bool:
    """A sentence with nothing to say: a bare date, an ellipsis, punctuation."""
    return bool(_FILLER.match(sentence))


def _pieces(text: str) -> list[str]:
    """Split at sentence punctuation and line breaks, except after abbreviations."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        before = text[start : m.start()]
        if "\n" not in m.group(0) and ABBREVIATION.search(before[-12:]):
            continue
        pieces.append(before)
        start = m.end()
    pieces.append(text[start:])
    return pieces


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage: split at sentence punctuation and line breaks (not after
    abbreviations such as "U.S." or "Mr."); drops headings."""
    out: list[str] = []
    for piece in _pieces(text):
        for sentence in _CJK_SENTENCE_END.split(piece):
            sentence = sentence.strip().lstrip("-*• ").strip()
            if sentence and not sentence.startswith("#"):
                out.append(sentence)
    return out
