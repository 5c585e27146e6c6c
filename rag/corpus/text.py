"""Small text helpers of the loaders: file-safe ids, the article's language, a made-up title."""

from __future__ import annotations

import re
import unicodedata

from rag.text.sentences import HAN, split_sentences


def slugify(value: str) -> str:
    """A file- and id-safe name; keeps CJK characters."""
    value = unicodedata.normalize("NFKC", value).strip().lower()
    value = re.sub(r"[^\w\u4e00-\u9fff]+", "-", value)
    return value.strip("-") or "article"


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
