"""Property-based tests: every loader, fed hostile bytes, either gives valid Articles or
raises LoaderError with a one-line reason, quickly.

Hostile means random bytes, truncated and damaged PDFs, mixed encodings (UTF-8 with
Latin-1/GBK bytes, UTF-16 with a BOM), zero-width and right-to-left characters, NUL and
other control characters, broken front matter and JSON. Examples are derandomized and no
example database is kept, so CI runs the same inputs every time.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.corpus import load_file
from rag.corpus.clean import TITLE_LIMIT
from rag.errors import LoaderError
from rag.models import Article
from tests.unit.test_loaders import write_minimal_pdf

pytestmark = pytest.mark.timeout(120)  # a hang (catastrophic regex) fails instead of stalling CI
LIMIT_S = 5.0  # per load; inputs here are at most a few KB and load in milliseconds
EXAMPLES = 60
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # timing is checked by `check_load` with a margin the shared cores allow
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUFFIXES = (".md", ".txt", ".html", ".pdf", ".json", ".jsonl")
CONTROL = {chr(c) for c in (*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), *range(0x7F, 0xA0))}


def check_article(article: Article) -> None:
    """What every loaded article satisfies, whatever the file held."""
    assert article.text.strip() and article.id.strip()
    for value in (article.text, article.title, article.source, article.id):
        value.encode("utf-8")  # no lone surrogates
        assert not CONTROL & set(value), repr(value[:80])
    assert article.title.strip() and "\n" not in article.title
    assert len(article.title) <= TITLE_LIMIT + 1
    assert article.content_hash


def check_load(path: Path, limit_s: float = LIMIT_S) -> list[Article] | LoaderError:
    """Load `path`: valid Articles, or a LoaderError naming the file with a one-line reason;
    anything else (or a load slower than `limit_s`) fails the test."""
    started = time.perf_counter()
    try:
        result: list[Article] | LoaderError = load_file(path)
    except LoaderError as exc:
        assert exc.reason.strip() and path.name in str(exc)
        assert "\n" not in str(exc), str(exc)
        result = exc
    elapsed = time.perf_counter() - started
    assert elapsed < limit_s, f"{path.name} took {elapsed:.1f} s"
    if isinstance(result, list):
        for article in result:
            check_article(article)
    return result


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module", autouse=True)
def _warm_imports() -> None:
    """The first HTML and PDF loads import lxml/trafilatura/pypdf (seconds, not per file)."""
    import pypdf  # noqa: F401
    import trafilatura  # noqa: F401


def write(workdir: Path, name: str, data: bytes) -> Path:
    path = workdir / name
    path.write_bytes(data)
    return path


# ---- building blocks of hostile text -------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"]
WORDS = ["Xiaomi", "opened", "a store", "in Morocco.", "小米", "非洲", "市场。", "مرحبا", "שלום"]
TEXT_PIECES = st.one_of(
    st.sampled_from(WORDS).map(lambda w: w.encode()),
    st.sampled_from(ZERO_WIDTH + BIDI).map(lambda c: c.encode()),
    st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(["café", "Ærø", "ñandú"]).map(lambda t: t.encode("latin-1")),
    st.sampled_from(["小米手机", "非洲市场"]).map(lambda t: t.encode("gbk")),
    st.sampled_from([b"\x00", b"\x1b[2J", b"\r\n", b"\n\n", b"\t", b"\x85", b"\xff\xfe"]),
    st.sampled_from([b"---\n", b"# ", b"## Core Viewpoint\n", b"[1]", b"<script>", b"&#0;"]),
)
HOSTILE_TEXT = st.lists(TEXT_PIECES, max_size=40).map(b"".join)


def utf16(data: bytes) -> bytes:
    return data.decode("utf-8", "replace").encode("utf-16")  # with its byte-order mark


# ---- the properties ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes_never_crash_a_loader(workdir: Path, suffix: str, data: bytes) -> None:
    check_load(write(workdir, f"random{suffix}", data))


@pytest.mark.parametrize("suffix", SUFFIXES)
@FUZZ
@given(data=HOSTILE_TEXT, wide=st.booleans())
def test_mixed_encodings_and_invisible_characters(
    workdir: Path, suffix: str, data: bytes, wide: bool
) -> None:
    """UTF-8 with Latin-1/GBK bytes, zero-width and bidi marks, NUL, escapes, BOMs."""
    result = check_load(write(workdir, f"mixed{suffix}", utf16(data) if wide else data))
    if wide and data.strip() and suffix != ".pdf":
        assert isinstance(result, LoaderError) and "re-save it as UTF-8" in result.reason


YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
FRONT_KEYS = st.sampled_from(["id", "title", "source", "published", "language", "url", "tags"])
RAW_YAML = st.sampled_from(
    [
        "title: [unclosed",
        "published: 2025-13-45",
        "published: 2025-02-30 10:00",
        "published: 1e99999",
        "1: one\nfoo: bar",
        "? [a, b]\n: c",
        "title: !!python/object:os.system x",
        "title: !!binary aGVsbG8=",
        "a: &a [x, x]\nb: [*a, *a]",
        "title: " + "[" * 3000 + "]" * 3000,
        "title: 'a'\ntitle: 'b'",
        "\ttitle: tab",
        "title: yes\nsource: no",
        "published: 2025-09-01T03:48:00+25:00",
        "- just\n- a list",
        "plain scalar",
        "",
    ]
)


CLOSINGS = st.sampled_from(["---\n", "---", "--- \n", "---\r\n", "----\n", "...\n", ""])
LEADS = st.sampled_from(["", "\n", "\ufeff", "  \n"])


def front_matter_file(workdir: Path, block: str, closing: str, lead: str, body: str) -> Path:
    text = f"{lead}---\n{block}\n{closing}{body}"
    return write(workdir, "front.md", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(
    meta=st.dictionaries(FRONT_KEYS | st.text(max_size=8), YAML_VALUES, max_size=5),
    closing=CLOSINGS,
    lead=LEADS,
    body=st.text(max_size=200),
)
def test_front_matter_of_any_values(
    workdir: Path, meta: dict[str, object], closing: str, lead: str, body: str
) -> None:
    """Known and unknown keys with lists, mappings, numbers, odd text as values."""
    block = yaml.safe_dump(meta, allow_unicode=True)
    result = check_load(front_matter_file(workdir, block, closing, lead, body))
    if isinstance(result, list) and closing.startswith("---\n") and meta.get("id"):
        assert result[0].id == str(meta["id"]).strip() or not str(meta["id"]).strip()


@FUZZ
@given(raw=RAW_YAML, closing=CLOSINGS, lead=LEADS, body=st.text(max_size=200))
def test_front_matter_edge_cases(
    workdir: Path, raw: str, closing: str, lead: str, body: str
) -> None:
    """YAML that is broken, hostile (aliases, tags, deep nesting) or not a mapping."""
    check_load(front_matter_file(workdir, raw, closing, lead, body))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
RECORD = st.dictionaries(
    st.sampled_from(["id", "title", "text", "body", "source", "published", "url", "tags"]),
    JSON_VALUES | st.text(max_size=80),
    max_size=6,
)


# Spliced into the JSON text at a random place: deep nesting, numbers Python refuses to
# convert, escapes that decode to NUL, a lone surrogate or an ANSI escape.
JSON_SPLICES = st.sampled_from(
    ["[" * 3000, "9" * 5000, '"\\u0000"', '"\\ud800"', '"\\u001b[2J"', "1e99999", "NaN", "", ""]
)


@FUZZ
@given(
    records=st.lists(RECORD | JSON_VALUES, max_size=4),
    lines=st.booleans(),
    splice=JSON_SPLICES,
    where=st.floats(min_value=0, max_value=1),
    cut=st.integers(min_value=0, max_value=400),
)
def test_json_records_of_any_shape(
    workdir: Path, records: list[object], lines: bool, splice: str, where: float, cut: int
) -> None:
    """Records of every shape, whole, damaged or cut short, as .json and .jsonl."""
    if lines:
        raw = "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
        name = "records.jsonl"
    else:
        raw, name = json.dumps(records, ensure_ascii=False), "records.json"
    at = int(where * len(raw))
    raw = raw[:at] + splice + raw[at:]
    data = raw.encode("utf-8", "surrogatepass")
    check_load(write(workdir, name, data[: len(data) - cut] if cut < len(data) else data))


HTML_TAGS = st.sampled_from(["div", "p", "article", "span", "script", "iframe", "table", "b"])


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    depth = draw(st.integers(min_value=0, max_value=60))
    tags = [draw(HTML_TAGS) for _ in range(depth)]
    text = draw(st.text(max_size=200)) + " Xiaomi opened its first store in Morocco. " * 3
    closing = "".join(f"</{t}>" for t in reversed(tags)) if draw(st.booleans()) else ""
    attrs = draw(st.sampled_from(["", ' onload="alert(1)"', " data-x='&#0;&#xD800;'"]))
    opening = "".join(f"<{t}{attrs}>" for t in tags)
    return f"<html><head><title>{draw(st.text(max_size=40))}</title></head><body>{opening}{text}{closing}"


@FUZZ
@given(document=html_documents())
def test_html_of_any_shape(workdir: Path, document: str) -> None:
    check_load(write(workdir, "page.html", document.encode("utf-8", "surrogatepass")))


def _pdf_variants() -> list[bytes]:
    """A hand-written one-page PDF and the same page rewritten by pypdf (compressed
    streams, an xref table of its own, a /Title)."""
    from pypdf import PdfReader, PdfWriter

    with tempfile.TemporaryDirectory() as folder:
        plain = Path(folder) / "plain.pdf"
        write_minimal_pdf(plain, "Xiaomi opened a store in Nairobi")
        raw = plain.read_bytes()
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(raw)))
    writer.add_metadata({"/Title": "Xiaomi in Kenya"})
    for page in writer.pages:
        page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    return [raw, buffer.getvalue()]


PDFS = _pdf_variants()


# Damage lands where pypdf's parser decides things: object headers, dictionary keys,
# filters, lengths, references, the xref table and trailer.
TOKENS = (
    b" obj",
    b"/Type",
    b"/Filter",
    b"/FlateDecode",
    b"/Length",
    b" R",
    b"/Count",
    b"xref",
    b"trailer",
    b"startxref",
    b"stream",
    b"/Title",
    b"<<",
    b"[",
)


def _token_offsets(pdf: bytes) -> list[int]:
    found = []
    for token in TOKENS:
        start = pdf.find(token)
        while start >= 0:
            found.append(start)
            start = pdf.find(token, start + 1)
    return sorted(found)


OFFSETS = [_token_offsets(pdf) for pdf in PDFS]


@settings(FUZZ, max_examples=500)
@given(
    which=st.sampled_from(range(len(PDFS))),
    cut=st.floats(min_value=0, max_value=1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), st.integers(0, 255)), max_size=4),
)
def test_truncated_and_damaged_pdfs(
    workdir: Path, which: int, cut: float, flips: list[tuple[float, int, int]]
) -> None:
    """A real PDF cut at any offset, with bytes changed in its structural tokens."""
    data = bytearray(PDFS[which])
    for token, shift, byte in flips:
        offsets = OFFSETS[which]
        data[min(len(data) - 1, offsets[int(token * (len(offsets) - 1))] + shift)] = byte
    data = data[: max(1, int(len(data) * cut))]
    result = check_load(write(workdir, "cut.pdf", bytes(data)))
    if isinstance(result, list) and cut == 1 and not flips:
        assert "Nairobi" in result[0].text
