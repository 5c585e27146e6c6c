"""Date expressions in a question → a publication-date window and/or a recency preference.

``parse_date_intent("What did Xiaomi announce in January 2026?")`` gives a window on the
articles' ``published`` time (2026-01-01 00:00 to 2026-01-31 23:59:59.999999 UTC);
``parse_date_intent("What's the latest on Xiaomi?")`` gives ``recent=True`` and no window.

Only the standard library and regular expressions (English and Chinese), compiled once at
import; no ``dateparser``. The first window expression in the question wins (ties: the
longest); a recency word only counts when the question has no window. Relative expressions
("last month", "去年", "in the past 7 days") are resolved against ``today`` (UTC).

Bounds are inclusive: ``after`` is 00:00 of the first day, ``before`` is 23:59:59.999999 of
the last day, both timezone-aware UTC. A window may lie partly or wholly in the future
("this month", "February 2028"): it is the calendar period asked for, not capped at today.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rag.retrieve import date_patterns as pat

__all__ = ["DAY_GRACE", "DateIntent", "parse_date_intent"]

# A question about one day ("on January 7, 2026") is about an *event* on that day; news about
# it is published that day and in the days after, so the window runs to the day + 7 days.
DAY_GRACE: Final = timedelta(days=7)


class DateIntent(BaseModel):
    """What a question says about when the articles it wants were published."""

    model_config = ConfigDict(frozen=True)

    after: datetime | None = Field(
        None, description="Inclusive lower bound on `published` (UTC-aware, 00:00)."
    )
    before: datetime | None = Field(
        None, description="Inclusive upper bound on `published` (UTC-aware, 23:59:59.999999)."
    )
    recent: bool = Field(False, description="The question asks for the latest news.")
    expression: str | None = Field(None, description="The text that was matched.")

    @field_validator("after", "before")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    @model_validator(mode="after")
    def _ordered(self) -> DateIntent:
        if self.after is not None and self.before is not None and self.after > self.before:
            raise ValueError(f"after ({self.after}) is later than before ({self.before})")
        return self

    def is_empty(self) -> bool:
        """True when the question says nothing about dates."""
        return self.after is None and self.before is None and not self.recent


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Period:
    first: date
    last: date
    is_day: bool = False  # one day: its upper bound gets DAY_GRACE
    implicit_year: bool = False  # "January", "1月7日": the year was inferred
    needs_op: bool = False  # "January", "may 5": only a date after a preposition

    @property
    def upper(self) -> date:
        return self.last + DAY_GRACE if self.is_day else self.last


def _day(day: date, *, implicit: bool = False, needs_op: bool = False) -> _Period:
    return _Period(day, day, is_day=True, implicit_year=implicit, needs_op=needs_op)


def _months(year: int, first: int, last: int) -> _Period:
    return _Period(date(year, first, 1), date(year, last, monthrange(year, last)[1]))


def _year(year: int) -> _Period:
    return _Period(date(year, 1, 1), date(year, 12, 31))


def _week(monday: date) -> _Period:
    return _Period(monday, monday + timedelta(days=6))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def _month_number(name: str) -> int:
    return pat.MONTHS[name[:3].lower()]


def _count(text: str) -> int:
    words = text.lower().split()
    if words[0].isdigit():
        return int(words[0])
    # "a few" → few, "a couple of" → couple
    return next(pat.WORD_COUNTS[word] for word in reversed(words) if word in pat.WORD_COUNTS)


def _zh_count(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "几":
        return 3
    if "十" in text:
        tens, _, ones = text.partition("十")
        return pat.ZH_DIGITS.get(tens, 1) * 10 + pat.ZH_DIGITS.get(ones, 0)
    return pat.ZH_DIGITS.get(text[0], 1)


def _implicit_year(today: date, month: int, day: int, year: int | None) -> int:
    """The given year, else this year when (month, day) is not after today, else last year."""
    if year is not None:
        return year
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _read_period(m: re.Match[str], s: str, today: date, year: int | None) -> _Period | None:
    """The period matched by ``date_patterns.period(s)``; ``year`` overrides an inferred year."""

    def g(name: str) -> str | None:
        return m.group(name + s)

    try:
        return _read_period_groups(g, today, year)
    except ValueError:  # "February 30, 2026"
        return None


def _read_period_groups(
    g: Callable[[str], str | None], today: date, year: int | None
) -> _Period | None:
    if iso_year := g("isoy"):
        return _day(date(int(iso_year), int(g("isom") or 0), int(g("isod") or 0)))
    if mdy := g("mdym"):
        return _day(date(int(g("mdyy") or 0), _month_number(mdy), int(g("mdyd") or 0)))
    if dmy := g("dmym"):
        return _day(date(int(g("dmyy") or 0), _month_number(dmy), int(g("dmyd") or 0)))
    if quarter_year := g("qy"):
        quarter = int(g("q") or 0) or pat.ORDINALS[(g("qw") or "").lower()]
        return _months(int(quarter_year), quarter * 3 - 2, quarter * 3)
    if quarter_year := g("yq"):
        quarter = int(g("yqq") or 0)
        return _months(int(quarter_year), quarter * 3 - 2, quarter * 3)
    if half_year := g("hy"):
        half = int(g("h") or 0) or pat.ORDINALS[(g("hw") or "").lower()]
        return _months(int(half_year), half * 6 - 5, half * 6)
    if zh_year := g("zy"):
        number = int(zh_year) if zh_year.isdigit() else today.year + pat.ZH_YEARS[zh_year]
        if quarter_text := g("zq") or g("zqq"):
            quarter = _zh_count(quarter_text)
            return _months(number, quarter * 3 - 2, quarter * 3)
        if half_text := g("zh"):
            return _months(number, 1, 6) if half_text == "上" else _months(number, 7, 12)
        if month_text := g("zm"):
            if day_text := g("zd"):
                return _day(date(number, int(month_text), int(day_text)))
            return _months(number, int(month_text), int(month_text))
        return _year(number)
    if month_name := g("mym"):
        return _months(int(g("myy") or 0), _month_number(month_name), _month_number(month_name))
    if month_text := g("mym2"):
        return _months(int(g("myy2") or 0), int(month_text), int(month_text))
    if ym_year := g("ymy"):
        return _months(int(ym_year), int(g("ymm") or 0), int(g("ymm") or 0))
    for month_group, day_group in (("mdm", "mdd"), ("dmm", "dmd"), ("zmm", "zmd")):
        if month_text := g(month_group):
            month = int(month_text) if month_text.isdigit() else _month_number(month_text)
            may = month_text.lower() == "may"  # "Xiaomi 15 may launch": a verb, not a month
            if day_text := g(day_group):
                day = int(day_text)
                when = date(_implicit_year(today, month, day, year), month, day)
                return _day(when, implicit=year is None, needs_op=may)
            number = _implicit_year(today, month, 1, year)
            period = _months(number, month, month)
            return _Period(period.first, period.last, implicit_year=year is None, needs_op=may)
    if month_name := g("mo"):
        month = _month_number(month_name)
        period = _months(_implicit_year(today, month, 1, year), month, month)
        return _Period(period.first, period.last, implicit_year=year is None, needs_op=True)
    if which := g("rq"):
        return _relative(which.lower(), (g("ru") or "").lower(), today)
    if day_word := g("rd"):
        back = 0 if day_word.lower() == "today" else 1 if day_word.lower() == "yesterday" else 2
        return _day(today - timedelta(days=back))
    if ago := g("an"):
        return _ago(_count(ago), (g("au") or "").lower(), today)
    if zh_relative := g("zr"):
        if zh_relative.endswith("天"):
            return _day(today - timedelta(days={"今天": 0, "昨天": 1, "前天": 2}[zh_relative]))
        which = "last" if zh_relative.startswith("上") else "this"
        return _relative(which, "month" if zh_relative.endswith("月") else "week", today)
    if bare_year := g("year"):
        return _year(int(bare_year))
    return None


def _relative(which: str, unit: str, today: date) -> _Period:
    """``this``/``current`` or ``last``/``previous`` calendar week (from Monday), month, year."""
    back = 0 if which in ("this", "current") else 1
    return _ago(back, unit, today)


def _ago(count: int, unit: str, today: date) -> _Period:
    """The calendar day, week, month or year ``count`` units before today's."""
    if unit == "day":
        return _day(today - timedelta(days=count))
    if unit == "week":
        return _week(today - timedelta(days=today.weekday() + 7 * count))
    if unit == "month":
        start = _add_months(today.replace(day=1), -count)
        return _months(start.year, start.month, start.month)
    return _year(today.year - count)


