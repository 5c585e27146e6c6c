"""The `rag` group: settings from the command line and RAG_* variables, our errors as one
line, and the helpers every command shares. Heavy modules are imported inside commands so
that `rag --help` stays fast."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rag import Assistant, SearchFilters
    from rag.config import Settings


def settings_from(ctx: click.Context) -> Settings:
    from pydantic import ValidationError

    from rag.config import Settings

    overrides = {k: v for k, v in ctx.obj.items() if v is not None}
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise click.ClickException(f"invalid setting {where}: {first['msg']}") from exc


class RagGroup(click.Group):
    """Turns our errors into one line and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from rag.errors import RagError

        try:
            return super().invoke(ctx)
        except RagError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=RagGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Index and data folder [env RAG_DATA_DIR; default .rag].",
)
@click.option(
    "--corpus-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder ingested by default [env RAG_CORPUS_DIR; default corpus].",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, corpus_dir: Path | None) -> None:
    """Ask questions about news articles; answers cite their sources as [n].

    Settings come from RAG_* environment variables and an optional rag.toml.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ctx.obj = {"data_dir": data_dir, "corpus_dir": corpus_dir}


def open_assistant(ctx: click.Context, **overrides: Any) -> Assistant:
    from rag import Assistant

    settings = settings_from(ctx)
    if overrides:
        settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    return Assistant.open(settings)


def search_filters(
    source: tuple[str, ...], since: datetime | None, until: datetime | None
) -> SearchFilters:
    from rag import SearchFilters

    return SearchFilters(sources=list(source), published_after=since, published_before=until)


filter_options = [
    click.option("--source", multiple=True, help="Only this outlet (repeatable)."),
    click.option("--since", type=click.DateTime(), default=None, help="Published on or after."),
    click.option("--until", type=click.DateTime(), default=None, help="Published on or before."),
]


def with_filters(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(filter_options):
        func = option(func)
    return func
