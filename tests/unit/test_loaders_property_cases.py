"""Hostile files, one by one: every input here crashed a loader, hung it or let bad text
through before the fix that came with it. Huge inputs (several MB on one line, thousands of
nesting levels) are too big for the property tests' generators and live here.
"""

from __future__ import annotations

import io
import json
import logging
import time
from pathlib import Path

import pytest

from rag.corpus.chunking import chunk_article, make_splitter
from rag.corpus.clean import TITLE_LIMIT
from rag.corpus.export import parse_search_export, strip_paragraph_refs
from rag.errors import LoaderError
from rag.ingest import scan
from rag.models import IngestReport
from rag.text.sentences import is_filler
from tests.unit.test_loaders_property import PDFS, check_load

pytestmark = pytest.mark.timeout(120)
MB = 1_000_000
EXPORT_HEAD = "Title\nReuters· 2025-01-01 10:00\n"

# (file name, content, what the reason says): each crashed with another exception before
BAD_FILES = [
    ("bad-yaml-date.md", b"---\npublished: 2025-13-45\n---\ntext", "YAML"),  # ValueError
    ("deep-yaml.md", b"---\ntitle: " + b"[" * 3000 + b"]" * 3000 + b"\n---\ntext", "YAML"),
    ("mixed-keys.md", b"---\n1: one\nfoo: bar\n---\ntext", "unknown metadata"),  # TypeError
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "unusable JSON"),  # RecursionError
    ("big-int.json", b'{"title": "a", "text": "b", "id": ' + b"9" * 5000 + b"}", "JSON"),
    ("export-date.txt", "Title\nReuters· 2025-13-45 10:00\nbody".encode(), "invalid date"),
    ("export-hour.txt", "Title\nReuters· 2025-01-01 25:61\nbody".encode(), "invalid date"),
    # pypdf's NotImplementedError for a garbled filter name
    ("filter.pdf", PDFS[1].replace(b"/FlateDecode", b"/FlateDecodX"), "cannot read the PDF"),
    # accepted before, now refused with a reason
    ("late-nul.txt", b"a" * 9000 + b"\x00 text", "NUL"),
    ("empty-list.json", b"[]", "no records"),
    ("list-title.md", b"---\ntitle: [a, b]\n---\ntext", "'title' must be a single value"),
    ("text-list.json", b'{"title": "a", "text": ["b"]}', "the text must be a string"),
    ("utf16.md", "Xiaomi in Kenya".encode("utf-16"), "UTF-16"),  # said "looks binary"
    ("utf32.txt", "Xiaomi in Kenya".encode("utf-32"), "UTF-32"),
]


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_give_a_clear_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = check_load(path)
    assert isinstance(result, LoaderError), result
    assert reason in result.reason


