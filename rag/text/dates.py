"""Dates as written in text, in any common format, and as the answer's language writes them.

"2020年11月24日", "2020-11-24", "Nov 24, 2020" and "24th November 2020" are one date: the
verifier compares them as equal, and an answer writes them the way its language does
("2020年11月24日" in Chinese, "November 24, 2020" in English).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

MONTHS = "january february march april may june july august september october november december"
_NUMBER = {m[:3]: n for n, m in enumerate(MONTHS.split(), start=1)}
_MONTH_NAME = "(" + "|".join(m[:3] + r"[a-z]*" for m in MONTHS.split()) + ")"
ZH_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
ISO_DATE = re.compile(r"(?<![\d/])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/])")
EN_DATE = re.compile(rf"\b{_MONTH_NAME}\.? (\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b", re.I)
EN_DAY_FIRST = re.compile(
    rf"\b(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_MONTH_NAME}\.?,? (\d{{4}})\b", re.I
)
Writer = Callable[[int, int, int], str]


def _valid(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def rewrite_dates(text: str, write: Writer) -> str:
    """Every date of `text` (any format above) replaced by `write(year, month, day)`."""

    def sub(
        pattern: re.Pattern[str], order: Callable[[re.Match[str]], tuple[int, int, int]]
    ) -> None:
        nonlocal text

        def one(m: re.Match[str]) -> str:
            y, mo, d = order(m)
            return write(y, mo, d) if _valid(y, mo, d) else m.group(0)

        text = pattern.sub(one, text)

    sub(ZH_DATE, lambda m: (int(m[1]), int(m[2]), int(m[3])))
    sub(ISO_DATE, lambda m: (int(m[1]), int(m[2]), int(m[3])))
    sub(EN_DATE, lambda m: (int(m[3]), _NUMBER[m[1][:3].lower()], int(m[2])))
    sub(EN_DAY_FIRST, lambda m: (int(m[3]), _NUMBER[m[2][:3].lower()], int(m[1])))
    return text


EN_MONTH_YEAR = re.compile(rf"\b(in )?{_MONTH_NAME}\.?,? (\d{{4}})\b", re.I)  # "(in) Oct 2021"
ZH_MONTH_YEAR = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)")  # "2021年10月"
_MARKED = re.compile(r"\x00(\d{4})(\d{2})(\d{2})\x00")


def whole_dates_in(text: str) -> set[tuple[int, int, int]]:
    """The whole dates (year, month, day) a text states, in any format above."""
    found: set[tuple[int, int, int]] = set()

    def keep(year: int, month: int, day: int) -> str:
        found.add((year, month, day))
        return ""

    rewrite_dates(text, keep)
    return found


def complete_dates(text: str, sources: str) -> str:
    """A month written without its day ("Oct 2021", "2021年10月") gets the day `sources`
    give it, when they state exactly one whole date in that month (whole dates of `text`
    come back in English form: localize them after)."""
    days: dict[tuple[int, int], set[int]] = {}
    for year, month, day in whole_dates_in(sources):
        days.setdefault((year, month), set()).add(day)

    def whole(m: re.Match[str], year: int, month: int, on: str = "") -> str:
        known = days.get((year, month), set())
        if len(known) != 1:
            return m.group(0)
        return f"{on}\x00{digits(year, month, min(known))}\x00"

    marked = rewrite_dates(text, lambda y, m, d: f"\x00{digits(y, m, d)}\x00")
    marked = EN_MONTH_YEAR.sub(
        lambda m: whole(m, int(m[3]), _NUMBER[m[2][:3].lower()], "on " if m[1] else ""), marked
    )
    marked = ZH_MONTH_YEAR.sub(lambda m: whole(m, int(m[1]), int(m[2])), marked)
    return _MARKED.sub(lambda m: english(int(m[1]), int(m[2]), int(m[3])), marked)


def digits(year: int, month: int, day: int) -> str:
    return f"{year:04d}{month:02d}{day:02d}"


def chinese(year: int, month: int, day: int) -> str:
    return f"{year}年{month}月{day}日"


def english(year: int, month: int, day: int) -> str:
    return f"{MONTHS.split()[month - 1].capitalize()} {day}, {year}"


def localize_dates(text: str, language: str) -> str:
    """Dates written the way the answer's language writes them."""
    return rewrite_dates(text, chinese if language == "zh" else english)


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
