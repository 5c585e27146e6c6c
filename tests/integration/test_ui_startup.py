"""`rag ui` and `chainlit run ui/app.py`: they refuse a public address without logins, and
load the models as the server starts, before anyone opens the page."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO
from ui.launch import free_port, wait_for_http
from ui.users import Account, hash_password, save_file

pytestmark = pytest.mark.integration
RAG = Path(sys.executable).parent / "rag"


def env(data_dir: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "CHAINLIT_"))}
    return {**clean, "RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}


@pytest.mark.parametrize("via", ["chainlit", "rag"])
def test_public_address_without_users_is_refused(tmp_path: Path, via: str) -> None:
    port = str(free_port())
    command = (
        [sys.executable, "-m", "chainlit", "run", "ui/app.py", "--headless"]
        if via == "chainlit"
        else [str(RAG), "ui"]
    )
    done = subprocess.run(
        [*command, "--host", "0.0.0.0", "--port", port],
        cwd=REPO, env=env(tmp_path / ".rag"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    message = done.stderr.strip().splitlines()[-1]
    assert message.startswith("Error: the chat UI would be open to anyone on 0.0.0.0")
    assert "python -m ui.users add NAME" in message


def test_public_address_with_users_starts_and_keeps_its_secret(tmp_path: Path) -> None:
    data_dir = tmp_path / ".rag"
    save_file(data_dir / "users.json", {"alice": Account("alice", hash_password("pw-alice-1"))})
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "chainlit", "run", "ui/app.py", "--headless",
               "--host", "0.0.0.0", "--port", str(port)]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env(data_dir), stdout=out, stderr=out)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", proc, log, 120)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    secret = (data_dir / "chainlit_auth_secret").read_text()
    assert len(secret) >= 40 and secret not in log.read_text()
    assert "scrypt$" not in log.read_text()


def test_the_server_loads_the_models_before_anyone_visits(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    command = [sys.executable, "-m", "chainlit", "run", "ui/app.py", "--headless",
               "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    server_env = {**env(tmp_path / ".rag"), "RAG_LLM_BACKEND": "extractive"}
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=server_env, stdout=out, stderr=out)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/health", proc, log, 120)
        deadline = time.monotonic() + 120
        while "ready to answer" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)  # nobody opens the page: only the start-up hook can load them
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert "ready to answer: models loaded in" in log.read_text(), log.read_text()[-2000:]
