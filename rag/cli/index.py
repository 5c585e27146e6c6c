"""The index: `rag ingest`, `rag stats`, `rag migrate` and `rag import-export`."""

from __future__ import annotations

from pathlib import Path

import click

from rag.cli.main import open_assistant, settings_from
from rag.cli.output import date_text, print_report
from rag.cli.progress import tqdm_progress


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--rebuild", is_flag=True, help="Rebuild from scratch (after changing model or chunking)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def ingest(ctx: click.Context, paths: tuple[Path, ...], rebuild: bool, as_json: bool) -> None:
    """Index articles under PATHS (default: the corpus folder), incrementally."""
    from rag import Assistant

    settings = settings_from(ctx)
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


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """What the index holds: articles, chunks, model, size, last ingest."""
    s = open_assistant(ctx).stats()
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


@click.command()
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
    from rag import migrate_index

    source = settings_from(ctx)
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


@click.command("import-export")
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
    from rag import article_to_markdown, parse_search_export, read_text

    articles = parse_search_export(read_text(export_file), export_file)
    out.mkdir(parents=True, exist_ok=True)
    for article in articles:
        target = out / f"{article.id}.md"
        target.write_text(article_to_markdown(article), encoding="utf-8")
        click.echo(f"wrote {target}  ({article.title})")
