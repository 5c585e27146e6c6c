"""Accounts, stored conversations and guarded uploads, through the real login form.

One server (extractive engine) with three password users and a trusted proxy header, small
upload and question limits; a second pair of servers over one data folder for the restart.
The database is the real `<data_dir>/chat.db` the server writes.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, ASSISTANT, Server, chat_server, data_copy
from tests.e2e.pages import ask, finish, open_chat
from ui.users import Account, hash_password, save_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22", "carol": "carol-secret-333"}
PROXY_HEADER = "X-Test-User"
AFRICA = "What is Xiaomi's Africa strategy?"
CITATION = re.compile(r"\[\d+\]")
NAIROBI = """---
id: xiaomi-nairobi-2026-03-12
title: Xiaomi opens flagship store in Nairobi
source: Test Wire
published: '2026-03-12T09:00:00'
---

Xiaomi opened a flagship store in Nairobi, Kenya in March 2026. The store on Kimathi Street
is the company's largest in East Africa and sells phones, tablets and smart home products.
"""
LIMITS = {
    "RAG_UPLOAD_MAX_FILE_MB": "0.02",  # 20 KB
    "RAG_QUESTIONS_PER_MINUTE": "3",
    "RAG_UI_AUTH_HEADER": PROXY_HEADER,
}


def add_users(data_dir: Path) -> None:
    accounts = {n: Account(n, hash_password(p)) for n, p in PASSWORDS.items()}
    save_file(data_dir / "users.json", accounts)


def query(data_dir: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(data_dir / "chat.db")) as db:
        return db.execute(sql, args).fetchall()


def login(page, url: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Log in through Chainlit's login form and wait for the connected chat."""
    page.goto(url)
    page.fill("#email", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type='submit']")
    page.wait_for_selector("#chat-settings-open-modal")


def new_page(browser, **options):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    context.set_default_timeout(30_000)
    return context.new_page()


def attach(page, *files: Path, expecting: str) -> str:  # type: ignore[no-untyped-def]
    """Attach files with the paperclip, send them, and return the report's text once it
    says `expecting` (the progress message turns into the report)."""
    before = page.locator(ASSISTANT).count()
    page.set_input_files("#upload-button-input", [str(f) for f in files])
    for f in files:
        page.locator("#attachments").get_by_text(f.name).wait_for()
    page.click("#chat-submit")
    report = finish(page, before, 120_000)
    expect(report).to_contain_text(expecting, timeout=120_000)
    return str(report.inner_text())


