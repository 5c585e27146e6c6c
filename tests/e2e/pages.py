"""What a person does in the chat page: log in, open the chat, ask, wait for the answer."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import ASSISTANT

Page = Any  # playwright.sync_api.Page (kept loose: the e2e tests are not type-checked)


def open_chat(page: Page, url: str) -> None:
    """Load the page and wait until the session is connected.

    The settings button appears only once the socket is up and on_chat_start has sent the
    settings: typing before that would be lost.
    """
    page.goto(url)
    page.wait_for_selector("#chat-settings-open-modal")


def finish(page: Page, count_before: int, timeout_ms: int) -> Any:
    """Wait for a new assistant message and for the run to end; return the last message."""
    page.wait_for_function(
        f'document.querySelectorAll("{ASSISTANT}").length > {count_before}', timeout=timeout_ms
    )
    page.wait_for_selector("#stop-button", state="detached", timeout=timeout_ms)
    return page.locator(ASSISTANT).last


def ask(page: Page, question: str, timeout_ms: int = 60_000) -> Any:
    """Type a question, send it, and return the finished answer message."""
    before = page.locator(ASSISTANT).count()
    page.fill("#chat-input", question)
    page.click("#chat-submit")
    return finish(page, before, timeout_ms)
