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
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

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


# --- patterns ------------------------------------------------------------------------------

_MONTHS: Final = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MON = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
_Y = r"(?:199\d|20\d\d|2100)"
# A year is not followed by more digits, a letter ("2020s"), a % or a decimal part ("2025.5").
_YEND = r"(?![0-9a-z%]|[.,]\d)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])"
_ORD = r"(?:st|nd|rd|th)?"
# A bare 4-digit number followed by one of these is a count, not a year ("2025 units").
_UNITS = (
    r"%|percent\b|per\s*cent\b|thousand\b|million\b|billion\b|trillion\b|units?\b|yuan\b|rmb\b"
    r"|usd\b|dollars?\b|euros?\b|people\b|employees\b|workers\b|staff\b|cars\b|vehicles\b"
    r"|phones\b|smartphones\b|devices\b|stores\b|shops\b|km\b|kg\b|mah\b|mm\b|gb\b|tb\b"
    r"|mw\b|kw\b|hp\b|times\b|jobs\b|points\b|copies\b|orders\b|pieces\b|users\b"
)
_COUNT = (
    r"\d{1,3}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|(?:a\s+)?few|(?:a\s+)?couple(?:\s+of)?|several"
)
_ZH_COUNT = r"\d{1,3}|[一二两三四五六七八九十]{1,3}|几"


def _period(s: str) -> str:
    """One calendar period, its named groups suffixed with ``s`` (a range holds two)."""
    alternatives = [
        # 2026-01-08, 2026/01/08, 2026.01.08
        rf"(?P<isoy{s}>{_Y})(?P<isosep{s}>[-/.])(?P<isom{s}>1[0-2]|0?[1-9])(?P=isosep{s})"
        rf"(?P<isod{s}>{_DAY})(?!\d)",
        # January 7, 2026 / Jan. 7th 2026
        rf"(?P<mdym{s}>{_MON})\.?\s+(?P<mdyd{s}>{_DAY}){_ORD},?\s+(?P<mdyy{s}>{_Y}){_YEND}",
        # 7 January 2026 / 7th of January, 2026
        rf"(?P<dmyd{s}>{_DAY}){_ORD}\s+(?:of\s+)?(?P<dmym{s}>{_MON})\.?,?\s+(?P<dmyy{s}>{_Y}){_YEND}",
        # Q3 2025 / third quarter of 2025 / 2025 Q3
        rf"(?:\bq(?P<q{s}>[1-4])|(?P<qw{s}>first|second|third|fourth|1st|2nd|3rd|4th)\s+quarter)"
        rf"\s*(?:of\s+|,\s*)?(?P<qy{s}>{_Y}){_YEND}",
        rf"(?P<yq{s}>{_Y})\s*q(?P<yqq{s}>[1-4])(?!\d)",
        # H1 2025 / first half of 2025
        rf"(?:\bh(?P<h{s}>[12])|(?P<hw{s}>first|second)\s+half)\s*(?:of\s+|,\s*)?"
        rf"(?P<hy{s}>{_Y}){_YEND}",
        # 2026年1月7日, 2026年1月, 2025年, 2025年第三季度, 2025年上半年, 去年, 今年3月
        rf"(?P<zy{s}>{_Y}|[去今前明])\s*年(?:\s*(?:(?:第\s*)?(?P<zq{s}>[一二三四1-4])\s*季度?"
        rf"|q(?P<zqq{s}>[1-4])(?!\d)|(?P<zh{s}>[上下])半年"
        rf"|(?P<zm{s}>1[0-2]|0?[1-9])\s*月份?(?:\s*(?P<zd{s}>{_DAY})\s*[日号])?))?",
        # January 2026 / Sept. 2025 / January of 2026
        rf"(?P<mym{s}>{_MON})\.?,?\s+(?:of\s+)?(?P<myy{s}>{_Y}){_YEND}",
        # 2026-01
        rf"(?P<ymy{s}>{_Y})[-/](?P<ymm{s}>0[1-9]|1[0-2])(?![\d/.-]|\s*%)",
        # 12/2025
        rf"(?P<mym2{s}>1[0-2]|0?[1-9])/(?P<myy2{s}>{_Y}){_YEND}",
        # January 7 / 7 January / 1月7日 / 1月 (no year: the latest one not after today)
        rf"(?P<mdm{s}>{_MON})\.?\s+(?P<mdd{s}>{_DAY}){_ORD}"
        rf"(?![\d%]|[.:,]\d|\s*(?:%|percent|million|billion|thousand)\b)",
        rf"(?P<dmd{s}>{_DAY}){_ORD}\s+(?:of\s+)?(?P<dmm{s}>{_MON})",
        rf"(?<![\d年])(?P<zmm{s}>1[0-2]|0?[1-9])\s*月份?(?:\s*(?P<zmd{s}>{_DAY})\s*[日号])?",
        # January (only after a preposition: "in January", "since March")
        rf"(?P<mo{s}>{_MON})\.?",
        # last week, this month, last year
        rf"\b(?P<rq{s}>last|this|previous|current)\s+(?P<ru{s}>week|month|year)\b",
        rf"\b(?P<rd{s}>the\s+day\s+before\s+yesterday|yesterday|today)\b",
        rf"\b(?P<an{s}>{_COUNT})\s+(?P<au{s}>day|week|month|year)s?\s+ago\b",
        rf"(?P<zr{s}>上个?月|本月|这个?月|上个?(?:周|星期|礼拜)|本周|本星期|这个?(?:周|星期|礼拜)"
        rf"|今天|昨天|前天)",
        # 2025 (a bare year)
        rf"(?P<year{s}>{_Y}){_YEND}(?!\s*(?:{_UNITS}))",
    ]
    return rf"(?<![0-9a-z.,$¥€£#])(?:{'|'.join(alternatives)})"