def _rolling_start(count: int, unit: str, today: date) -> date:
    """The day ``count`` units before today ("in the past 3 months")."""
    if unit == "day":
        return today - timedelta(days=count)
    if unit == "week":
        return today - timedelta(weeks=count)
    return _add_months(today, -count * (12 if unit == "year" else 1))


# --- readers: a match → (first day, last day), either open; None rejects the match ----------

_Window = tuple[date | None, date | None]


def _bounds(period: _Period, op: pat.Op) -> _Window:
    if op == "since":
        return period.first, None
    if op == "after":  # "after March 2025": from the start of the next period
        return period.last + timedelta(days=1), None
    if op == "before":  # "before 2026": up to the end of the day before it starts
        return None, period.first - timedelta(days=1)
    if op == "until":  # "until January 2026": up to the end of it
        return None, period.upper
    return period.first, period.upper


def _operator(m: re.Match[str]) -> pat.Op | None:
    """The preposition around a period ("since", "以来", …); None when there is none."""
    for name in ("post", "zpost", "op", "zpre"):
        if text := m.group(name):
            words = text.lower().split()
            return pat.OP_WORDS.get(words[-1] if name == "post" else words[0], "in")
    return None


def _read_main(m: re.Match[str], today: date) -> _Window | None:
    period = _read_period(m, "", today, None)
    if period is None:
        return None
    op = _operator(m)
    if period.needs_op and op is None:
        return None
    return _bounds(period, op or "in")


