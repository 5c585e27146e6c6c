"""Asking: `rag search`, `rag ask` and `rag chat`."""

from __future__ import annotations

from datetime import datetime

import click

from rag.cli.main import open_assistant, search_filters, with_filters
from rag.cli.output import print_answer, print_hit, stream_answer


@click.command()
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
    hits = open_assistant(ctx).search(query, top_k, search_filters(source, since, until))
    if as_json:
        click.echo("[" + ",\n".join(h.model_dump_json() for h in hits) + "]")
        return
    if not hits:
        click.echo("No passages match (check the filters).")
    for hit in hits:
        print_hit(hit)


@click.command()
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
@click.option(
    "--stream",
    is_flag=True,
    help="Show the passages as soon as they are found and the answer as it is written, "
    "then the verified answer with its sources.",
)
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
    stream: bool,
) -> None:
    """Answer QUESTION from the articles, citing sources as [n]."""
    assistant = open_assistant(ctx, llm_backend=backend)
    filters = search_filters(source, since, until)
    if stream and not as_json:
        from rag import language_of

        items = assistant.stream(question, k=top_k, filters=filters, sources=True)
        stream_answer(items, language_of(question))
        return
    answer = assistant.ask(question, k=top_k, filters=filters)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@click.command()
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
    """Interactive chat in the terminal: the passages found, the answer as it is written,
    then the verified answer with its sources."""
    from rag import language_of
    from rag.errors import InputError

    session = open_assistant(ctx, llm_backend=backend).chat(search_filters(source, since, until))
    click.echo("Ask about the articles (empty line or Ctrl-D to quit).")
    while True:
        try:
            question = input("\n> ")
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        try:
            stream_answer(session.stream(question, sources=True), language_of(question))
        except InputError as exc:
            click.echo(f"error: {exc}", err=True)
