"""Date expressions in questions → publication-date windows and recency (pure, no model)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest
from pydantic import ValidationError

from rag.retrieve.dates import DAY_GRACE, DateIntent, parse_date_intent

TODAY = date(2026, 11, 25)  # a Wednesday: this week is Nov 23-29, last week Nov 16-22


def start(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def end(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999_999, tzinfo=UTC)


def parse(question: str) -> DateIntent:
    return parse_date_intent(question, today=TODAY)


JAN_2026 = (start(2026, 1, 1), end(2026, 1, 31))
SEP_2025 = (start(2025, 9, 1), end(2025, 9, 30))
YEAR_2025 = (start(2025, 1, 1), end(2025, 12, 31))
YEAR_2026 = (start(2026, 1, 1), end(2026, 12, 31))
# One day widens by DAY_GRACE (7 days): reports on an event come out in the days after it.
JAN_7_2026 = (start(2026, 1, 7), end(2026, 1, 14))
JAN_8_2026 = (start(2026, 1, 8), end(2026, 1, 15))

WINDOWS = [
    # month + year
    ("What did Xiaomi announce in January 2026?", *JAN_2026, "in January 2026"),
    ("January 2026 smartphone shipments", *JAN_2026, "January 2026"),
    ("Xiaomi news Jan 2026", *JAN_2026, "Jan 2026"),
    ("What happened in Sept. 2025?", *SEP_2025, "in Sept. 2025"),
    ("Store openings in Sep 2025", *SEP_2025, "in Sep 2025"),
    ("Deliveries in SEPTEMBER 2025", *SEP_2025, "in SEPTEMBER 2025"),
    ("sales in 12/2025", start(2025, 12, 1), end(2025, 12, 31), "in 12/2025"),
    ("Xiaomi news 2025-12", start(2025, 12, 1), end(2025, 12, 31), "2025-12"),
    # one day, + 7 days of grace
    ("What did Lei Jun say on January 7, 2026?", *JAN_7_2026, "on January 7, 2026"),
    ("Livestream January 7 2026", *JAN_7_2026, "January 7 2026"),
    ("What happened on 7 January 2026?", *JAN_7_2026, "on 7 January 2026"),
    ("What happened on the 7th of January, 2026?", *JAN_7_2026, "on the 7th of January, 2026"),
    ("Jan. 7th, 2026 livestream", *JAN_7_2026, "Jan. 7th, 2026"),
    ("What happened on 2026-01-08?", *JAN_8_2026, "on 2026-01-08"),
    ("News from 2026/01/08", *JAN_8_2026, "from 2026/01/08"),
    ("Dec 31, 2025 news", start(2025, 12, 31), end(2026, 1, 7), "Dec 31, 2025"),
    # year only
    ("What did Xiaomi do in 2025?", *YEAR_2025, "in 2025"),
    ("EV sales during 2025", *YEAR_2025, "during 2025"),
    ("Xiaomi 2025 results", *YEAR_2025, "2025"),
    ("Xiaomi sold 290,000 cars in 2025", *YEAR_2025, "in 2025"),
    ("Prices rose 14% in 2025", *YEAR_2025, "in 2025"),
    ("Xiaomi 17 in 2025", *YEAR_2025, "in 2025"),
    ("mid-2025 sales", *YEAR_2025, "mid-2025"),
    ("by the end of 2025", None, end(2025, 12, 31), "by the end of 2025"),
    # quarters and halves
    ("Q3 2025 earnings", start(2025, 7, 1), end(2025, 9, 30), "Q3 2025"),
    ("Xiaomi 2025 Q4 revenue", start(2025, 10, 1), end(2025, 12, 31), "2025 Q4"),
    ("the first quarter of 2026", start(2026, 1, 1), end(2026, 3, 31), "the first quarter of 2026"),
    ("first half of 2025", start(2025, 1, 1), end(2025, 6, 30), "first half of 2025"),
    # open ranges
    ("What has happened since September 2025?", start(2025, 9, 1), None, "since September 2025"),
    ("Launches since March 2025", start(2025, 3, 1), None, "since March 2025"),
    ("Launches after March 2025", start(2025, 4, 1), None, "after March 2025"),
    ("Anything after December 2025?", start(2026, 1, 1), None, "after December 2025"),
    ("What happened after 2025?", start(2026, 1, 1), None, "after 2025"),
    ("Reports after January 7, 2026", start(2026, 1, 8), None, "after January 7, 2026"),
    ("Xiaomi's plans before 2026", None, end(2025, 12, 31), "before 2026"),
    ("What happened before January 7, 2026?", None, end(2026, 1, 6), "before January 7, 2026"),
    ("Sales until January 2026", None, end(2026, 1, 31), "until January 2026"),
    ("Sales through 2025", None, end(2025, 12, 31), "through 2025"),
    ("Deliveries as of October 2025", None, end(2025, 10, 31), "as of October 2025"),
    ("news from 2025 onwards", start(2025, 1, 1), None, "from 2025 onwards"),
    ("since last month", start(2026, 10, 1), None, "since last month"),
    # closed ranges
    (
        "between March and June 2025",
        start(2025, 3, 1),
        end(2025, 6, 30),
        "between March and June 2025",
    ),
    ("from 2023 to 2025", start(2023, 1, 1), end(2025, 12, 31), "from 2023 to 2025"),
    ("the 2024-2025 plan", start(2024, 1, 1), end(2025, 12, 31), "the 2024-2025"),
    ("Dec 2025 - Jan 2026 sales", start(2025, 12, 1), end(2026, 1, 31), "Dec 2025 - Jan 2026"),
    # relative to TODAY (2026-11-25)
    ("What happened last month?", start(2026, 10, 1), end(2026, 10, 31), "last month"),
    ("this month's launches", start(2026, 11, 1), end(2026, 11, 30), "this month's"),
    ("Xiaomi last year", *YEAR_2025, "last year"),
    ("Xiaomi this year", *YEAR_2026, "this year"),
    ("What happened last week?", start(2026, 11, 16), end(2026, 11, 22), "last week"),
    ("What happened this week?", start(2026, 11, 23), end(2026, 11, 29), "this week"),
    ("What happened yesterday?", start(2026, 11, 24), end(2026, 12, 1), "yesterday"),
    ("What is Xiaomi announcing today?", start(2026, 11, 25), end(2026, 12, 2), "today"),
    ("three weeks ago", start(2026, 11, 2), end(2026, 11, 8), "three weeks ago"),
    ("What happened in March?", start(2026, 3, 1), end(2026, 3, 31), "in March"),
    ("What happened in December?", start(2025, 12, 1), end(2025, 12, 31), "in December"),
    ("What did Lei Jun say on 8 January?", *JAN_8_2026, "on 8 January"),
    # rolling windows: open-ended, from N units before today
    ("News in the past 7 days", start(2026, 11, 18), None, "in the past 7 days"),
    ("in the past 2 weeks", start(2026, 11, 11), None, "in the past 2 weeks"),
    ("What changed in the past 3 months?", start(2026, 8, 25), None, "in the past 3 months"),
    ("over the last few months", start(2026, 8, 25), None, "over the last few months"),
    ("the past week", start(2026, 11, 18), None, "the past week"),
    ("in the last year", start(2025, 11, 25), None, "in the last year"),
    # Chinese
    ("2026年1月小米发布了什么？", *JAN_2026, "2026年1月"),
    ("小米2025年的销量", *YEAR_2025, "2025年"),
    ("2026年1月7日雷军直播说了什么", *JAN_7_2026, "2026年1月7日"),
    ("去年小米汽车交付了多少辆？", *YEAR_2025, "去年"),
    ("今年的新品", *YEAR_2026, "今年"),
    ("上个月有什么新闻", start(2026, 10, 1), end(2026, 10, 31), "上个月"),
    ("本月的发布会", start(2026, 11, 1), end(2026, 11, 30), "本月"),
    ("2025年第三季度财报", start(2025, 7, 1), end(2025, 9, 30), "2025年第三季度"),
    ("2025年9月以来的新闻", start(2025, 9, 1), None, "2025年9月以来"),
    ("2024年之前", None, end(2023, 12, 31), "2024年之前"),
    ("截至2025年底", None, end(2025, 12, 31), "截至2025年底"),
    ("2025年1月至3月", start(2025, 1, 1), end(2025, 3, 31), "2025年1月至3月"),
    ("最近3天有什么新闻", start(2026, 11, 22), None, "最近3天"),
    ("近一个月", start(2026, 10, 25), None, "近一个月"),
    ("2025年中国市场", *YEAR_2025, "2025年"),
]


@pytest.mark.parametrize(("question", "after", "before", "expression"), WINDOWS)
def test_windows(
    question: str, after: datetime | None, before: datetime | None, expression: str
) -> None:
    intent = parse(question)
    assert (intent.after, intent.before) == (after, before)
    assert intent.expression == expression
    assert intent.recent is False
    assert not intent.is_empty()


@pytest.mark.parametrize(
    ("question", "after", "before"),
    [
        ("February 2028", start(2028, 2, 1), end(2028, 2, 29)),  # leap year
        ("February 2026", start(2026, 2, 1), end(2026, 2, 28)),
        ("February 2100", start(2100, 2, 1), end(2100, 2, 28)),  # not a leap year
        ("after February 2028", start(2028, 3, 1), None),
        ("until February 2028", None, end(2028, 2, 29)),
        ("before March 2028", None, end(2028, 2, 29)),
        ("2028年2月", start(2028, 2, 1), end(2028, 2, 29)),
        ("April 2026", start(2026, 4, 1), end(2026, 4, 30)),
        ("after December 2025", start(2026, 1, 1), None),  # year boundary
        ("before January 2026", None, end(2025, 12, 31)),
        ("on December 28, 2025", start(2025, 12, 28), end(2026, 1, 4)),  # grace crosses the year
        ("on February 25, 2028", start(2028, 2, 25), end(2028, 3, 3)),  # ... and Feb 29
    ],
)
def test_month_and_year_ends(
    question: str, after: datetime | None, before: datetime | None
) -> None:
    intent = parse(question)
    assert (intent.after, intent.before) == (after, before)


def test_relative_month_wraps_the_year() -> None:
    intent = parse_date_intent("What happened last month?", today=date(2026, 1, 15))
    assert (intent.after, intent.before) == (start(2025, 12, 1), end(2025, 12, 31))
    rolling = parse_date_intent("in the past 1 month", today=date(2026, 3, 31))
    assert rolling.after == start(2026, 2, 28)  # day clamped to the shorter month


def test_bounds_are_inclusive_utc_datetimes() -> None:
    intent = parse("What did Xiaomi announce in January 2026?")
    assert intent.after is not None and intent.before is not None
    for bound in (intent.after, intent.before):
        assert bound.tzinfo is not None and bound.utcoffset() == timedelta(0)
    assert intent.after.time() == time.min
    assert intent.before.time() == time(23, 59, 59, 999_999)
    assert intent.before.microsecond == 999_999
    published_last_instant = datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC)
    assert intent.after <= published_last_instant <= intent.before
    assert not intent.after <= datetime(2026, 2, 1, tzinfo=UTC) <= intent.before


def test_day_grace_is_seven_days() -> None:
    assert timedelta(days=7) == DAY_GRACE
    intent = parse("on 2026-01-08")
    assert intent.after is not None and intent.before is not None
    assert intent.before.date() - intent.after.date() == DAY_GRACE


@pytest.mark.parametrize(
    ("question", "expression"),
    [
        ("What's the latest on Xiaomi EVs?", "the latest on"),
        ("What did Xiaomi recently announce?", "recently"),
        ("Any recent news about the SU7?", "recent"),
        ("Latest Xiaomi news", "Latest"),
        ("newest phones", "newest"),
        ("the most recent earnings", "most recent"),
        ("What has Xiaomi been up to lately?", "lately"),
        ("小米最近有什么新闻？", "最近"),
        ("小米最新消息", "最新"),
        ("近期的发布会", "近期"),
    ],
)
def test_recency(question: str, expression: str) -> None:
    intent = parse(question)
    assert intent.recent is True
    assert intent.after is None and intent.before is None
    assert intent.expression == expression
    assert not intent.is_empty()


@pytest.mark.parametrize(
    "question",
    [
        "What is Xiaomi's Africa strategy?",
        "Xiaomi sold 290,000 cars",
        "Market share grew 0.6%",
        "43 million smartphones",
        "a 3-5 years plan",
        "more than 1,000 stores",
        "How many SU7 were delivered?",
        "Prices rose 14%",
        "2,025 stores",
        "2025.5 is not a year",
        "a 2025% rise",
        "2025 units sold",
        "raised 2000 million yuan",
        "The phone costs 1999 yuan",
        "the 2020s",
        "Xiaomi 15 may launch soon",
        "Xiaomi is at last profitable",
        "What's new with the SU7 Ultra?",
        "",
    ],
)
def test_no_date(question: str) -> None:
    intent = parse(question)
    assert intent == DateIntent()
    assert intent.is_empty()
    assert intent.expression is None


def test_invalid_calendar_day_falls_back_to_the_year() -> None:
    intent = parse("February 30, 2026")
    assert (intent.after, intent.before) == YEAR_2026
    assert intent.expression == "2026"


@pytest.mark.parametrize(
    ("question", "after", "before", "expression"),
    [
        ("in January 2026, compared with March 2025", *JAN_2026, "in January 2026"),
        ("Compare March 2025 with January 2026", start(2025, 3, 1), end(2025, 3, 31), "March 2025"),
        (
            "Xiaomi sold 10 million units in 2024, what about 2025?",
            start(2024, 1, 1),
            end(2024, 12, 31),
            "in 2024",
        ),
        ("the latest news in 2025", *YEAR_2025, "in 2025"),  # a window wins over recency
        ("recent news this week", start(2026, 11, 23), end(2026, 11, 29), "this week"),
    ],
)
def test_first_window_wins(
    question: str, after: datetime, before: datetime, expression: str
) -> None:
    intent = parse(question)
    assert (intent.after, intent.before, intent.expression) == (after, before, expression)
    assert intent.recent is False


def test_today_defaults_to_utc_today() -> None:
    before_call = datetime.now(UTC).date()
    intent = parse_date_intent("this year")
    after_call = datetime.now(UTC).date()
    assert intent.after is not None
    assert intent.after.year in {before_call.year, after_call.year}
    assert intent.after == start(intent.after.year, 1, 1)


def test_model_normalises_to_utc_and_rejects_inverted_windows() -> None:
    naive = DateIntent(after=datetime(2026, 1, 1))
    assert naive.after == start(2026, 1, 1) and naive.after.tzinfo == UTC
    shifted = DateIntent(before=datetime(2026, 1, 1, 8, tzinfo=timezone(timedelta(hours=8))))
    assert shifted.before == start(2026, 1, 1) and shifted.before.tzinfo == UTC
    with pytest.raises(ValidationError):
        DateIntent(after=start(2026, 2, 1), before=start(2026, 1, 1))
    assert DateIntent().is_empty()
    assert not DateIntent(recent=True).is_empty()
    assert not DateIntent(before=end(2025, 12, 31)).is_empty()


@pytest.mark.parametrize(
    ("question", "expression"),
    [  # the matched text is what the answer's notice quotes ("from “in January 2026”")
        ("What did Xiaomi announce in January 2026?", "in January 2026"),
        ("What has happened since September 2025?", "since September 2025"),
        ("In 2025, what did Xiaomi launch?", "In 2025"),
        ("Xiaomi   news  from last week ,  please", "from last week"),
        ("this month's launches", "this month's"),
        ("2026年1月小米发布了什么？", "2026年1月"),
        ("小米在2026年1月发布了什么", "在2026年1月"),
        ("What's the latest on Xiaomi EVs?", "the latest on"),
        ("Model SU2025 sales in 2025", "in 2025"),  # not the lookalike inside "SU2025"
        ("What is Xiaomi's Africa strategy?", None),
    ],
)
def test_the_matched_expression(question: str, expression: str | None) -> None:
    assert parse(question).expression == expression
