"""The `rag` command line: thin commands over the Assistant facade.

Heavy modules are imported inside commands so that `rag --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rag.cli_output import date_text, print_answer, print_hit, print_report
from rag.progress import tqdm_progress

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.config import Settings


def _settings(ctx: click.Context) -> Settings:
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


def _open(ctx: click.Context, **overrides: Any) -> Assistant:
    from rag.assistant import Assistant

    settings = _settings(ctx)
    if overrides:
        settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    return Assistant.open(settings)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--rebuild", is_flag=True, help="Rebuild from scratch (after changing model or chunking)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Index articles under PATHS (default: the corpus folder), incrementally."""
    from rag.assistant import Assistant

    settings = _settings(ctx)
    assistant = Assistant.open(settings, allow_empty=True)
    try:
        report = assistant.ingest(list(paths) or None, rebuild=rebuild, progress=tqdm_progress)
    except KeyboardInterrupt:
        click.echo("\ninterrupted: the index is unchanged; run `rag ingest` again", err=True)
        ctx.exit(130)
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        print_report(report)


def _filters(source: tuple[str, ...], since: datetime | None, until: datetime | None) -> Any:
    from rag.retrieval import SearchFilters

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


@cli.command()
@click.argument("query")
@click.option("-k", "--top-k", type=click.IntRange(1, 100), default=5, show_default=True)
@with_filters
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    top_k: int,
    source: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    as_json: bool,
) -> None:
    """Show the passages that best match QUERY, with their hybrid-search scores."""
    hits = _open(ctx).search(query, top_k, _filters(source, since, until))
    if as_json:
        click.echo("[" + ",\n".join(h.model_dump_json() for h in hits) + "]")
        return
    if not hits:
        click.echo("No passages match (check the filters).")
    for hit in hits:
        print_hit(hit)


@cli.command()
@click.argument("question")
@click.option("-k", "--top-k", type=click.IntRange(1, 50), default=None, help="Passages to use.")
@with_filters
@click.option(
    "--backend",
    type=click.Choice(["llamacpp", "openai", "extractive"]),
    default=None,
    help="Answer backend [env RAG_LLM_BACKEND].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON.")
@click.pass_context
def ask(
    ctx: click.Context,
    question: str,
    top_k: int | None,
    source: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    backend: str | None,
    as_json: bool,
) -> None:
    """Answer QUESTION from the articles, citing sources as [n]."""
    assistant = _open(ctx, llm_backend=backend)
    answer = assistant.ask(question, k=top_k, filters=_filters(source, since, until))
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@cli.command()
@click.option(
    "--backend",
    type=click.Choice(["llamacpp", "openai", "extractive"]),
    default=None,
    help="Answer backend [env RAG_LLM_BACKEND].",
)
@with_filters
@click.pass_context
def chat(
    ctx: click.Context,
    backend: str | None,
    source: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
) -> None:
    """Interactive chat in the terminal: streamed answers, sources after each one."""
    from rag.errors import InputError
    from rag.models import Answer

    session = _open(ctx, llm_backend=backend).chat(_filters(source, since, until))
    click.echo("Ask about the articles (empty line or Ctrl-D to quit).")
    while True:
        try:
            question = input("\n> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            for item in session.stream(question):
                if isinstance(item, Answer):
                    click.echo("\n")
                    print_answer(item)
                else:
                    click.echo(item, nl=False)
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)


@cli.command()
@click.option("--host", default=None, help="Bind address [env RAG_UI_HOST; default 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [env RAG_UI_PORT; default 8000].")
@click.pass_context
def ui(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Start the chat UI (Chainlit) in the browser."""
    settings = _settings(ctx)
    app = Path(__file__).resolve().parent.parent / "ui" / "app.py"
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


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """What the index holds: articles, chunks, model, size, last ingest."""
    s = _open(ctx).stats()
    if as_json:
        click.echo(s.model_dump_json(indent=2))
        return
    click.echo(f"articles:      {s.articles}\nchunks:        {s.chunks}")
    click.echo(f"model:         {s.embedding_model} ({s.dimension} dims)")
    click.echo(f"chunking:      {s.chunk_size} word pieces, overlap {s.chunk_overlap}")
    click.echo(f"index size:    {s.index_bytes / 1024:.1f} KiB")
    click.echo(f"last ingest:   {s.last_ingest:%Y-%m-%d %H:%M:%S %Z}" if s.last_ingest else "")
    click.echo(f"outlets:       {', '.join(s.sources)}")
    click.echo(f"published:     {date_text(s.first_published)} .. {date_text(s.last_published)}")


@cli.command()
@click.option("--to", "target", type=click.Choice(["milvus", "faiss"]), required=True,
              help="The store to copy the index into.")  # fmt: skip
@click.option("--uri", default=None, help="Milvus URI of the copy [env RAG_MILVUS_URI].")
@click.option("--token", default=None, help="Milvus token of the copy [env RAG_MILVUS_TOKEN].")
@click.option(
    "--collection", default=None, help="Milvus collection prefix [env RAG_MILVUS_COLLECTION]."
)
@click.pass_context
def migrate(
    ctx: click.Context, target: str, uri: str | None, token: str | None, collection: str | None
) -> None:
    """Copy the index (chunks, passage and sentence vectors, article records) into another
    store without re-embedding; then set RAG_STORE (and RAG_MILVUS_URI) to use it."""
    from rag.store.migrate import migrate_index

    source = _settings(ctx)
    updates = {
        "store": target,
        "milvus_uri": uri,
        "milvus_token": token,
        "milvus_collection": collection,
    }
    destination = source.model_copy(update={k: v for k, v in updates.items() if v is not None})
    copied, where = migrate_index(source, destination, progress=tqdm_progress)
    click.echo(f"copied {copied} chunks into {where}; use it with RAG_STORE={target}"
               + (f" RAG_MILVUS_URI={destination.milvus_uri}" if target == "milvus" and destination.milvus_uri else ""))  # fmt: skip


@cli.command("import-export")
@click.argument("export_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="Folder for the Markdown articles.",
)
def import_export(export_file: Path, out: Path) -> None:
    """Convert a "search export" text file into one Markdown article per entry."""
    from rag.corpus import article_to_markdown, parse_search_export
    from rag.corpus.loaders import read_text

    articles = parse_search_export(read_text(export_file), export_file)
    out.mkdir(parents=True, exist_ok=True)
    for article in articles:
        target = out / f"{article.id}.md"
        target.write_text(article_to_markdown(article), encoding="utf-8")
        click.echo(f"wrote {target}  ({article.title})")


from rag.evaluation.cli import eval_group  # noqa: E402

cli.add_command(eval_group)


def main() -> None:
    cli(prog_name="rag")


if __name__ == "__main__":
    main()
