"""Who may use the chat UI: password logins, a trusted proxy header, or nobody on loopback.

Authentication is on whenever users are configured (users file, RAG_UI_USERS) or a trusted
header is named (RAG_UI_AUTH_HEADER). Without either the UI is open, which is allowed only
on a loopback address: `startup_problem` says how to configure it otherwise.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from ui.users import Account, Directory, valid_name

SECRET_ENV = "CHAINLIT_AUTH_SECRET"
SECRET_FILE = "chainlit_auth_secret"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the UI on this machine."""
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


@dataclass(frozen=True)
class AuthPlan:
    """Which login methods the server offers."""

    password: bool
    header: str | None

    @property
    def required(self) -> bool:
        return self.password or self.header is not None


def plan(settings: Settings) -> AuthPlan:
    """The login methods the settings configure (raises ValueError on a broken users list)."""
    has_users = bool(Directory(settings).accounts())
    header = (settings.ui_auth_header or "").strip() or None
    return AuthPlan(password=has_users, header=header)


def startup_problem(settings: Settings, host: str) -> str | None:
    """Why the UI must not start on `host` (one line), or None when it may."""
    try:
        auth = plan(settings)
    except ValueError as exc:
        return f"Error: {exc}"
    if auth.required or is_loopback(host):
        return None
    return (
        f"Error: the chat UI would be open to anyone on {host}; add a user with "
        "`python -m ui.users add NAME` (or set RAG_UI_USERS, or RAG_UI_AUTH_HEADER behind an "
        "authenticating proxy), or bind to 127.0.0.1"
    )


def ensure_secret(data_dir: Path) -> None:
    """Chainlit signs login tokens with CHAINLIT_AUTH_SECRET: when unset, use one kept in the
    data folder (created once, owner-readable only), so logins survive a restart."""
    if os.environ.get(SECRET_ENV):
        return
    path = data_dir / SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    os.environ[SECRET_ENV] = path.read_text().strip()


def password_user(directory: Directory, name: str, password: str) -> Account | None:
    """The account for a login form submission, or None (wrong name or password)."""
    return directory.check(name.strip(), password)


def header_user(header_value: str | None) -> str | None:
    """The user name a trusted proxy put in the header, or None when missing or malformed."""
    name = (header_value or "").strip()
    return name if valid_name(name) else None