def _alias_bomb() -> bytes:
    """Nine levels of nine aliases, defined under the ignored `tags`: the title stood for
    387 million strings, all of them turned into text before."""
    levels = ["&a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"&a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    return f"---\ntags: [{', '.join(levels)}]\ntitle: *a8\n---\ntext".encode()


# (file name, content, a check of the one article it gives)
GOOD_FILES = [
    ("empty-front.md", b"---\n---\nXiaomi opened a store.", lambda a: a.text.startswith("Xiaomi")),
    ("blank-first.md", b"\n\n---\ntitle: Kenya\n---\ntext", lambda a: a.title == "Kenya"),
    ("nul.json", b'{"title": "a", "text": "b\\u0000c"}', lambda a: a.text == "bc"),
    ("surrogate.json", b'{"title": "a", "text": "b\\ud800c"}', lambda a: a.text == "b\ufffdc"),
    ("ansi.json", b'{"title": "a\\u001b[2Jb", "text": "c"}', lambda a: a.title == "a[2Jb"),
    ("tab.md", b"#\ttitled\n\nbody", lambda a: a.title == "titled"),
    ("long-title.json", json.dumps({"title": "word " * 2000, "text": "t"}).encode(), None),
    ("long-heading.md", b"# " + "非洲".encode() * 5000 + b"\n\ntext", None),
    # the heading regex took minutes on a heading followed by a few thousand spaces
    ("heading-spaces.md", b"# Xiaomi" + b" " * 20_000 + b"in Africa\n\ntext", None),
]


@pytest.mark.parametrize(("name", "data", "check"), GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_odd_but_usable_files_load(tmp_path: Path, name: str, data: bytes, check) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(data)
    result = check_load(path)
    assert isinstance(result, list) and len(result) == 1, result
    assert check is None or check(result[0]), result[0]


def test_an_alias_bomb_in_front_matter_is_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "bomb.md"
    path.write_bytes(_alias_bomb())
    result = check_load(path, limit_s=2)
    assert isinstance(result, LoaderError) and "'title' must be a single value" in result.reason


def test_a_long_title_still_chunks(tmp_path: Path) -> None:
    """A title longer than the chunk size used to fail the whole ingest in the splitter."""
    path = tmp_path / "long.json"
    path.write_text(json.dumps({"title": "word " * 2000, "text": "Xiaomi opened a store. " * 50}))
    article = check_load(path)[0]  # type: ignore[index]
    assert len(article.title) <= TITLE_LIMIT + 1 and article.title.endswith("…")
    splitter = make_splitter(200, 30, lambda text: list(text))  # one token per character
    assert chunk_article(article, splitter)


HUGE = [  # several MB on one line; each loads in well under the limit
    ("huge.md", b"---\ntitle: x\n---\n" + b"word " * MB, 10),
    ("huge-spaces.md", b"# T" + b" " * (4 * MB) + b"x", 10),
    ("huge.txt", b"a" * (5 * MB), 10),
    ("huge.json", json.dumps({"title": "t", "text": "word " * MB}).encode(), 10),
    ("huge.jsonl", json.dumps({"title": "t" * (4 * MB), "text": "w"}).encode(), 10),
    ("huge.html", b"<html><body><article><p>" + b"word " * (MB // 2) + b"</p></article>", 30),
    # the export's source-line regex was quadratic on a long line of spaces (hours at 4 MB)
    ("huge-export-line.txt", b"Title\nReuters" + b" " * (4 * MB) + b"x\nbody", 10),
    # and its paragraph-reference and section regexes on long bodies
    ("huge-export-refs.txt", (EXPORT_HEAD + "a" + " " * (4 * MB) + "[1] b").encode(), 10),
    ("huge-export-groups.txt", (EXPORT_HEAD + "Group 1: x " * 200_000).encode(), 10),
    ("deep.html", b"<html><body>" + b"<div>" * 5000 + b"<p>Xiaomi.</p>" + b"</div>" * 5000, 20),
    ("deep-unclosed.html", b"<html><body><p>" + b"Xiaomi opened. " * 9 + b"<b>" * 20_000, 20),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "data", "limit_s"), HUGE, ids=[h[0] for h in HUGE])
def test_huge_lines_and_deep_nesting(tmp_path: Path, name: str, data: bytes, limit_s: int) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    check_load(path, limit_s=limit_s)


def test_a_long_run_of_punctuation_is_no_filler_and_quick() -> None:
    """The filler regex split a run of dashes every possible way (1.7 s at 8,000; hours at
    a few MB)."""
    started = time.perf_counter()
    assert not is_filler("—" * 100_000 + "x")
    assert is_filler("— Jan 16, 2020 …") and is_filler("2025-01-01") and is_filler("...")
    assert time.perf_counter() - started < 1


def test_nested_paragraph_references_leave_no_citation_marker() -> None:
    assert strip_paragraph_refs("Xiaomi grew [[1]2] fast [3][12].") == "Xiaomi grew fast."
    text = EXPORT_HEAD + "Core Viewpoint - Xiaomi grew [[1]2] in Africa[[[4]5]6]."
    article = parse_search_export(text)[0]
    assert "[" not in article.text, article.text


def test_scan_reports_one_line_per_bad_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Through ingest's scan: the good file is found, each bad one gives exactly one warning
    (pypdf's own repair warnings are not passed on) and one skip reason naming it."""
    for name, data, _ in BAD_FILES:
        (tmp_path / name).write_bytes(data)
    (tmp_path / "cut.pdf").write_bytes(PDFS[0][: len(PDFS[0]) // 2])
    (tmp_path / "random.html").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "good.md").write_text("---\nid: good\n---\nXiaomi opened a store in Morocco.\n")
    report = IngestReport()
    with caplog.at_level(logging.WARNING):
        found, failed = scan([tmp_path], report)
    bad = [p.name for p in tmp_path.iterdir() if p.name != "good.md"]
    assert list(found) == ["good"]
    assert len(failed) == len(bad) == len(report.skipped)
    for name in bad:
        lines = [line for line in report.skipped if name in line]
        assert len(lines) == 1 and "\n" not in lines[0], (name, lines)
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == len(bad), warnings
    assert all(w.startswith("skipped ") for w in warnings), warnings


def test_the_pdf_variants_are_real_pdfs() -> None:
    from pypdf import PdfReader

    for pdf in PDFS:
        assert "Nairobi" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
