"""HTML inside an article stays text in the browser, and its [n] stays a link to the source.

Bug: an extractive answer quoting a sentence that began with raw HTML (`<script>…`,
`<iframe …>`) was taken by the Markdown renderer for an HTML block, so the citation after
it showed as `[[1]](%5B1%5D)` instead of a clickable [1].
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import make_settings
from tests.e2e.conftest import Server, chat_server
from tests.e2e.pages import ask, open_chat

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

HTML_ARTICLE = """---
id: harbour-bridge-2026-02-02
title: Harbour bridge <b>reopens</b> after repairs
source: Test Wire
published: '2026-02-02T09:00:00'
---

<iframe src="x"></iframe> The harbour bridge in Port Elmsley reopened on Monday after six months of repairs, the city council said.

<script>window.__pwned = 1;</script><img src="y" onerror="window.__pwned = 2"> The repairs of the harbour bridge cost 40 million euros and were paid by the port authority.
"""
QUESTION = "How much did the repairs of the harbour bridge cost?"


@pytest.fixture(scope="module")
def html_server(tmp_path_factory: pytest.TempPathFactory, embedder) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    """The chat server (extractive) over an index of one article full of raw HTML."""
    from rag.ingest import ingest

    root = tmp_path_factory.mktemp("e2e-html")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "harbour.md").write_text(HTML_ARTICLE, encoding="utf-8")
    settings = make_settings(root, corpus=corpus)
    assert ingest(settings, embedder).articles == 1
    with chat_server(settings.data_dir, "extractive", corpus=corpus) as server:
        yield server


def assert_inert(page) -> None:  # type: ignore[no-untyped-def]
    """No script from the article ran and none of its elements made it into the page."""
    assert page.evaluate("window.__pwned") is None
    assert page.locator("iframe[src='x'], img[src='y']").count() == 0
    scripts = page.evaluate(
        "[...document.scripts].filter(s => s.textContent.includes('__pwned')).length"
    )
    assert scripts == 0


def test_article_html_is_inert_and_citation_is_a_link(html_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_chat(page, html_server.url)
    answer = ask(page, QUESTION)
    text = answer.inner_text()
    assert "40 million euros" in text, text
    assert "%5B" not in text and "](" not in text, text  # the bug: [[1]](%5B1%5D)
    assert "<script>" in text  # shown as text, not run
    assert_inert(page)

    link = answer.locator("a.element-link").first
    assert link.inner_text().strip() == "[1]"
    link.click()
    panel = page.locator("#side-view-content")
    panel.get_by_text("40 million euros").first.wait_for()
    assert '<iframe src="x">' in panel.inner_text()
    assert "<b>" in page.locator("#side-view-title").inner_text() + panel.inner_text()
    assert_inert(page)
