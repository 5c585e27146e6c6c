"""Dates and outlets written into the text itself, for files whose metadata has none.

News snippets and copied articles often open with their date ("Sep 13, 2016 ... ",
"2022年1月3日", "时间：2022-01-03") or name their outlet ("来源：新华网"). Ingest uses these
only when the file gives no `published` / `source` of its own.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_MONTHS = {
    name: n
    for n, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_LEAD = 80  # a header sits in the first characters of the text
_EN_DATE = re.compile(
    r"^\W{0,3}(?P<mon>[A-Za-z]{3,9})\.? (?P<d>\d{1,2}),? (?P<y>(?:19|20)\d\d)\b", re.ASCII
)
_NUMERIC = r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
_ZH_DATE_START = re.compile(r"^\W{0,3}" + _NUMERIC)
_LABELLED_DATE = re.compile(r"(?:发布|更新|日期|时间)+\s*[:：]\s*" + _NUMERIC)
_SOURCE = re.compile(r"来源\s*[:：]\s*(?P<source>[^\s|,，。；;:：、]{2,24})")


def _date(year: str, month: int | None, day: str) -> datetime | None:
    try:
        return datetime(int(year), month or 0, int(day), tzinfo=UTC)
    except ValueError:
        return None


def date_header(text: str) -> datetime | None:
    """The publication date a text states at its start (UTC midnight), or None."""
    lead = text[:_LEAD]
    english = _EN_DATE.match(lead)
    if english and english["mon"].lower() in _MONTHS:
        return _date(english["y"], _MONTHS[english["mon"].lower()], english["d"])
    numeric = _ZH_DATE_START.match(lead) or _LABELLED_DATE.search(lead)
    if numeric:
        return _date(numeric["y"], int(numeric["m"]), numeric["d"])
    return None


def source_header(text: str) -> str | None:
    """The outlet a text names in a "来源：" header near its start, or None."""
    found = _SOURCE.search(text[: _LEAD * 2])
    return found["source"] if found else None
