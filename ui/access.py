"""Who is using the chat: the startup check, the login callbacks, the session's user.

`configure()` runs once when Chainlit loads ui/app.py, before it serves anything: it exits
with one line when the UI would be open to the network, keeps Chainlit's signing secret in
the data folder, registers the login methods the settings ask for, and adds the route that
serves stored citation panels.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sys
from dataclasses import dataclass
from typing import Any

import chainlit as cl
from chainlit.config import config as chainlit_config

from rag.config import Settings
from ui.auth import (
    AuthPlan,
    ensure_secret,
    header_user,
    is_loopback,
    password_user,
    plan,
    startup_problem,
)
from ui.chat_db import db_path
from ui.history import add_element_route
from ui.users import ANONYMOUS, Directory

log = logging.getLogger("rag.ui")


@dataclass(frozen=True)
class Access:
    settings: Settings | None  # None: the settings are invalid (the welcome screen says why)
    auth: AuthPlan
    directory: Directory | None


def configure() -> Access:
    """Check the address and logins, then set Chainlit up for them (exits on a problem)."""
    host = chainlit_config.run.host
    try:
        settings = Settings()
    except Exception as exc:
        if not is_loopback(host):
            sys.exit(f"Error: invalid settings: {exc}".splitlines()[0])
        return Access(None, AuthPlan(password=False, header=None), None)
    if problem := startup_problem(settings, host):
        sys.exit(problem)
    auth = plan(settings)
    directory = Directory(settings)
    if auth.required:
        ensure_secret(settings.data_dir)
    if auth.password:
        register_password_login(directory)
    if auth.header:
        register_header_login(auth.header)
    sync_upload_limits(settings)
    add_element_route(db_path(settings))
    log.info("chat UI on %s: password logins %s, header %s", host, auth.password, auth.header)
    return Access(settings, auth, directory)


def register_password_login(directory: Directory) -> None:
    @cl.password_auth_callback
    async def password_login(username: str, password: str) -> cl.User | None:
        """A login form submission: the account, or None (Chainlit says the login failed)."""
        account = await asyncio.to_thread(password_user, directory, username, password)
        if account is None:
            log.info("failed login for %r", username[:64])
            return None
        return cl.User(identifier=account.name, metadata={"provider": "password"})


def register_header_login(header: str) -> None:
    @cl.header_auth_callback
    async def header_login(headers: Any) -> cl.User | None:
        """The user a trusted reverse proxy names in the header."""
        name = header_user(headers.get(header))
        return cl.User(identifier=name, metadata={"provider": "header"}) if name else None


def sync_upload_limits(settings: Settings) -> None:
    """The browser's own limits (config.toml) follow ours, a little looser, so that a file
    slightly too big still reaches the server and gets our clear message."""
    spec = chainlit_config.features.spontaneous_file_upload
    if spec is not None:
        spec.max_files = settings.upload_max_files
        spec.max_size_mb = math.ceil(settings.upload_max_file_mb) + 1


def current_user() -> str | None:
    """The logged-in user's name; None in an open (loopback, no login) UI."""
    user = cl.user_session.get("user")
    return str(user.identifier) if user is not None else None


def searcher() -> str:
    """Whose private uploads this session searches and owns (anonymous sessions share)."""
    return current_user() or ANONYMOUS


def rate_key() -> str:
    """Whose limits apply: the user, or for anonymous use this browser session."""
    return current_user() or f"{ANONYMOUS}:{cl.context.session.id}"
