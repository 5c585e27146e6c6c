"""Loaders: one file → articles. Each format's loader is small; `load_file` dispatches.

Bad files raise `LoaderError` with the reason; `ingest` logs and skips them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from rag.corpus.export import is_search_export, parse_search_export
from rag.corpus.headers import date_header, source_header
from rag.corpus.text import detect_language, headline, parse_published, slugify
from rag.errors import LoaderError
from rag.models import Article

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf", ".json", ".jsonl")
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<meta>.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
HEADING = re.compile(r"^#\s+(?P<title>.+?)\s*#*\s*$", re.MULTILINE)
ARTICLE_FIELDS = ("id", "title", "source", "published", "language", "url")


def read_text(path: Path) -> str:
    """The file as UTF-8 text; empty, binary or non-UTF-8 files raise LoaderError."""
    data = path.read_bytes()
    if not data.strip():
        raise LoaderError(path, "the file is empty")
    if b"\x00" in data[:8192]:
        raise LoaderError(path, "looks binary (NUL bytes), not a text article")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoaderError(
            path, f"is not UTF-8 text (byte {exc.start}); re-save it as UTF-8"
        ) from exc


def make_article(
    path: Path, meta: dict[str, Any], text: str, default_id: str, default_title: str | None = None
) -> Article:
    """Build an Article from metadata and text, filling sensible defaults: the title from a
    heading (else `default_title`, else the file name), the date and outlet from a header in
    the text ("Sep 13, 2016 ...", "来源：新华网"), the language from the script."""
    text = text.strip()
    if not text:
        raise LoaderError(path, "has no article text")
    unknown = sorted(set(meta) - {*ARTICLE_FIELDS, "text", "body", "content", "tags"})
    if unknown:
        raise LoaderError(
            path, f"unknown metadata fields {unknown}; allowed: {list(ARTICLE_FIELDS)}"
        )
    heading = HEADING.search(text)
    title = meta.get("title") or (
        heading["title"] if heading else default_title or path.stem.replace("_", " ")
    )
    try:
        return Article(
            id=str(meta.get("id") or default_id),
            title=str(title).strip(),
            source=str(meta.get("source") or source_header(text) or "unknown"),
            published=parse_published(meta.get("published")) or date_header(text),
            language=str(meta.get("language") or detect_language(text)),
            url=meta.get("url"),
            text=text,
            path=str(path),
        )
    except ValueError as exc:  # pydantic ValidationError and date parsing
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LoaderError(path, f"bad metadata: {first}") from exc


def split_front_matter(path: Path, raw: str) -> tuple[dict[str, Any], str]:
    """Separate YAML front matter from the body; broken YAML raises LoaderError."""
    match = FRONT_MATTER.match(raw)
    if not match:
        if raw.lstrip().startswith("---"):
            raise LoaderError(path, "front matter starts with '---' but never closes with '---'")
        return {}, raw
    try:
        meta = yaml.safe_load(match["meta"]) or {}
    except yaml.YAMLError as exc:
        raise LoaderError(
            path, f"front matter is not valid YAML ({exc.__class__.__name__})"
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
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(path)
        text = "\n\n".join((page.extract_text() or "") for page in reader.pages)
        title = reader.metadata.title if reader.metadata else None
    except (PdfReadError, ValueError, OSError) as exc:
        raise LoaderError(path, f"cannot read the PDF ({exc})") from exc
    return [make_article(path, {"title": title} if title else {}, text, slugify(path.stem))]


def _records(path: Path) -> Iterator[tuple[int, Any]]:
    raw = read_text(path)
    try:
        if path.suffix.lower() == ".jsonl":
            for n, line in enumerate(raw.splitlines(), start=1):
                if line.strip():
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise LoaderError(path, f"invalid JSON at line {n}: {exc.msg}") from exc
                    yield n, record
        else:
            data = json.loads(raw)
            yield from enumerate(data if isinstance(data, list) else [data], start=1)
    except json.JSONDecodeError as exc:
        raise LoaderError(path, f"invalid JSON at line {exc.lineno}: {exc.msg}") from exc


def load_json(path: Path) -> list[Article]:
    """Records with title/text/source/published (``text``, ``body`` or ``content``)."""
    articles = []
    for n, record in _records(path):
        if not isinstance(record, dict):
            raise LoaderError(path, f"record {n} is not an object")
        text = record.get("text") or record.get("body") or record.get("content") or ""
        # one file, many records: the file name would title them all alike
        default_id = f"{slugify(path.stem)}-{n}"
        articles.append(make_article(path, record, str(text), default_id, headline(str(text))))
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
