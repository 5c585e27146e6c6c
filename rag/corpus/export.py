"""Importer for the "search export" format the seed articles came in.

Layout: a page header (query line, "Search documents"), then per article a title line,
a ``Outlet· YYYY-MM-DD HH:MM`` line and one body line made of sections
("Core Insights - ...", "Core Viewpoint - ...", "Group N: Heading - point - point").
The original's bracketed paragraph references (``[3][12]``) are dropped: they would be
confused with our own [n] citation markers.
"""

from __future__ import annotations

import re
from pathlib import Path

from rag.corpus.clean import clean_text, clip_title
from rag.corpus.text import slugify
from rag.errors import LoaderError
from rag.models import Article
from rag.text.dates import parse_published

WHEN = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?", re.ASCII)
# `(?<!\s)`: whitespace before a reference is taken from the start of its run only; a plain
# `\s*\[` rescanned a long run of spaces from every position (quadratic).
PARAGRAPH_REFS = re.compile(r"(?<!\s)\s*(?:\[\d+\])+")
# A group heading is short: the bound keeps a long line full of "Group 1: " linear.
SECTION = re.compile(
    r"(?:^|\s)(Core Insights|Core Viewpoint|Key Points|Group \d+: [^\n]{1,100}?) - "
)


def source_line(line: str) -> tuple[str, str] | None:
    """(outlet, date) of an ``Outlet· YYYY-MM-DD HH:MM`` line, else None.

    Split at the last '·' rather than matched by a regex: `^(.+?)\\s*·` took quadratic time
    on a long line of spaces."""
    source, dot, when = line.rpartition("·")
    source, when = " ".join(source.split()), when.strip()  # as the Markdown loader reads it
    return (source, when) if dot and source and WHEN.fullmatch(when) else None


def is_search_export(text: str) -> bool:
    """True when the text has at least one title line followed by an ``Outlet· date`` line."""
    lines = [line.strip() for line in text.splitlines()]
    return any(source_line(line) for line in lines[1:])


def strip_paragraph_refs(text: str) -> str:
    """Remove ``[3][12]``-style references of the original export, also those that removing
    one leaves behind (``[[1]2]`` → ``[2]``)."""
    for _ in range(5):  # bounded: each pass is linear, a nesting this deep is no reference
        stripped = PARAGRAPH_REFS.sub("", text)
        if stripped == text:
            break
        text = stripped
    return text.strip()


def body_to_markdown(body: str) -> str:
    """Turn one export body line into Markdown sections with bullet points."""
    body = strip_paragraph_refs(body)
    parts = SECTION.split(body)
    blocks: list[str] = []
    if parts[0].strip():
        blocks.append(parts[0].strip())
    for heading, content in zip(parts[1::2], parts[2::2], strict=True):
        points = [p.strip() for p in content.split(" - ") if p.strip()]
        if heading in ("Core Insights", "Core Viewpoint", "Key Points") and len(points) == 1:
            blocks.append(f"## {heading}\n\n{points[0]}")
        else:
            bullets = "\n".join(f"- {p}" for p in points)
            blocks.append(f"## {heading}\n\n{bullets}")
    return "\n\n".join(blocks)


def parse_search_export(text: str, path: Path | None = None) -> list[Article]:
    """Parse a search export into articles (one per title/source block)."""
    lines = [line.strip() for line in clean_text(text).splitlines()]
    starts = [i for i in range(1, len(lines)) if source_line(lines[i])]
    if not starts:
        raise LoaderError(
            path or "<export>", "no 'Outlet· YYYY-MM-DD HH:MM' line: not a search export"
        )
    articles: list[Article] = []
    for n, i in enumerate(starts):
        end = starts[n + 1] - 1 if n + 1 < len(starts) else len(lines)
        found = source_line(lines[i])
        assert found is not None
        source, stamp = found
        title = clip_title(lines[i - 1]) or f"{source}, {stamp}"
        body = " ".join(line for line in lines[i + 1 : end] if line)
        markdown = body_to_markdown(body)
        if not markdown:
            raise LoaderError(path or "<export>", f"article {title!r} has no text")
        try:
            when = parse_published(stamp)
        except ValueError:
            when = None
        if when is None:  # "2025-13-45": the shape of a date, not a date
            raise LoaderError(path or "<export>", f"article {title!r} has an invalid date {stamp}")
        articles.append(
            Article(
                id=f"{slugify(source)}-{when:%Y%m%d-%H%M}",
                title=title,
                source=source,
                published=when,
                language="en",
                text=markdown,
                path=str(path) if path else None,
            )
        )
    return articles
