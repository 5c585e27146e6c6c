"""The time a question names: a preference for passages from or about it."""

from __future__ import annotations

from datetime import UTC, datetime

from rag.models import Chunk
from rag.retrieve.dates import parse_date_intent
from rag.retrieve.period import fits, mentioned_years, period_label, years_of


def _chunk(text: str, published: datetime | None = None) -> Chunk:
    return Chunk(
        id="c",
        article_id="a",
        text=text,
        start=0,
        end=len(text),
        title="t",
        source="s",
        published=published,
    )


def test_a_passage_fits_by_publication_or_by_mentioning_the_year() -> None:
    intent = parse_date_intent("Who won the women's singles Wimbledon in 2019?")
    assert years_of(intent) == {2019}
    assert fits(_chunk("Halep beat Serena.", datetime(2019, 7, 13, tzinfo=UTC)), intent)
    assert fits(_chunk("Halep won in 2019 and lost in 2020."), intent), "a recollection"
    assert fits(_chunk("news", datetime(2020, 1, 20, tzinfo=UTC)), intent), "within the grace"
    assert not fits(_chunk("Barty won the 2021 final.", datetime(2021, 7, 10, tzinfo=UTC)), intent)
    assert not fits(_chunk("no date at all"), intent)


def test_chinese_years_and_numbers_that_are_not_years() -> None:
    assert mentioned_years("2022年冬奥会于2022-02-04开幕，20190人参加，2019.5") == {2022}
    intent = parse_date_intent("2022年北京冬奥会的吉祥物是什么")
    assert fits(_chunk("北京2022年冬奥会吉祥物冰墩墩", datetime(2019, 9, 17, tzinfo=UTC)), intent)


def test_labels_in_both_languages() -> None:
    year = parse_date_intent("What happened in 2019?")
    assert period_label(year) == "2019" and period_label(year, "zh") == "2019年"
    month = parse_date_intent("What did Xiaomi announce in January 2026?")
    assert period_label(month) == "January 2026" and period_label(month, "zh") == "2026年1月"
