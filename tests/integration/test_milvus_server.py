"""The store contract against a real Milvus standalone server (the `milvus` wheel's
binary, embedded etcd and rocksmq), started on loopback for this module and stopped after.
Milvus 2.3 has no BM25: the store's keyword side index serves keyword search there."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.models import Answer
from tests.conftest import AFRICA_FACTS, AFRICA_ID, AFRICA_Q, LIVESTREAM_ID, cited_facts
from tests.integration.test_store_contract import (  # noqa: F401 (collected here too)
    _env,
    backend_settings,
    test_a_manifest_built_with_other_settings_is_refused,
    test_an_ingest_killed_mid_way_changes_nothing_and_resumes,
    test_ingest_search_filters_private_rows_delete_and_reopen,
)

pytestmark = [pytest.mark.integration, pytest.mark.server, pytest.mark.slow]
PORT = 19530


@pytest.fixture(scope="module")
def milvus_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("pymilvus")
    milvus = pytest.importorskip("milvus", reason="pip install 'milvus==2.3.5' (extra milvus)")
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            pytest.skip(f"something already listens on 127.0.0.1:{PORT}")
    server = milvus.default_server
    server.set_base_dir(str(tmp_path_factory.mktemp("milvus-server")))
    server.listen_port = PORT
    server.start()
    try:
        yield f"http://127.0.0.1:{PORT}"
    finally:
        server.stop()


@pytest.fixture
def backend(milvus_server: str) -> str:
    return "milvus-server"


@pytest.fixture
def milvus_uri(milvus_server: str) -> str:
    return milvus_server


def test_the_server_is_milvus_2_3(milvus_uri: str, tmp_path: Path) -> None:
    from pymilvus import MilvusClient

    assert MilvusClient(uri=milvus_uri).get_server_version().startswith("v2.3")


def test_the_cli_on_the_server_ingests_answers_with_citations_and_deletes(
    milvus_uri: str, tmp_path: Path, corpus_copy: Path
) -> None:
    """What a team does with the URI set: `rag ingest`, `rag ask` (the demo question, its
    facts cited to the Africa article), a deleted article gone from the answers."""
    settings = backend_settings("milvus-server", milvus_uri, tmp_path, corpus_copy)
    env = {**_env(settings), "RAG_LLM_BACKEND": "extractive", "HF_HUB_OFFLINE": "1"}

    def rag(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "rag.cli", *args], env=env,
                              capture_output=True, text=True, timeout=600)  # fmt: skip
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    rag("ingest")
    answer = Answer.model_validate_json(rag("ask", AFRICA_Q, "--json"))
    assert not answer.refused and {c.article_id for c in answer.citations} == {AFRICA_ID}
    assert len(cited_facts(answer, AFRICA_FACTS, AFRICA_ID)) >= 2, answer.text
    followers = "How many followers did Lei Jun lose?"
    assert "290,000" in Answer.model_validate_json(rag("ask", followers, "--json")).text

    (corpus_copy / "2026-01-08-lei-jun-livestreams.md").unlink()
    rag("ingest")
    after = Answer.model_validate_json(rag("ask", followers, "--json"))
    assert LIVESTREAM_ID not in {c.article_id for c in after.citations}
    assert "290,000" not in after.text
    assert json.loads(rag("stats", "--json"))["articles"] == 1
