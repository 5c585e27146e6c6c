"""When the chat UI needs a login, and the signing secret it keeps."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from rag.config import Settings
from ui.auth import SECRET_ENV, ensure_secret, header_user, is_loopback, plan, startup_problem
from ui.users import Account, hash_password, save_file


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_addresses(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.5", "example.org", "10.0.0.1"])
def test_public_addresses(host: str) -> None:
    assert not is_loopback(host)


def test_public_address_without_login_is_refused_with_one_line(tmp_path: Path) -> None:
    problem = startup_problem(Settings(data_dir=tmp_path), "0.0.0.0")
    assert problem is not None and "\n" not in problem
    assert "python -m ui.users add NAME" in problem and "RAG_UI_AUTH_HEADER" in problem
    assert startup_problem(Settings(data_dir=tmp_path), "127.0.0.1") is None


def test_users_or_a_trusted_header_allow_a_public_address(tmp_path: Path) -> None:
    assert startup_problem(Settings(data_dir=tmp_path, ui_auth_header="X-User"), "0.0.0.0") is None
    save_file(tmp_path / "users.json", {"alice": Account("alice", hash_password("pw-alice-1"))})
    settings = Settings(data_dir=tmp_path)
    assert startup_problem(settings, "0.0.0.0") is None
    assert plan(settings).password and plan(settings).required


def test_a_broken_users_file_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text("{not json")
    problem = startup_problem(Settings(data_dir=tmp_path), "127.0.0.1")
    assert problem is not None and "users file" in problem


def test_secret_is_created_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    ensure_secret(tmp_path)
    first = os.environ[SECRET_ENV]
    secret_file = tmp_path / "chainlit_auth_secret"
    assert len(first) >= 40 and stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    monkeypatch.delenv(SECRET_ENV)
    ensure_secret(tmp_path)
    assert os.environ[SECRET_ENV] == first  # kept: logins survive a restart
    monkeypatch.setenv(SECRET_ENV, "from-the-environment")
    ensure_secret(tmp_path)
    assert os.environ[SECRET_ENV] == "from-the-environment"


def test_header_names_are_validated() -> None:
    assert header_user(" dave ") == "dave"
    assert header_user(None) is None and header_user("") is None
    assert header_user("anonymous") is None and header_user("a/b") is None
