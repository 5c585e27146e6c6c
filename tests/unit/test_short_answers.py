"""Bare answers (a name, a figure, a date) are checked by whether the source states them."""

from __future__ import annotations

from rag.answer.generate import without_source_talk
from rag.answer.verify import canonical, contains_claim, is_answer, is_short, whole_dates
from rag.text.dates import complete_dates, localize_dates
from rag.text.words import content_words, lexical_support


def test_dates_compare_in_any_script() -> None:
    same = {
        "2020年11月24日",
        "2020-11-24",
        "Nov 24, 2020",
        "November 24th, 2020",
        "24 November 2020",
    }
    assert {canonical(d) for d in same} == {"20201124"}
    assert contains_claim("2020-11-24", "嫦娥五号于2020年11月24日4时30分在文昌发射。")
    assert not contains_claim("2020-11-25", "嫦娥五号于2020年11月24日4时30分在文昌发射。")


def test_answers_write_dates_the_way_their_language_does() -> None:
    assert (
        localize_dates("神舟十一号于2016-10-17发射 [1]", "zh")
        == "神舟十一号于2016年10月17日发射 [1]"
    )
    assert localize_dates("It launched on 2016年10月17日 [1].", "en") == (
        "It launched on October 17, 2016 [1]."
    )
    assert (
        localize_dates("Version 2016-13-45 is no date.", "en") == "Version 2016-13-45 is no date."
    )


def test_what_counts_as_a_short_answer() -> None:
    assert is_short("Simona Halep") and is_short("10.48‰") and is_short("诺兰")
    assert not is_short("Simona Halep won the women's singles title at Wimbledon in 2019.")
    assert is_answer("Germany") and is_answer("10") and is_answer("巴西")
    assert not is_answer("Yes.") and not is_answer("是") and not is_answer("…")


def test_chinese_overlap_uses_character_pairs() -> None:
    assert {"出生", "生率"} <= content_words("人口出生率")
    assert (
        lexical_support("2019年人口出生率", "2019年全年出生人口1465万人，人口出生率为10.48‰") > 0.8
    )
    assert lexical_support("出生率", "死亡率上升") < 0.5


def test_whole_dates_are_read_in_any_script_and_partial_ones_are_not() -> None:
    assert whole_dates("It premiered on August 22, 2021, and ended in 2022.") == {"20210822"}
    assert whole_dates("首播于2021年8月22日，2022年11月20日完结") == {"20210822", "20221120"}
    assert whole_dates("It premiered in August 2021.") == set()


def test_talk_about_the_sources_is_left_out_of_the_answer() -> None:
    assert without_source_talk("It premiered on August 22, 2021, as stated in source [4].") == (
        "It premiered on August 22, 2021 [4]."
    )
    assert without_source_talk("According to the sources [2], it rose.") == (
        "According to the sources [2], it rose."
    )  # leading attributions stay: the sentence would not read without them


def test_a_month_without_its_day_gets_the_day_the_source_gives() -> None:
    source = "Google unveiled the Pixel 6 on October 19, 2021, at its fall event."
    assert complete_dates("Oct 2021 [4]", source) == "October 19, 2021 [4]"
    assert complete_dates("It was announced in October 2021 [1].", source) == (
        "It was announced on October 19, 2021 [1]."
    )
    assert complete_dates("2021年10月 [1]", "谷歌于2021年10月19日发布Pixel 6。") == (
        "October 19, 2021 [1]"  # localized to 2021年10月19日 after
    )
    # two days in that month, or none: the answer stays as written
    both = source + " Sales began on October 28, 2021."
    assert complete_dates("Oct 2021 [4]", both) == "Oct 2021 [4]"
    assert complete_dates("March 2020 [2]", source) == "March 2020 [2]"
    # whole dates and a day-first date are not taken for a month alone
    assert complete_dates("19 October 2021 [4]", source) == "October 19, 2021 [4]"
    assert complete_dates("2021年10月19日", source) == "October 19, 2021"
