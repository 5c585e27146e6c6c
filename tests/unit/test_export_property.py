"""Property-based tests of the search-export importer (`is_search_export`,
`parse_search_export`): generated exports come back as the articles they were made of, and
survive the trip through `rag import-export`'s Markdown; any other text is either no export
or refused with a reason, quickly."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.corpus import article_to_markdown, load_file
from rag.corpus.export import is_search_export, parse_search_export
from rag.errors import LoaderError
from tests.unit.test_loaders_property import check_article, check_load

pytestmark = pytest.mark.timeout(120)
EXPORTS = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
MARKER = re.compile(r"\[\d+\]")
# Words hold no '·', '-' or newline (the format's own separators) and no control characters.
WORD = st.text(
    st.characters(
        codec="utf-8",
        exclude_categories=["Cc", "Cs", "Zl", "Zp", "Zs"],
        exclude_characters="·-#[]",
    ),
    min_size=1,
    max_size=8,
)
PHRASE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)
REFS = st.lists(st.integers(1, 40).map(lambda n: f"[{n}]"), max_size=3).map("".join)
NESTED = st.sampled_from(["", "", "[[1]2]", "[[[3]4]5]"])
WHEN = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2039, 12, 31))


@dataclass
class Item:
    title: str
    source: str
    when: datetime
    points: list[str]


@st.composite
def items(draw: st.DrawFn) -> Item:
    points = draw(st.lists(PHRASE, min_size=1, max_size=4))
    return Item(draw(PHRASE), draw(PHRASE), draw(WHEN).replace(second=0, microsecond=0), points)


def render(item: Item, refs: list[str], heading: str) -> str:
    body = " - ".join(f"{p}{r}" for p, r in zip(item.points, refs, strict=False))
    return f"{item.title}\n{item.source}· {item.when:%Y-%m-%d %H:%M}\n{heading} - {body}\n"


@st.composite
def exports(draw: st.DrawFn) -> tuple[str, list[Item]]:
    made = draw(st.lists(items(), min_size=1, max_size=4))
    text = draw(PHRASE) + "\nSearch documents\n"
    for item in made:
        refs = [draw(REFS) + draw(NESTED) for _ in item.points]
        heading = draw(st.sampled_from(["Core Insights", "Core Viewpoint", "Group 1: Market"]))
        text += render(item, refs, heading)
    return text, made


@EXPORTS
@given(export=exports())
def test_generated_exports_give_back_their_articles(export: tuple[str, list[Item]]) -> None:
    text, made = export
    assert is_search_export(text)
    articles = parse_search_export(text)
    assert len(articles) == len(made)
    for article, item in zip(articles, made, strict=True):
        check_article(article)
        assert (article.title, article.source) == (item.title, item.source)
        assert article.published == item.when.replace(tzinfo=UTC)
        assert not MARKER.search(article.text), article.text
        for point in item.points:
            assert point in article.text


@EXPORTS
@given(export=exports())
def test_imported_markdown_loads_as_the_same_article(
    tmp_path_factory: pytest.TempPathFactory, export: tuple[str, list[Item]]
) -> None:
    """`rag import-export` writes each article as Markdown; loading that file gives the same
    id, title, outlet, date and text (so re-importing changes nothing in the index)."""
    folder = tmp_path_factory.mktemp("imported", numbered=True)
    for article in parse_search_export(export[0]):
        path = folder / f"{article.id}.md"
        path.write_text(article_to_markdown(article), encoding="utf-8")
        [loaded] = load_file(path)
        assert loaded.model_dump(exclude={"path"}) == article.model_dump(exclude={"path"})


EXPORTISH = st.lists(
    st.one_of(
        PHRASE,
        st.text(max_size=40),
        st.sampled_from(["Search documents", "", "   ", "Core Viewpoint - x [1]", "Group 2: "]),
        st.builds(
            lambda s, d: f"{s}· {d}",
            st.text(max_size=12),
            st.sampled_from(["2025-09-01 03:48", "2025-13-45 10:00", "2025-02-30", "2025-01-01"]),
        ),
    ),
    max_size=12,
).map("\n".join)


@EXPORTS
@given(text=EXPORTISH)
def test_any_text_is_an_export_or_not_and_never_crashes(text: str) -> None:
    started = time.perf_counter()
    if is_search_export(text):
        try:
            for article in parse_search_export(text):
                check_article(article)
        except LoaderError as exc:
            assert exc.reason and "\n" not in exc.reason
    assert time.perf_counter() - started < 5


@EXPORTS
@given(text=EXPORTISH)
def test_export_like_txt_files_load_or_are_refused(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("txt", numbered=True) / "export.txt"
    path.write_text(text, encoding="utf-8")
    check_load(path)


def test_the_seed_export_round_trips(tmp_path: Path) -> None:
    from tests.conftest import FIXTURES

    seed = (FIXTURES / "seed_search_export.txt").read_text(encoding="utf-8")
    for article in parse_search_export(seed):
        path = tmp_path / f"{article.id}.md"
        path.write_text(article_to_markdown(article), encoding="utf-8")
        assert load_file(path)[0].content_hash == article.content_hash


def test_control_characters_in_an_export_never_reach_the_article() -> None:
    """`rag import-export` parses the file directly: its escapes used to reach the Markdown."""
    text = "Title\x1b[2J\nWire· 2025-01-01 10:00\nCore Viewpoint - Xiaomi\x08 grew\x00 [1]"
    [article] = parse_search_export(text)
    check_article(article)
    assert article.text.endswith("Xiaomi grew") and article.title == "Title[2J"