def _read_range(m: re.Match[str], today: date) -> _Window | None:
    first = _read_period(m, "1", today, None)
    second = _read_period(m, "2", today, None)
    if first is None or second is None:
        return None
    if (first.needs_op or second.needs_op) and not (m.group("rop") or m.group("zrop")):
        return None
    if first.implicit_year:  # "between January and March 2025": January 2025
        year = second.first.year
        first = _read_period(m, "1", today, year)
        if first is not None and first.first > second.first:
            first = _read_period(m, "1", today, year - 1)
    elif second.implicit_year:  # "2025年1月至3月": March 2025
        year = first.first.year
        second = _read_period(m, "2", today, year)
        if second is not None and second.last < first.first:
            second = _read_period(m, "2", today, year + 1)
    if first is None or second is None:
        return None
    if first.first > second.first:
        first, second = second, first
    return first.first, max(first.upper, second.upper)


def _read_rolling(m: re.Match[str], today: date) -> _Window | None:
    amount = m.group("n")
    if amount is None and m.group("w").lower() != "past" and m.group("the") is None:
        return None  # "last week" is the calendar week, read by pat.MAIN_RE
    count = _count(amount) if amount else 1
    if count < 1:
        return None
    return _rolling_start(count, m.group("u").lower(), today), None


def _read_zh_rolling(m: re.Match[str], today: date) -> _Window | None:
    count = _zh_count(m.group("n"))
    unit_text = m.group("u")
    unit = (
        "day"
        if unit_text in ("天", "日")
        else "month"
        if unit_text == "个月"
        else "year"
        if unit_text == "年"
        else "week"
    )
    return (_rolling_start(count, unit, today), None) if count >= 1 else None


# Tried in this order; the earliest match in the question wins, then the longest, then the
# first reader here.
_READERS: Final[
    tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], _Window | None]], ...]
] = (
    (pat.RANGE_RE, _read_range),
    (pat.ROLLING_RE, _read_rolling),
    (pat.ZH_ROLLING_RE, _read_zh_rolling),
    (pat.MAIN_RE, _read_main),
)


def _first_window(
    pattern: re.Pattern[str],
    reader: Callable[[re.Match[str], date], _Window | None],
    question: str,
    today: date,
) -> tuple[re.Match[str], _Window] | None:
    """The first match of ``pattern`` that ``reader`` accepts."""
    position = 0
    while (m := pattern.search(question, position)) is not None:
        if (window := reader(m, today)) is not None:
            return m, window
        position = m.start() + 1
    return None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


# --- public API ----------------------------------------------------------------------------


def parse_date_intent(question: str, today: date | None = None) -> DateIntent:
    """Read the publication-date window or recency preference a question expresses.

    ``today`` (default: today in UTC) anchors relative expressions such as "last month".
    """
    today = today or datetime.now(UTC).date()
    best: tuple[tuple[int, int, int], _Window, str] | None = None
    for priority, (pattern, reader) in enumerate(_READERS):
        found = _first_window(pattern, reader, question, today)
        if found is None:
            continue
        m, window = found
        key = (m.start(), m.start() - m.end(), priority)
        if best is None or key < best[0]:
            best = (key, window, m.group(0))
    if best is not None:
        (first, last), expression = best[1], best[2]
        return DateIntent(
            after=_start_of(first) if first else None,
            before=_end_of(last) if last else None,
            expression=expression.strip(),
        )
    if (recent := pat.RECENT_RE.search(question)) is not None:
        return DateIntent(recent=True, expression=recent.group(0))
    return DateIntent()