_OPS = (
    r"since|after|before|prior\s+to|until|till|through(?:out)?|thru|up\s+(?:to|until)|by"
    r"|as\s+of|from|starting(?:\s+(?:in|on|from))?|beginning(?:\s+(?:in|on))?"
    r"|in|on|during|for|of|within|around"
)
_POST = r"onwards?|and\s+(?:later|after|beyond)|or\s+later|and\s+(?:earlier|before)|or\s+earlier"
# Kept in the matched expression, but the window stays the whole period ("mid-2025": 2025).
_QUALIFIER = r"(?:early|mid|late)[-\s]+|(?:end|beginning|start|middle)\s+of\s+(?:the\s+)?"
_ZH_QUALIFIER = r"(?:底|初|末)"
_ZH_PRE = r"自从|自|从|截至|截止到?|直到|到|在|于"
_ZH_POST = r"以来|至今|起|开始|之后|以后|之後|以後|之前|以前|为止|期间"

# "in January 2026", "since March 2025", "before 2026", "2026年1月以来"
_MAIN_RE: Final = re.compile(
    rf"(?:\b(?P<op>{_OPS})\s+)?(?:\bthe\s+)?(?:{_QUALIFIER})?(?:(?P<zpre>{_ZH_PRE})\s*)?"
    rf"(?:{_period('')})(?:['’]s\b)?(?:\s*{_ZH_QUALIFIER})?"
    rf"(?:\s+(?P<post>{_POST})\b|\s*(?P<zpost>{_ZH_POST}))?",
    re.IGNORECASE,
)
# "between March and June 2025", "from 2023 to 2025", "2025年1月至3月"
_RANGE_RE: Final = re.compile(
    rf"(?:\b(?P<rop>between|from|since|in|during|for|of|on)\s+|(?P<zrop>自从|自|从|在|于)\s*)?"
    rf"(?:\bthe\s+)?(?:{_period('1')})(?:\s*(?:-|–|—|~|～|至|到)\s*|\s+(?:to|until|till|through|thru|and)\s+)"
    rf"(?:{_period('2')})(?:\s*(?:之间|期间|为止))?",
    re.IGNORECASE,
)
# "in the past 7 days", "over the last few months", "the past week", "last 3 years"
_ROLLING_RE: Final = re.compile(
    rf"(?:\b(?:in|over|during|within|for|from)\s+)?(?P<the>\bthe\s+)?\b(?P<w>past|last|previous)"
    rf"\s+(?:(?P<n>{_COUNT})\s+)?(?P<u>day|week|month|year)s?\b",
    re.IGNORECASE,
)
# "最近3天", "近一个月", "过去两年"
_ZH_ROLLING_RE: Final = re.compile(
    rf"(?:过去|最近|近)\s*(?:的\s*)?(?P<n>{_ZH_COUNT})\s*(?P<u>天|日|周|个?星期|个?礼拜|个月|年)"
)
_RECENT_RE: Final = re.compile(
    r"\b(?:the\s+latest\s+on|most\s+recent(?:ly)?|recently|recent|latest|newest|lately"
    r"|these\s+days|nowadays)\b|最近|最新|近期|近来|近日",
    re.IGNORECASE,
)

