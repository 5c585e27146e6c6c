"""Uploads are checked on their content, not only their extension."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui.sniff import content_problem


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        ("a.md", "---\ntitle: Café\n---\n\nText über Xiaomi.\n".encode()),
        ("a.txt", "\ufeffplain text with a BOM".encode()),
        ("a.json", b'{"title": "T", "text": "x"}'),
        ("a.jsonl", b'{"title": "T", "text": "x"}\n\n{"title": "U", "text": "y"}\n'),
        ("a.html", b"<!DOCTYPE html><html><body><p>Hi</p></body></html>"),
        ("a.htm", b"\n  <article><h1>News</h1></article>"),
    ],
)
def test_good_files_pass(tmp_path: Path, name: str, data: bytes) -> None:
    assert content_problem(write(tmp_path, name, data)) is None


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("fake.pdf", b"This is plain text pretending to be a PDF.", "not a PDF"),
        ("a.md", b"%PDF-1.4 binary", "binary file"),
        ("a.txt", b"text\x00with NUL", "NUL"),
        ("a.md", b"caf\xe9 latin-1", "not UTF-8"),
        ("a.json", b'{"title": ', "not valid JSON"),
        ("a.jsonl", b'{"a": 1}\n{"b": \n', "line 2 is not valid JSON"),
        ("a.html", b"just words, no markup at all", "does not look like HTML"),
        ("a.txt", b"  \n\n ", "empty"),
        ("photo.md", b"\x89PNG\r\n\x1a\n....", "binary file"),
    ],
)
def test_mismatched_content_is_named(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    problem = content_problem(write(tmp_path, name, data))
    assert problem is not None and reason in problem, problem


def test_the_uploaded_name_decides_the_type(tmp_path: Path) -> None:
    temp = write(tmp_path, "upload-tmp", b"hello")  # Chainlit's temporary copy has no suffix
    assert content_problem(temp, ".pdf") == "the content is not a PDF (no %PDF- header)"
    assert content_problem(temp, ".txt") is None
