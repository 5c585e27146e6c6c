"""Loaders per format, defaults for missing metadata, and clear errors for bad files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from rag.corpus import load_file
from rag.errors import LoaderError
from tests.conftest import CORPUS

MINIMAL_PDF_TEXT = "Xiaomi opened a store in Nairobi"


def write_minimal_pdf(path: Path, text: str) -> None:
    """A one-page PDF with one line of text (no PDF library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    path.write_bytes(bytes(out))


def test_corpus_markdown_front_matter() -> None:
    article = load_file(CORPUS / "2025-09-01-xiaomi-africa.md")[0]
    assert article.id == "xiaomi-africa-2025-09-01"
    assert article.source == "创业邦"
    assert article.published == datetime(2025, 9, 1, 3, 48, tzinfo=UTC)
    assert article.text.startswith("## Core Viewpoint")


def test_markdown_without_front_matter_defaults(tmp_path: Path) -> None:
    path = tmp_path / "my_note.md"
    path.write_text("# Xiaomi in Kenya\n\nXiaomi opened a store.\n")
    article = load_file(path)[0]
    assert (article.title, article.source, article.published) == (
        "Xiaomi in Kenya",
        "unknown",
        None,
    )
    assert article.id == "my_note"


def test_plain_text_title_from_file_name(tmp_path: Path) -> None:
    path = tmp_path / "phone_sales.txt"
    path.write_text("Phone sales grew in 2025.")
    assert load_file(path)[0].title == "phone sales"


def test_html_article_text_extracted(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    body = " ".join(["Xiaomi expands its retail network across East Africa this year."] * 6)
    path.write_text(
        "<html><head><title>Xiaomi in Kenya</title></head><body>"
        "<nav>Home | World | Tech</nav><article><h1>Xiaomi in Kenya</h1>"
        f"<p>{body}</p></article><footer>Cookie policy</footer></body></html>"
    )
    article = load_file(path)[0]
    assert "retail network" in article.text
    assert "Cookie policy" not in article.text
    assert article.title == "Xiaomi in Kenya"


def test_pdf_text_extracted(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    write_minimal_pdf(path, MINIMAL_PDF_TEXT)
    assert MINIMAL_PDF_TEXT in load_file(path)[0].text


def test_json_and_jsonl_records(tmp_path: Path) -> None:
    record = {"title": "A", "text": "Alpha text.", "source": "Wire", "published": "2025-01-02"}
    (tmp_path / "one.json").write_text(json.dumps([record, {**record, "title": "B"}]))
    (tmp_path / "many.jsonl").write_text(json.dumps(record) + "\n\n" + json.dumps(record) + "\n")
    assert [a.title for a in load_file(tmp_path / "one.json")] == ["A", "B"]
    loaded = load_file(tmp_path / "many.jsonl")
    assert [a.id for a in loaded] == ["many-1", "many-3"]
    assert loaded[0].published == datetime(2025, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"  \n", "empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "café crème".encode("latin-1"), "UTF-8"),
        ("broken.md", b"---\ntitle: [unclosed\n---\ntext", "YAML"),
        ("unclosed.md", b"---\ntitle: x\ntext without end", "never closes"),
        ("baddate.md", b"---\npublished: yesterday-ish\n---\ntext", "published"),
        ("typo.md", b"---\ntitel: x\n---\ntext", "unknown metadata"),
        ("notes.docx", b"PK fake", "unsupported"),
        ("bad.jsonl", b'{"title": "x", "text": "y"}\n{oops', "invalid JSON at line 2"),
        ("bad.json", b'[\n  {"title": "x",\n   oops}\n]', "invalid JSON at line 3"),
        ("only-meta.md", b"---\ntitle: x\n---\n\n", "no article text"),
    ],
)
def test_bad_files_raise_a_clear_loader_error(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoaderError) as info:
        load_file(path)
    assert reason in str(info.value)
    assert name in str(info.value)
