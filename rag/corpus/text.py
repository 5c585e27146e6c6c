"""Small text helpers shared by loaders, chunking and answering."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime

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


def slugify(value: str) -> str:
    """A file- and id-safe name; keeps CJK characters."""
    value = unicodedata.normalize("NFKC", value).strip().lower()
    value = re.sub(r"[^\w\u4e00-\u9fff]+", "-", value)
    return value.strip("-") or "article"


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


def parse_published(value: object) -> datetime | None:
    """Accept a datetime, a date or an ISO-like string; naive times are taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"'published' is not an ISO date-time: {value!r}") from exc
    else:
        raise ValueError(f"'published' has an unexpected type: {type(value).__name__}")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def detect_language(text: str) -> str:
    """'zh' when Chinese characters make up a fair share of the letters, else 'en'."""
    sample = text[:2000]
    letters = [c for c in sample if c.isalpha()]
    han = sum(1 for c in letters if HAN.match(c))
    return "zh" if letters and han / len(letters) > 0.3 else "en"


_LEADING_DATE = re.compile(r"^[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}\s*(?:\.\.\.|…)?\s*")


def headline(text: str, limit: int = 60) -> str:
    """A title for a text that has none: its first sentence (without a leading snippet
    date), cut at a word boundary near `limit` characters."""
    body = _LEADING_DATE.sub("", text.strip())
    first = split_sentences(body)[:1] or [body]
    line = first[0].strip()
    if len(line) <= limit:
        return line or "untitled"
    cut = line[:limit]
    if not HAN.search(cut) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:，；：") + "…"