_WORD_COUNTS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "few": 3, "couple": 2, "several": 3,
}  # fmt: skip
_ZH_DIGITS: Final = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_ORDINALS: Final = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}  # fmt: skip
_ZH_YEARS: Final = {"去": -1, "今": 0, "前": -2, "明": 1}

_Op = Literal["in", "since", "after", "before", "until"]
_OP_WORDS: Final[dict[str, _Op]] = {
    "since": "since", "starting": "since", "beginning": "since", "onward": "since",
    "onwards": "since", "later": "since", "beyond": "since", "自从": "since", "自": "since",
    "从": "since", "以来": "since", "至今": "since", "起": "since", "开始": "since",
    "after": "after", "之后": "after", "以后": "after", "之後": "after", "以後": "after",
    "before": "before", "prior": "before", "之前": "before", "以前": "before",
    "until": "until", "till": "until", "through": "until", "thru": "until", "up": "until",
    "by": "until", "as": "until", "earlier": "until", "截至": "until", "截止": "until",
    "截止到": "until", "直到": "until", "到": "until", "为止": "until",
}  # fmt: skip


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
    return _MONTHS[name[:3].lower()]


def _count(text: str) -> int:
    words = text.lower().split()
    if words[0].isdigit():
        return int(words[0])
    # "a few" → few, "a couple of" → couple
    return next(_WORD_COUNTS[word] for word in reversed(words) if word in _WORD_COUNTS)


def _zh_count(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "几":
        return 3
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0)
    return _ZH_DIGITS.get(text[0], 1)


def _implicit_year(today: date, month: int, day: int, year: int | None) -> int:
    """The given year, else this year when (month, day) is not after today, else last year."""
    if year is not None:
        return year
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _read_period(m: re.Match[str], s: str, today: date, year: int | None) -> _Period | None:
    """The period matched by ``_period(s)``; ``year`` overrides an inferred year."""

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
        quarter = int(g("q") or 0) or _ORDINALS[(g("qw") or "").lower()]
        return _months(int(quarter_year), quarter * 3 - 2, quarter * 3)
    if quarter_year := g("yq"):
        quarter = int(g("yqq") or 0)
        return _months(int(quarter_year), quarter * 3 - 2, quarter * 3)
    if half_year := g("hy"):
        half = int(g("h") or 0) or _ORDINALS[(g("hw") or "").lower()]
        return _months(int(half_year), half * 6 - 5, half * 6)
    if zh_year := g("zy"):
        number = int(zh_year) if zh_year.isdigit() else today.year + _ZH_YEARS[zh_year]
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


def _bounds(period: _Period, op: _Op) -> _Window:
    if op == "since":
        return period.first, None
    if op == "after":  # "after March 2025": from the start of the next period
        return period.last + timedelta(days=1), None
    if op == "before":  # "before 2026": up to the end of the day before it starts
        return None, period.first - timedelta(days=1)
    if op == "until":  # "until January 2026": up to the end of it
        return None, period.upper
    return period.first, period.upper


def _operator(m: re.Match[str]) -> _Op | None:
    """The preposition around a period ("since", "以来", …); None when there is none."""
    for name in ("post", "zpost", "op", "zpre"):
        if text := m.group(name):
            words = text.lower().split()
            return _OP_WORDS.get(words[-1] if name == "post" else words[0], "in")
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
        return None  # "last week" is the calendar week, read by _MAIN_RE
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
    (_RANGE_RE, _read_range),
    (_ROLLING_RE, _read_rolling),
    (_ZH_ROLLING_RE, _read_zh_rolling),
    (_MAIN_RE, _read_main),
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
    if (recent := _RECENT_RE.search(question)) is not None:
        return DateIntent(recent=True, expression=recent.group(0))
    return DateIntent()
