"""Article text in chat Markdown: HTML shows as text and cannot break the [n] links."""

from __future__ import annotations

from datetime import datetime

from rag.models import Answer, Chunk, Citation, Hit, SourcesFound
from ui import render
from ui.render import answer_markdown, article_link, citation_markdown, inert

HTML_QUOTE = (
    '<script>window.__pwned = 1;</script><iframe src="x"></iframe> It cost 40 million euros.'
)


def citation(url: str | None = None) -> Citation:
    return Citation(
        n=1, article_id="a", title="Bridge <b>reopens</b>", source="Test <i>Wire</i>",
        published=datetime(2026, 2, 2), url=url, chunk_id="a#0", quote=HTML_QUOTE,
        passage="Intro.\n\n" + HTML_QUOTE + "\n\n## Next", score=0.9,
    )  # fmt: skip


def test_inert_keeps_text_and_markdown() -> None:
    assert inert("a <b>c</b> [1] **d**") == "a &lt;b>c&lt;/b> [1] **d**"
    assert inert("no tags here") == "no tags here"


def test_answer_markdown_has_no_raw_html() -> None:
    answer = Answer(
        question="q", text=HTML_QUOTE.rstrip(".") + " [1].", refused=False,
        citations=[citation()], unsupported=["<img src=y onerror=alert(1)>"], notice="<u>n</u>",
    )  # fmt: skip
    text = answer_markdown(answer)
    assert "<" not in text
    assert text.startswith("&lt;script>") and "euros [1]." in text
    assert "Bridge &lt;b>reopens&lt;/b> — Test &lt;i>Wire&lt;/i>" in text


def test_citation_panel_has_no_raw_html_and_keeps_the_highlight() -> None:
    panel = citation_markdown(citation("https://example.org/a b(1)"))
    assert "<" not in panel
    assert "**&lt;script>" in panel  # the quote is still in bold within the passage
    assert "[open the article](https://example.org/a%20b%281%29)" in panel


def test_only_web_links_are_offered() -> None:
    assert article_link("javascript:alert(1)") == ""
    assert article_link("data:text/html,<b>") == ""
    assert article_link(None) == ""
    assert article_link("http://example.org") == " · [open the article](http://example.org)"


def test_welcome_says_when_the_model_is_still_loading() -> None:
    assert render.LOADING.strip() not in render.welcome_markdown(None)
    assert render.welcome_markdown(None, loading=True).endswith(render.LOADING)


def test_the_sources_found_are_listed_numbered_with_their_best_sentence() -> None:
    chunk = Chunk(
        id="a#0", article_id="a", title="Bridge <b>reopens</b>", source="Test Wire",
        published=datetime(2026, 2, 2), text="Intro. " + HTML_QUOTE, start=0, end=60,
    )  # fmt: skip
    found = SourcesFound(hits=[Hit(chunk=chunk, score=0.8, rank=1)], quotes=[HTML_QUOTE])
    shown = render.sources_found_markdown(found, "en")
    assert shown.startswith("🔎 **Writing the answer from these passages:**")
    assert "- [1] **Bridge &lt;b>reopens&lt;/b>** — Test Wire, 2026-02-02" in shown
    assert "<" not in shown and "40 million euros" in shown
    assert "正在根据以下段落作答" in render.sources_found_markdown(found, "zh")
    # while the answer streams, its text comes first and the list stays under it
    streaming = render.streaming_markdown("It reopened [1", shown)
    assert streaming.startswith("It reopened [1") and streaming.endswith(shown)
    assert render.streaming_markdown("  ", shown) == shown
