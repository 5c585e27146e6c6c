"""Chat UI accounts: salted hashes, the users file, RAG_UI_USERS, `python -m ui.users`."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from rag.config import Settings
from ui import users
from ui.users import Account, Directory, hash_password, load_file, save_file, verify_password


def test_hashes_are_salted_and_verify_only_the_right_password() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")
    assert "correct horse" not in first
    assert verify_password("correct horse", first) and verify_password("correct horse", second)
    assert not verify_password("wrong horse", first)
    assert not verify_password("correct horse", "scrypt$broken")
    assert not verify_password("correct horse", "md5$x$y$z$a$b")


def test_users_file_round_trip_is_private(tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    save_file(path, {"alice": Account("alice", hash_password("pw-alice-1"), admin=True)})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_file(path)
    assert loaded["alice"].admin and verify_password("pw-alice-1", loaded["alice"].hash)
    assert load_file(tmp_path / "missing.json") == {}
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="not a users file"):
        load_file(tmp_path / "bad.json")


def test_directory_combines_file_env_and_admins(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        ui_users=f"bob:{hash_password('pw-bob-22')}",
        ui_admins="carol, bob",
    )
    save_file(tmp_path / "users.json", {"alice": Account("alice", hash_password("pw-alice-1"))})
    directory = Directory(settings)
    assert directory.check("alice", "pw-alice-1") is not None
    assert directory.check("alice", "pw-bob-22") is None
    assert directory.check("bob", "pw-bob-22") is not None
    assert directory.check("nobody", "pw-alice-1") is None
    assert directory.is_admin("bob") and not directory.is_admin("alice")


def test_env_users_must_be_hashes() -> None:
    with pytest.raises(ValueError, match=r"python -m ui\.users hash"):
        users.parse_env_users("alice:plain-password")
    assert users.parse_env_users("") == {}


def test_reserved_and_odd_names_are_refused() -> None:
    assert users.valid_name("alice.b@example.com")
    assert not users.valid_name("anonymous") and not users.valid_name("Anonymous")
    assert (
        not users.valid_name("a b") and not users.valid_name("") and not users.valid_name("x" * 65)
    )


def test_cli_adds_a_user_without_showing_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": "s3cret-password")
    assert users.main(["add", "alice", "--admin"]) == 0
    out = capsys.readouterr().out
    assert "s3cret-password" not in out and "alice" in out
    account = load_file(tmp_path / "users.json")["alice"]
    assert account.admin and verify_password("s3cret-password", account.hash)
    assert "s3cret-password" not in (tmp_path / "users.json").read_text()

    users.main(["list"])
    assert "alice (admin)" in capsys.readouterr().out
    users.main(["remove", "alice"])
    assert load_file(tmp_path / "users.json") == {}


def test_cli_refuses_short_or_mismatched_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": "short")
    with pytest.raises(SystemExit, match="at least"):
        users.main(["add", "alice"])
    answers = iter(["long-enough-1", "long-enough-2"])
    monkeypatch.setattr(users.getpass, "getpass", lambda prompt="": next(answers))
    with pytest.raises(SystemExit, match="differ"):
        users.main(["add", "alice"])
    assert not (tmp_path / "users.json").exists()
