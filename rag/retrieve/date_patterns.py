"""The grammar of date expressions in questions (English and Chinese), for `rag.retrieve.dates`.

`period(s)` is the regular expression of one calendar period ("January 2026", "2026-01-08",
"Q3 2025", "last month", "2026年1月", a bare year...), its named groups suffixed with `s` so
a range can hold two. The compiled patterns below wrap it with operators ("since", "before",
"以来") and ranges; the word tables turn matched words into numbers and operators.
"""

from __future__ import annotations

import re
from typing import Final, Literal

MONTHS: Final = {
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


def period(s: str) -> str:
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
MAIN_RE: Final = re.compile(
    rf"(?:\b(?P<op>{_OPS})\s+)?(?:\bthe\s+)?(?:{_QUALIFIER})?(?:(?P<zpre>{_ZH_PRE})\s*)?"
    rf"(?:{period('')})(?:['’]s\b)?(?:\s*{_ZH_QUALIFIER})?"
    rf"(?:\s+(?P<post>{_POST})\b|\s*(?P<zpost>{_ZH_POST}))?",
    re.IGNORECASE,
)
# "between March and June 2025", "from 2023 to 2025", "2025年1月至3月"
RANGE_RE: Final = re.compile(
    rf"(?:\b(?P<rop>between|from|since|in|during|for|of|on)\s+|(?P<zrop>自从|自|从|在|于)\s*)?"
    rf"(?:\bthe\s+)?(?:{period('1')})(?:\s*(?:-|–|—|~|～|至|到)\s*|\s+(?:to|until|till|through|thru|and)\s+)"
    rf"(?:{period('2')})(?:\s*(?:之间|期间|为止))?",
    re.IGNORECASE,
)
# "in the past 7 days", "over the last few months", "the past week", "last 3 years"
ROLLING_RE: Final = re.compile(
    rf"(?:\b(?:in|over|during|within|for|from)\s+)?(?P<the>\bthe\s+)?\b(?P<w>past|last|previous)"
    rf"\s+(?:(?P<n>{_COUNT})\s+)?(?P<u>day|week|month|year)s?\b",
    re.IGNORECASE,
)
# "最近3天", "近一个月", "过去两年"
ZH_ROLLING_RE: Final = re.compile(
    rf"(?:过去|最近|近)\s*(?:的\s*)?(?P<n>{_ZH_COUNT})\s*(?P<u>天|日|周|个?星期|个?礼拜|个月|年)"
)
RECENT_RE: Final = re.compile(
    r"\b(?:the\s+latest\s+on|most\s+recent(?:ly)?|recently|recent|latest|newest|lately"
    r"|these\s+days|nowadays)\b|最近|最新|近期|近来|近日",
    re.IGNORECASE,
)

WORD_COUNTS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "few": 3, "couple": 2, "several": 3,
}  # fmt: skip
ZH_DIGITS: Final = {
    "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
ORDINALS: Final = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
}  # fmt: skip
ZH_YEARS: Final = {"去": -1, "今": 0, "前": -2, "明": 1}

Op = Literal["in", "since", "after", "before", "until"]
OP_WORDS: Final[dict[str, Op]] = {
    "since": "since", "starting": "since", "beginning": "since", "onward": "since",
    "onwards": "since", "later": "since", "beyond": "since", "自从": "since", "自": "since",
    "从": "since", "以来": "since", "至今": "since", "起": "since", "开始": "since",
    "after": "after", "之后": "after", "以后": "after", "之後": "after", "以後": "after",
    "before": "before", "prior": "before", "之前": "before", "以前": "before",
    "until": "until", "till": "until", "through": "until", "thru": "until", "up": "until",
    "by": "until", "as": "until", "earlier": "until", "截至": "until", "截止": "until",
    "截止到": "until", "直到": "until", "到": "until", "为止": "until",
}  # fmt: skip
