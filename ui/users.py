"""Chat UI accounts: salted password hashes in a JSON file (or RAG_UI_USERS), and a tiny CLI.

    python -m ui.users add alice [--admin]   # prompts for the password, writes the hash
    python -m ui.users remove alice
    python -m ui.users list
    python -m ui.users hash                  # prints a hash for RAG_UI_USERS="alice:<hash>"

The file (`Settings.ui_users_file`, default `<data_dir>/users.json`) holds
`{"users": {"alice": {"hash": "scrypt$...", "admin": false}}}`; passwords are never stored,
printed or logged, only their scrypt hashes (random 16-byte salt per user).
"""

from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import json
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MB and ~50 ms per check
ANONYMOUS = "anonymous"  # who uses an open (loopback, no auth) UI; never a real account
NAME = re.compile(r"^[\w.@+-]{1,64}$", re.UNICODE)
MIN_PASSWORD = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """'scrypt$n$r$p$salt$hash' of the password, with a fresh random salt."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether the password matches a hash from hash_password (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def valid_name(name: str) -> bool:
    """User names: 1-64 letters, digits and . _ @ + -; 'anonymous' is reserved."""
    return bool(NAME.match(name)) and name.lower() != ANONYMOUS


@dataclass(frozen=True)
class Account:
    name: str
    hash: str
    admin: bool = False


def users_file(settings: Settings) -> Path:
    """Where the users file is (it may not exist)."""
    return (settings.ui_users_file or settings.data_dir / "users.json").expanduser()


def load_file(path: Path) -> dict[str, Account]:
    """The accounts in a users file; none when it does not exist."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {
            name: Account(name, str(entry["hash"]), bool(entry.get("admin", False)))
            for name, entry in raw.get("users", {}).items()
        }
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        raise ValueError(f"{path} is not a users file ({exc}); fix or remove it") from exc


def save_file(path: Path, accounts: dict[str, Account]) -> None:
    """Write the users file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"users": {a.name: {"hash": a.hash, "admin": a.admin} for a in accounts.values()}}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    tmp.replace(path)


def parse_env_users(text: str) -> dict[str, Account]:
    """Accounts from 'name:hash,name:hash' (RAG_UI_USERS); malformed entries raise ValueError."""
    accounts: dict[str, Account] = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        name, sep, stored = entry.partition(":")
        if not sep or not valid_name(name) or not stored.startswith("scrypt$"):
            raise ValueError(
                f"RAG_UI_USERS entry for {name!r} is not 'name:scrypt$...' "
                "(make hashes with `python -m ui.users hash`)"
            )
        accounts[name] = Account(name, stored)
    return accounts


class Directory:
    """Who may log in and who is an admin, read fresh on each call (the file may change)."""

    def __init__(self, settings: Settings) -> None:
        self.path = users_file(settings)
        self.env_users = settings.ui_users
        self.admins = {a.strip() for a in settings.ui_admins.split(",") if a.strip()}

    def accounts(self) -> dict[str, Account]:
        return {**load_file(self.path), **parse_env_users(self.env_users)}

    def check(self, name: str, password: str) -> Account | None:
        """The account if the password is right, else None."""
        account = self.accounts().get(name)
        if account is None:
            verify_password(password, hash_password("timing"))  # same work as a real check
            return None
        return account if verify_password(password, account.hash) else None

    def is_admin(self, name: str) -> bool:
        account = self.accounts().get(name)
        return name in self.admins or bool(account and account.admin)


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    if len(first) < MIN_PASSWORD:
        raise SystemExit(f"error: the password needs at least {MIN_PASSWORD} characters")
    if getpass.getpass("Repeat the password: ") != first:
        raise SystemExit("error: the passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ui.users", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add a user or change their password")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may upload in 'admin' mode")
    commands.add_parser("remove", help="remove a user").add_argument("name")
    commands.add_parser("list", help="list the users")
    commands.add_parser("hash", help="print a password hash for RAG_UI_USERS")
    args = parser.parse_args(argv)

    if args.command == "hash":
        print(hash_password(_ask_password()))
        return 0
    path = users_file(Settings())
    accounts = load_file(path)
    if args.command == "list":
        for account in accounts.values():
            print(account.name + (" (admin)" if account.admin else ""))
        return 0
    if not valid_name(args.name):
        raise SystemExit(f"error: {args.name!r} is not a valid user name (letters, digits, ._@+-)")
    if args.command == "remove":
        if accounts.pop(args.name, None) is None:
            raise SystemExit(f"error: no user {args.name!r} in {path}")
        save_file(path, accounts)
        print(f"removed {args.name} from {path}")
        return 0
    accounts[args.name] = Account(args.name, hash_password(_ask_password()), args.admin)
    save_file(path, accounts)
    print(f"saved {args.name}{' (admin)' if args.admin else ''} to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
