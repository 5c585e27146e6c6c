"""`rag ui`: the chat UI (Chainlit) in the browser."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from rag.cli.main import settings_from


@click.command()
@click.option("--host", default=None, help="Bind address [env RAG_UI_HOST; default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env RAG_UI_PORT; default 8000].")
@click.pass_context
def ui(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Start the chat UI (Chainlit) in the browser."""
    settings = settings_from(ctx)
    app = Path(__file__).resolve().parents[2] / "ui" / "app.py"
    if not app.exists():
        raise click.ClickException(f"{app} is missing: the UI ships with the repository checkout")
    env = {
        **os.environ,
        "RAG_DATA_DIR": str(settings.data_dir.resolve()),
        "RAG_CORPUS_DIR": str(settings.corpus_dir.resolve()),
    }
    host, port = host or settings.ui_host, port or settings.ui_port
    click.echo(f"chat UI on http://{host}:{port}")
    command = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(app),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]
    os.chdir(app.parent.parent)
    os.execve(sys.executable, command, env)
