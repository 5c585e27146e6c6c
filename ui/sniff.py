"""Is an uploaded file what its extension says? Checked on its content, before indexing.

`content_problem(path)` returns a reason to reject the file, or None. The caller has already
checked the size on disk, so reading the whole (bounded) file is fine here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PDF_MAGIC = b"%PDF-"
TEXT_SUFFIXES = (".md", ".markdown", ".txt")
HTML_SUFFIXES = (".html", ".htm")
HTML_SNIFF_BYTES = 4096
HTML_START = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|article|main|div|p|h[1-6]|section)[\s>/]",
    re.IGNORECASE,
)
# Binary formats often renamed to a text extension.
BINARY_MAGIC = (PDF_MAGIC, b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF")


def _text(data: bytes) -> tuple[str | None, str | None]:
    """(text, None) for UTF-8 text without NUL bytes, else (None, reason)."""
    if data.startswith(BINARY_MAGIC):
        return None, "the content is a binary file (PDF, image, archive or program), not text"
    if b"\x00" in data:
        return None, "the content is binary (it holds NUL bytes), not text"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        return None, f"the content is not UTF-8 text (bad byte at position {exc.start})"


def _json_problem(text: str, lines: bool) -> str | None:
    if not lines:
        try:
            json.loads(text)
        except ValueError as exc:
            return f"the content is not valid JSON ({exc})"
        return None
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                json.loads(line)
            except ValueError:
                return f"line {number} is not valid JSON"
    return None


def content_problem(path: Path, suffix: str | None = None) -> str | None:
    """Why the file's content does not match its type (by `suffix`, default the path's)."""
    suffix = (suffix or path.suffix).lower()
    if suffix == ".pdf":
        with path.open("rb") as f:
            head = f.read(len(PDF_MAGIC))
        return None if head == PDF_MAGIC else "the content is not a PDF (no %PDF- header)"
    text, problem = _text(path.read_bytes())
    if text is None:
        return problem
    if not text.strip():
        return "the file is empty"
    if suffix in (".json", ".jsonl"):
        return _json_problem(text, lines=suffix == ".jsonl")
    if suffix in HTML_SUFFIXES and not HTML_START.search(text[:HTML_SNIFF_BYTES]):
        return "the content does not look like HTML (no HTML tags at the start)"
    return None
