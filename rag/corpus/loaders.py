"""Loaders: one file → articles. Each format's loader is small; `load_file` dispatches.

Bad files raise `LoaderError` with the reason; `ingest` logs and skips them.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rag.corpus.clean import clean_text, clip_title
from rag.corpus.export import is_search_export, parse_search_export
from rag.corpus.headers import date_header, source_header
from rag.corpus.text import detect_language, headline, slugify
from rag.errors import LoaderError
from rag.models import Article
from rag.text.dates import parse_published

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".json", ".jsonl")
# The block may be empty ("---\n---"); lazy `??` so an empty block is tried first and the
# first closing line wins, never a thematic break further down the body.
FRONT_MATTER = re.compile(r"\A---[ \t\r]*\n(?:(?P<meta>.*?)\n)??---[ \t\r]*(?:\n|\Z)", re.DOTALL)
# Only `[^\n]` after the marker: `.+?\s*#*\s*$` took minutes on a heading followed by a few
# thousand spaces (each lazy step rescanned the run). Trailing '#'s are stripped in Python.
HEADING = re.compile(r"^#[ \t]+(?P<title>[^\n]*\S)", re.MULTILINE)
ARTICLE_FIELDS = ("id", "title", "source", "published", "language", "url")
_SCALARS = (str, int, float, date)  # date covers datetime, int covers bool


def read_text(path: Path) -> str:
    """The file as UTF-8 text; empty, binary or non-UTF-8 files raise LoaderError."""
    data = path.read_bytes()
    if not data.strip():
        raise LoaderError(path, "the file is empty")
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
    ):
        if data.startswith(bom):
            raise LoaderError(path, f"is {name} text; re-save it as UTF-8")
    if b"\x00" in data:  # anywhere: a NUL after the first 8 KB used to reach the index
        raise LoaderError(path, "looks binary (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(
            path, f"is not UTF-8 text (byte {exc.start}); re-save it as UTF-8"
        ) from exc


def _one_line(exc: BaseException) -> str:
    """An exception as a short single line, for a skip reason."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _field(path: Path, meta: dict[str, Any], key: str) -> Any:
    """A metadata value that must be one value (text, number, date), cleaned."""
    value = meta.get(key)
    if value is not None and not isinstance(value, _SCALARS):
        kind = type(value).__name__
        raise LoaderError(path, f"bad metadata: '{key}' must be a single value, not a {kind}")
    return clean_text(value) if isinstance(value, str) else value


