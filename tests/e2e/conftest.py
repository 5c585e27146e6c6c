"""Fixtures for the browser tests: a real index, the real Chainlit server, headless Chromium.

The server runs `python -m chainlit run ui/app.py --headless` from the repo root (where
`.chainlit/config.toml` and `chainlit.md` live; the `.files/` it writes there is
git-ignored), on a free loopback port, against an index built in a temp folder.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import pytest

from tests.conftest import CORPUS, REPO, make_settings
from ui.launch import ServerError, chat_ui

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = REPO / "test-artifacts"
ASSISTANT = "[data-step-type='assistant_message']"


class Server(NamedTuple):
    url: str
    data_dir: Path


@contextmanager
def chat_server(
    data_dir: Path,
    backend: str,
    corpus: Path = CORPUS,
    env: dict[str, str] | None = None,
    name: str | None = None,
) -> Iterator[Server]:
    """Run the real chat server on a free port over `data_dir` (more RAG_* in `env`)."""
    ARTIFACTS.mkdir(exist_ok=True)
    full_env = {
        "RAG_DATA_DIR": str(data_dir),
        "RAG_CORPUS_DIR": str(corpus),
        "RAG_LLM_BACKEND": backend,
        **(env or {}),
    }
    try:
        with chat_ui(full_env, ARTIFACTS / f"e2e-server-{name or backend}.log") as url:
            yield Server(url, data_dir)
    except ServerError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def index_template(tmp_path_factory: pytest.TempPathFactory, embedder) -> Path:  # type: ignore[no-untyped-def]
    """A data folder holding a real index of the repo's corpus, built once per module."""
    from rag.ingest import ingest

    root = tmp_path_factory.mktemp("e2e-index")
    settings = make_settings(root, corpus=CORPUS)
    report = ingest(settings, embedder)
    assert report.articles >= 2, report
    return settings.data_dir


def data_copy(template: Path, tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A private copy of the data folder, so servers do not see each other's uploads."""
    target = tmp_path_factory.mktemp(name) / ".rag"
    shutil.copytree(template, target)
    return target


@pytest.fixture(scope="module")
def server(index_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The chat server with the fast extractive answer engine."""
    with chat_server(data_copy(index_template, tmp_path_factory, "extractive"), "extractive") as s:
        yield s


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (never `playwright install`)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
            "(`apt-get install -y chromium chromium-driver`, done by `make test`)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser page (a new chat session); screenshot saved if the test fails."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    new_page = context.new_page()
    yield new_page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        new_page.screenshot(path=str(ARTIFACTS / f"failed-{request.node.name}.png"), full_page=True)
    context.close()
