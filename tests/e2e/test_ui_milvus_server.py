"""The chat UI on a real Milvus standalone server: the team's setting (`RAG_STORE=milvus`,
`RAG_MILVUS_URI=http://…`) and nothing else changed. The corpus is ingested through the CLI
as `make run` does, then an article uploaded in the browser becomes answerable, with its
rows in the server's collection."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ASSISTANT, chat_server
from tests.e2e.pages import ask, open_chat
from tests.e2e.test_ui import CITATION, NAIROBI_ARTICLE
from tests.integration.test_milvus_server import milvus_server  # noqa: F401 (the fixture)
from tests.integration.test_store_contract import _env, backend_settings

pytestmark = [pytest.mark.e2e, pytest.mark.server, pytest.mark.slow]


def test_an_upload_in_the_browser_is_answerable_from_the_milvus_server(
    milvus_server: str,  # noqa: F811
    page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    corpus_copy: Path,
) -> None:
    settings = backend_settings("milvus-server", milvus_server, tmp_path, corpus_copy)
    env = {**_env(settings), "RAG_LLM_BACKEND": "extractive", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-m", "rag.cli", "ingest"], env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    store_env = {k: env[k] for k in ("RAG_STORE", "RAG_MILVUS_URI", "RAG_MILVUS_COLLECTION")}
    with chat_server(settings.data_dir, "extractive", corpus_copy, store_env, "milvus") as server:
        open_chat(page, server.url)
        article = tmp_path / "nairobi-store.md"
        article.write_text(NAIROBI_ARTICLE, encoding="utf-8")
        page.set_input_files("#upload-button-input", str(article))
        page.locator("#attachments").get_by_text("nairobi-store.md").wait_for()
        page.click("#chat-submit")
        expect(page.locator(ASSISTANT).last).to_contain_text(
            "Indexed 1 new article", timeout=180_000
        )
        answer = ask(page, "Where did Xiaomi open a flagship store?")
        assert "Nairobi" in answer.inner_text()
        assert CITATION.search(answer.inner_text())

    from pymilvus import MilvusClient

    rows = MilvusClient(uri=milvus_server).query(
        f"{settings.milvus_collection}_chunks", filter='id != ""', output_fields=["article_id"],
        consistency_level="Session",
    )  # fmt: skip
    assert any("nairobi" in r["article_id"] for r in rows), (
        "the upload's passages are on the server"
    )
