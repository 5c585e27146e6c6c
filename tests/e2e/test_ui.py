"""The chat UI in a real browser, as a person would use it.

Against the real Chainlit server (tests/e2e/conftest.py) over a real index of `corpus/`:
welcome and starters, a cited answer, the citation side panel, feedback, a refusal, an
upload that becomes answerable, and one answer streamed by the local llama.cpp model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import CORPUS
from tests.e2e.conftest import ARTIFACTS, ASSISTANT, Server, chat_server, data_copy
from tests.e2e.pages import ask, finish, open_chat

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AFRICA_TITLE = "雷军又签任命通知,目标非洲"
CITATION = re.compile(r"\[\d+\]")
LLM_TIMEOUT_MS = 420_000  # the 1.5B model on 2 busy CPU cores: usually 20-60 s
NAIROBI_ARTICLE = """---
id: xiaomi-nairobi-2026-03-12
title: Xiaomi opens flagship store in Nairobi
source: Test Wire
published: '2026-03-12T09:00:00'
---

Xiaomi opened a flagship store in Nairobi, Kenya in March 2026. The store on Kimathi Street
is the company's largest in East Africa and sells phones, tablets and smart home products.
"""


def check_citation_panel(page, answer) -> None:  # type: ignore[no-untyped-def]
    """Clicking [1] opens the side panel with the article title and the supporting sentence."""
    page.wait_for_selector("#side-view-title", state="detached")  # closed until clicked
    answer.locator("a.element-link").first.click()
    panel = page.locator("#side-view-content")
    panel.get_by_text(AFRICA_TITLE).first.wait_for()
    quote = " ".join(panel.locator("blockquote").first.inner_text().split())
    corpus_text = " ".join((CORPUS / "2025-09-01-xiaomi-africa.md").read_text().split())
    assert quote and quote in corpus_text, quote
    bold = " ".join(panel.locator("strong, .font-bold").all_inner_texts())  # the highlight
    assert quote.rstrip(".") in " ".join(bold.split()), bold


def feedback_lines(data_dir: Path) -> list[dict[str, object]]:
    path = data_dir / "feedback.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_cited_answer_panel_feedback_and_refusal(server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_chat(page, server.url)
    welcome = page.locator("#welcome-screen").inner_text()
    assert "2 news articles" in welcome and "2025-09-01" in welcome, welcome
    starter = page.locator("#starters").get_by_text("What is Xiaomi's Africa strategy?")
    starter.wait_for()
    assert page.locator("#starters button").count() >= 3

    starter.click()
    answer = finish(page, 0, 60_000)
    text = answer.inner_text()
    assert CITATION.search(text), text
    assert "Africa" in text and "目标非洲" in text.split("Sources")[-1], text

    check_citation_panel(page, answer)
    expect(page.locator("#side-view-title")).to_be_in_viewport(ratio=1)  # slid in
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-chat.png"), full_page=True)

    answer.hover()
    answer.locator("button.positive-feedback-off").click()
    page.click("#submit-feedback")
    page.locator(".positive-feedback-on").wait_for()
    stored = [x for x in feedback_lines(server.data_dir) if x.get("value") == "up"]
    assert stored and stored[-1]["question"] == "What is Xiaomi's Africa strategy?", stored
    assert stored[-1]["citations"] and CITATION.search(str(stored[-1]["answer"]))

    refusal = ask(page, "What is the capital of Australia?")
    assert "could not find" in refusal.inner_text()
    assert refusal.locator("a.element-link").count() >= 1  # the closest passages


def test_uploaded_article_becomes_answerable(server: Server, page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "nairobi-store.md"
    article.write_text(NAIROBI_ARTICLE, encoding="utf-8")
    open_chat(page, server.url)
    page.set_input_files("#upload-button-input", str(article))
    page.locator("#attachments").get_by_text("nairobi-store.md").wait_for()
    page.click("#chat-submit")  # enabled once the file is uploaded
    report = page.locator(ASSISTANT).last
    expect(report).to_contain_text("Indexed 1 new article", timeout=120_000)

    answer = ask(page, "Where did Xiaomi open a flagship store?")
    assert "Nairobi" in answer.inner_text()
    assert CITATION.search(answer.inner_text())


@pytest.fixture(scope="module")
def llm_server(index_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The chat server with the default engine: the local llama.cpp model."""
    with chat_server(data_copy(index_template, tmp_path_factory, "llm"), "llamacpp") as s:
        yield s


@pytest.mark.llm
def test_llamacpp_answer_streams_with_citations(llm_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    open_chat(page, llm_server.url)
    page.fill("#chat-input", "What is Xiaomi's Africa strategy?")
    page.click("#chat-submit")
    # While the model reads and writes (mid-run, no final "Sources" list yet), the passages
    # it reads are on screen, the Africa article among them; its tokens then show above.
    page.wait_for_function(
        f"""(() => {{ const m = document.querySelectorAll("{ASSISTANT}");
        const t = m.length ? m[m.length - 1].innerText.trim() : "";
        return t.includes("Writing the answer from these passages") && t.includes("{AFRICA_TITLE}")
            && !t.includes("Sources") && document.querySelector("#stop-button") !== null; }})()""",
        timeout=LLM_TIMEOUT_MS,
    )
    page.wait_for_function(
        f"""(() => {{ const m = document.querySelectorAll("{ASSISTANT}");
        const t = m.length ? m[m.length - 1].innerText.trim() : "";
        return t.split("🔎")[0].trim().length > 0 && !t.includes("Sources")
            && document.querySelector("#stop-button") !== null; }})()""",
        timeout=LLM_TIMEOUT_MS,
    )
    text = finish(page, 0, LLM_TIMEOUT_MS).inner_text()
    assert CITATION.search(text), text
    # any correct answer, whichever sentences the model writes: Africa, and the Africa
    # article among the listed sources
    assert "Africa" in text and "目标非洲" in text.split("Sources")[-1], text
