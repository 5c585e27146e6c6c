"""The store contract against a real Milvus standalone server (the `milvus` wheel's
binary, embedded etcd and rocksmq), started on loopback for this module and stopped after.
Milvus 2.3 has no BM25: the store's keyword side index serves keyword search there."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_store_contract import (  # noqa: F401 (collected here too)
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
