"""Text from any file made safe to index and show: no control characters, short titles."""

from __future__ import annotations

import re

from rag.text.sentences import HAN

# Titles are embedded with every chunk: one longer than the chunk size (200 word pieces)
# made the splitter fail the whole ingest, so a title is cut to this many characters.
TITLE_LIMIT = 120
# Control characters (terminal escapes, NUL from a PDF or a JSON "\u0000") are dropped; lone
# surrogates (JSON "\ud800") cannot be stored as UTF-8 and become U+FFFD.
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """The text without control characters or lone surrogates (tabs, newlines kept)."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def clip_title(value: str) -> str:
    """A title on one line, at most TITLE_LIMIT characters (cut at a word boundary)."""
    line = " ".join(clean_text(value).split())
    if len(line) <= TITLE_LIMIT:
        return line
    cut = line[:TITLE_LIMIT]
    if not HAN.search(cut) and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:，；：") + "…"
