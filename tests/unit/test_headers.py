"""Dates, outlets, titles and language read from a text that carries no metadata."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rag.corpus.headers import date_header, source_header
from rag.corpus.loaders import load_file
from rag.corpus.text import detect_language, headline


def test_snippet_dates_in_both_scripts() -> None:
    assert date_header("Sep 13, 2016 ... The sixth Legislative Council") == datetime(
        2016, 9, 13, tzinfo=UTC
    )
    assert date_header("September 3 2021: something") == datetime(2021, 9, 3, tzinfo=UTC)
    assert date_header("2022年1月3日，香港立法会") == datetime(2022, 1, 3, tzinfo=UTC)
    assert date_header("来源：新华网 发布时间：2021-12-20 10:00 正文") == datetime(
        2021, 12, 20, tzinfo=UTC
    )
    assert date_header("新华社香港1月28日电（记者 王茜）") is None, "no year, no date"
    assert date_header("The company said in May 12, 2020 that") is None, "not at the start"
    assert date_header("Feb 30, 2020 ... impossible") is None


def test_outlet_header() -> None:
    assert source_header("来源：新华网 时间：2022-01-03") == "新华网"
    assert source_header("No outlet here") is None


def test_titles_and_language_for_records_without_them() -> None:
    assert headline("Sep 13, 2016 ... The sixth Legislative Council election ended.") == (
        "The sixth Legislative Council election ended."
    )
    long = "word " * 40
    assert headline(long).endswith("…") and len(headline(long)) <= 61
    assert detect_language("香港回归后的第六届立法会选举已经结束。") == "zh"
    assert detect_language("Hong Kong's Legislative Council, 立法会, held elections.") == "en"


def test_jsonl_records_get_their_date_outlet_and_title_from_the_text(tmp_path: Path) -> None:
    path = tmp_path / "pool.jsonl"
    path.write_text(
        '{"text": "Jul 10, 2021 ... Ashleigh Barty won Wimbledon."}\n'
        '{"text": "来源：新华网 时间：2022-01-03 香港立法会举行首次会议。"}\n'
        '{"text": "No date.", "title": "Given", "published": "2020-01-01"}\n',
        encoding="utf-8",
    )
    first, second, third = load_file(path)
    assert first.published == datetime(2021, 7, 10, tzinfo=UTC)
    assert first.title == "Ashleigh Barty won Wimbledon." and first.language == "en"
    assert second.source == "新华网" and second.language == "zh"
    assert second.published == datetime(2022, 1, 3, tzinfo=UTC)
    assert third.title == "Given" and third.published == datetime(2020, 1, 1, tzinfo=UTC)