def make_article(
    path: Path, meta: dict[str, Any], text: str, default_id: str, default_title: str | None = None
) -> Article:
    """Build an Article from metadata and text, filling sensible defaults: the title from a
    heading (else `default_title`, else the file name), the date and outlet from a header in
    the text ("Sep 13, 2016 ...", "来源：新华网"), the language from the script."""
    text = clean_text(text).strip()
    if not text:
        raise LoaderError(path, "has no article text")
    unknown = sorted(map(str, set(meta) - {*ARTICLE_FIELDS, "text", "body", "content", "tags"}))
    if unknown:
        raise LoaderError(
            path, f"unknown metadata fields {unknown}; allowed: {list(ARTICLE_FIELDS)}"
        )
    fields = {key: _field(path, meta, key) for key in ARTICLE_FIELDS}
    heading = HEADING.search(text)
    title = clip_title(str(fields["title"] or "")) or clip_title(
        heading["title"].rstrip("#").strip() if heading else ""
    )
    try:
        return Article(
            id=str(fields["id"] or "").strip() or default_id,
            title=title
            or clip_title(clean_text(default_title or path.stem.replace("_", " ")))
            or "untitled",
            source=" ".join(str(fields["source"] or source_header(text) or "").split())
            or "unknown",
            published=parse_published(fields["published"]) or date_header(text),
            language=str(fields["language"] or detect_language(text)),
            url=None if fields["url"] is None else str(fields["url"]),
            text=text,
            path=str(path),
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(map(str, error["loc"])) or "article"
        raise LoaderError(path, f"bad metadata: {where}: {error['msg']}") from exc
    except ValueError as exc:  # date parsing
        raise LoaderError(path, f"bad metadata: {_one_line(exc)}") from exc


def split_front_matter(path: Path, raw: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter from the body; broken YAML raises LoaderError."""
    raw = raw.lstrip("\r\n\t ")  # blank lines before the opening '---'
    match = FRONT_MATTER.match(raw)
    if not match:
        if raw.startswith("---"):
            raise LoaderError(path, "front matter starts with '---' but never closes with '---'")
        return {}, raw
    try:
        meta = yaml.safe_load(match["meta"] or "") or {}
    except yaml.YAMLError as exc:
        raise LoaderError(
            path, f"front matter is not valid YAML ({exc.__class__.__name__})"
        ) from exc
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML's constructors raise these for `2025-13-45` or thousands of nested '['
        raise LoaderError(
            path, f"front matter is not valid YAML ({exc.__class__.__name__}: {_one_line(exc)})"
        ) from exc
    if not isinstance(meta, dict):
        raise LoaderError(path, "front matter must be a mapping of 'key: value' lines")
    return meta, raw[match.end() :]


def load_markdown(path: Path) -> list[Article]:
    meta, body = split_front_matter(path, read_text(path))
    return [make_article(path, meta, body, slugify(path.stem))]


def load_text(path: Path) -> list[Article]:
    raw = read_text(path)
    if is_search_export(raw):
        return parse_search_export(raw, path)
    return [make_article(path, {}, raw, slugify(path.stem))]


def load_html(path: Path) -> list[Article]:
    import trafilatura  # lazy: pulls lxml

    raw = read_text(path)
    text = trafilatura.extract(raw, include_comments=False, include_tables=False)
    if not text:
        raise LoaderError(path, "no article text found in the HTML")
    info = trafilatura.extract_metadata(raw)
    meta = {
        "title": info.title if info else None,
        "source": (info.sitename if info else None),
        "published": (info.date if info else None),
        "url": (info.url if info else None),
    }
    return [make_article(path, {k: v for k, v in meta.items() if v}, text, slugify(path.stem))]


def load_pdf(path: Path) -> list[Article]:
    from pypdf import PdfReader

    # pypdf logs a warning for every flaw it repairs; the skip line says what matters
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(path)
        text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
        title = reader.metadata.title if reader.metadata else None
    except OSError:
        raise
    except Exception as exc:
        # A damaged PDF makes pypdf raise nearly anything (PdfReadError, NotImplementedError
        # for a garbled filter name, TypeError, LimitReachedError for reference loops...).
        raise LoaderError(path, f"cannot read the PDF ({_one_line(exc)})") from exc
    meta = {"title": title} if isinstance(title, str) and title.strip() else {}
    return [make_article(path, meta, text, slugify(path.stem))]


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    raw = read_text(path)
    if path.suffix.lower() != ".jsonl":
        data = _parse_json(path, raw, None)
        records = data if isinstance(data, list) else [data]
        if not records:
            raise LoaderError(path, "holds no records (an empty list)")
        yield from enumerate(records, start=1)
        return
    for n, line in enumerate(raw.splitlines(), start=1):
        if line.strip():
            yield n, _parse_json(path, line, n)


def _parse_json(path: Path, raw: str, line: int | None) -> Any:
    """One JSON document; `line` names the JSON Lines line (json's own count is 1 there)."""
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise LoaderError(path, f"invalid JSON at line {line or exc.lineno}: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, thousands of '['
        where = f" at line {line}" if line else ""
        raise LoaderError(path, f"unusable JSON{where} ({_one_line(exc)})") from exc


def load_json(path: Path) -> list[Article]:
    """Records with title/text/source/published (``text``, ``body`` or ``content``)."""
    articles = []
    for n, record in _records(path):
        if not isinstance(record, dict):
            raise LoaderError(path, f"record {n} is not an object")
        text = record.get("text") or record.get("body") or record.get("content") or ""
        if not isinstance(text, str | int | float):
            kind = type(text).__name__
            raise LoaderError(path, f"record {n}: the text must be a string, not a {kind}")
        text = clean_text(str(text))
        # one file, many records: the file name would title them all alike
        default_id = f"{slugify(path.stem)}-{n}"
        articles.append(make_article(path, record, text, default_id, headline(text[:1000])))
    return articles


LOADERS: dict[str, Callable[[Path], list[Article]]] = {
    ".md": load_markdown,
    ".markdown": load_markdown,
    ".txt": load_text,
    ".html": load_html,
    ".htm": load_html,
    ".pdf": load_pdf,
    ".json": load_json,
    ".jsonl": load_json,
}


def load_file(path: Path) -> list[Article]:
    """Load one file into articles, or raise LoaderError saying why not."""
    loader = LOADERS.get(path.suffix.lower())
    if loader is None:
        raise LoaderError(
            path, f"unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    try:
        return loader(path)
    except OSError as exc:
        raise LoaderError(path, f"cannot be read ({exc.strerror})") from exc


def iter_files(paths: Iterable[Path]) -> Iterator[Path]:
    """Files under the given paths (recursively), hidden files and folders skipped, sorted."""
    for root in paths:
        if root.is_file():
            yield root
            continue
        if not root.exists():
            raise LoaderError(root, "no such file or folder")
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).parts
            if (
                path.is_file()
                and not any(p.startswith(".") for p in rel)
                and path.name != "README.md"
            ):
                yield path
