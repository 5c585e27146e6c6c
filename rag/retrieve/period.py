"""Whether a passage is from or about the period a question names.

News questions name years ("Who won Wimbledon in 2019?", "2022年冬奥会…") while passages hold
several years: the 2019 final is reported in July 2019, recalled in 2021, announced in 2018.
A publication-date filter would drop the recollections and keep the wrong year's news, so
by default the period is a preference: a passage fits when it was published in the period
(or within `GRACE` after it, when the news about it appears) or its text mentions one of the
period's years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from rag.models import Chunk
from rag.retrieve.dates import DateIntent
from rag.text.dates import MONTHS

GRACE: Final = timedelta(days=60)
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d\d)(?![\d.%])")


def years_of(intent: DateIntent) -> set[int]:
    """The calendar years a window spans (empty for open or missing bounds)."""
    if intent.after is None or intent.before is None:
        return set()
    first, last = intent.after.year, intent.before.year
    return set(range(first, last + 1)) if last - first <= 5 else set()


def mentioned_years(text: str) -> set[int]:
    """Years written in a text: "2019", "2019年", "2019-07-13" (not "20190", "2019.5")."""
    return {int(y) for y in _YEAR.findall(text)}


_MONTH_NAMES = MONTHS.split()
_EN_MONTH = re.compile(
    r"\b("
    + "|".join(m[:3] + r"[a-z]*" for m in _MONTH_NAMES)
    + r")\.?(?: \d{1,2}(?:st|nd|rd|th)?,?)? "
    r"((?:19|20)\d\d)\b",
    re.I,
)
_NUMERIC_MONTH = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*(?:年|[-/.])\s*(\d{1,2})(?!\d)")


def mentioned_months(text: str) -> set[tuple[int, int]]:
    """(year, month) pairs written in a text: "September 2025", "Sept. 1, 2025",
    "2025年9月", "2025-09-01"."""
    found = {
        (
            int(m[2]),
            _MONTH_NAMES.index(next(n for n in _MONTH_NAMES if n.startswith(m[1][:3].lower()))) + 1,
        )
        for m in _EN_MONTH.finditer(text)
    }
    found |= {(int(y), int(mo)) for y, mo in _NUMERIC_MONTH.findall(text) if 1 <= int(mo) <= 12}
    return found


def _months_of(intent: DateIntent) -> set[tuple[int, int]]:
    assert intent.after is not None and intent.before is not None
    months: set[tuple[int, int]] = set()
    y, m = intent.after.year, intent.after.month
    while (y, m) <= (intent.before.year, intent.before.month) and len(months) < 24:
        months.add((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def mentions(text: str, intent: DateIntent) -> bool:
    """The text names the period: one of its years for a window of whole years, one of its
    months for a shorter one ("September 2025" does not count for "in 2025年1月")."""
    if intent.after is None or intent.before is None:
        return False
    whole_years = (
        intent.after.month,
        intent.after.day,
        intent.before.month,
        intent.before.day,
    ) == (1, 1, 12, 31)
    if whole_years:
        return bool(years_of(intent) & mentioned_years(text))
    return bool(_months_of(intent) & mentioned_months(text))


def published_in(published: datetime | None, intent: DateIntent) -> bool:
    if published is None or (intent.after is None and intent.before is None):
        return False
    if intent.after is not None and published < intent.after:
        return False
    return intent.before is None or published <= intent.before + GRACE


def fits(chunk: Chunk, intent: DateIntent) -> bool:
    """The chunk was published in the period (plus grace) or mentions it."""
    return published_in(chunk.published, intent) or mentions(f"{chunk.title}\n{chunk.text}", intent)


def window_text(intent: DateIntent, language: str = "en") -> str:
    """'between 2026-01-01 and 2026-01-31', 'since 2025-09-01', 'until 2025-12-31'."""
    after = intent.after.date().isoformat() if intent.after else None
    before = intent.before.date().isoformat() if intent.before else None
    if language == "zh":
        if after and before:
            return f"{after}至{before}之间"
        return f"{after}以后" if after else f"{before}以前"
    if after and before:
        return f"between {after} and {before}"
    return f"since {after}" if after else f"until {before}"


def period_label(intent: DateIntent, language: str = "en") -> str:
    """'2019' / '2019年' for calendar years, 'January 2026' / '2026年1月' for a month,
    else the window's dates."""
    a, b = intent.after, intent.before
    zh = language == "zh"
    if a is None or b is None:
        return window_text(intent, language)
    if (a.month, a.day, b.month, b.day) == (1, 1, 12, 31):
        years = str(a.year) if a.year == b.year else f"{a.year}–{b.year}"
        return f"{years}年" if zh else years
    whole_month = a.day == 1 and (b + timedelta(days=1)).month != b.month
    if whole_month and (a.year, a.month) == (b.year, b.month):
        return f"{a.year}年{a.month}月" if zh else f"{a:%B %Y}"
    return window_text(intent, language)


@dataclass(frozen=True)
class PeriodWords:
    """A period as a note's value: its label ("2019", "2026年1月") or its window
    ("between 2026-01-01 and 2026-01-31"), worded in the reply's language."""

    intent: DateIntent
    window: bool = False

    def words(self, language: str) -> str:
        return (window_text if self.window else period_label)(self.intent, language)


@dataclass(frozen=True)
class YearWords:
    """Years as a note's value: "2018, 2019" / "2018年、2019年"."""

    years: frozenset[int]

    def words(self, language: str) -> str:
        if language == "zh":
            return "、".join(f"{y}年" for y in sorted(self.years))
        return ", ".join(str(y) for y in sorted(self.years))