@pytest.fixture(scope="module")
def accounts_server(
    index_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:  # type: ignore[no-untyped-def]
    data_dir = data_copy(index_template, tmp_path_factory, "accounts")
    add_users(data_dir)
    with chat_server(data_dir, "extractive", env=LIMITS, name="accounts") as server:
        yield server


def test_login_form_refuses_a_wrong_password(accounts_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    page.goto(accounts_server.url)
    page.fill("#email", "alice")
    page.fill("#password", "not-her-password")
    with page.expect_response(lambda r: r.url.endswith("/login")) as response:
        page.click("button[type='submit']")
    assert response.value.status == 401
    page.get_by_text("Unable to sign in").first.wait_for()
    assert page.locator("#chat-input").count() == 0
    login(page, accounts_server.url, "alice")
    server_log = (ARTIFACTS / "e2e-server-accounts.log").read_text(errors="replace")
    assert "not-her-password" not in server_log and "scrypt$" not in server_log
    assert PASSWORDS["alice"] not in server_log


def test_history_after_reload_with_feedback_in_the_database(accounts_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    login(page, accounts_server.url, "alice")
    answer = ask(page, AFRICA)
    assert CITATION.search(answer.inner_text())
    answer.hover()
    answer.locator("button.positive-feedback-off").click()
    page.click("#submit-feedback")
    page.locator(".positive-feedback-on").wait_for()

    page.goto(accounts_server.url)  # a reload: a new chat, the old one in the sidebar
    page.wait_for_selector("#chat-settings-open-modal")
    page.locator("#thread-history").get_by_text(AFRICA).first.click()
    resumed = page.locator(ASSISTANT).last
    expect(resumed).to_contain_text("Sources")
    resumed.locator("a.element-link").first.click()  # the stored citation panel
    expect(page.locator("#side-view-content")).to_contain_text("Xiaomi")

    data = accounts_server.data_dir
    threads = query(data, 'SELECT "userIdentifier", "name" FROM threads')
    assert ("alice", AFRICA) in threads, threads
    votes = query(
        data, 'SELECT f."value", s."type" FROM feedbacks f JOIN steps s ON s."id" = f."forId"'
    )
    assert votes and votes[0][0] == 1, votes
    lines = [json.loads(x) for x in (data / "feedback.jsonl").read_text().splitlines()]
    assert lines[-1]["value"] == "up" and lines[-1]["user"] == "alice", lines[-1]
    assert lines[-1]["question"] == AFRICA and lines[-1]["citations"]


def test_uploads_are_checked_and_private_to_their_uploader(  # type: ignore[no-untyped-def]
    accounts_server: Server, browser, page, tmp_path: Path
) -> None:
    big = tmp_path / "big-report.md"
    big.write_text("# Big report\n\n" + "Xiaomi sells phones in Africa. " * 1200, encoding="utf-8")
    fake = tmp_path / "fake.pdf"
    fake.write_text("This is plain text pretending to be a PDF.", encoding="utf-8")
    nairobi = tmp_path / "nairobi-store.md"
    nairobi.write_text(NAIROBI, encoding="utf-8")

    login(page, accounts_server.url, "bob")
    report = attach(page, big, fake, expecting="Nothing was indexed")
    assert re.search(r"big-report.md: the file is \d+ KB, larger than the 20 KB limit", report)
    assert "fake.pdf: the content is not a PDF" in report, report

    report = attach(page, nairobi, expecting="Indexed 1 new article")
    assert "only in your own" in report, report
    answer = ask(page, "Where did Xiaomi open a flagship store?")
    assert "Nairobi" in answer.inner_text() and CITATION.search(answer.inner_text())

    other = new_page(browser)
    login(other, accounts_server.url, "alice")
    elsewhere = ask(other, "Where did Xiaomi open a flagship store?").inner_text()
    assert "Nairobi" not in elsewhere, elsewhere
    other.context.close()

    rows = query(
        accounts_server.data_dir, "SELECT user, file_name, size, outcome, stored_as FROM uploads"
    )
    outcomes = {name: (user, outcome) for user, name, _, outcome, _ in rows}
    assert outcomes["nairobi-store.md"] == ("bob", "indexed"), rows
    assert outcomes["fake.pdf"][1].startswith("rejected: the content is not a PDF"), rows
    assert outcomes["big-report.md"][1].startswith("rejected: the file is"), rows
    stored = Path(next(r[4] for r in rows if r[1] == "nairobi-store.md"))
    assert stored.exists() and stored.parent.name.startswith("bob-"), stored


def test_question_rate_limit_is_explained(accounts_server: Server, page) -> None:  # type: ignore[no-untyped-def]
    login(page, accounts_server.url, "carol")
    for _ in range(3):
        ask(page, AFRICA)
    refused = ask(page, AFRICA).inner_text()
    assert "You have asked 3 questions in the last minute" in refused, refused
    assert "Please wait" in refused


def test_trusted_proxy_header_logs_in(accounts_server: Server, browser) -> None:  # type: ignore[no-untyped-def]
    page = new_page(browser, extra_http_headers={PROXY_HEADER: "dave"})
    try:
        open_chat(page, accounts_server.url)
        page.locator("#user-nav-button").click()
        expect(page.get_by_text("dave").first).to_be_visible()
    finally:
        page.context.close()


def test_history_survives_a_server_restart(  # type: ignore[no-untyped-def]
    index_template: Path, tmp_path_factory: pytest.TempPathFactory, page
) -> None:
    data_dir = data_copy(index_template, tmp_path_factory, "restart")
    add_users(data_dir)
    with chat_server(data_dir, "extractive", name="restart-1") as first:
        login(page, first.url, "alice")
        assert CITATION.search(ask(page, AFRICA).inner_text())
        page.wait_for_url(re.compile(r"/thread/"))
    assert (data_dir / "chat.db").exists()
    with chat_server(data_dir, "extractive", name="restart-2") as second:
        open_chat(page, second.url)  # still logged in: the signing secret is in data_dir
        page.locator("#thread-history").get_by_text(AFRICA).first.click()
        resumed = page.locator(ASSISTANT).last
        expect(resumed).to_contain_text("Sources")
        assert CITATION.search(resumed.inner_text())
