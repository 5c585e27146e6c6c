"""How the `rag` command line shows ingest reports, passages and answers in a terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rag.models import Answer, Hit, IngestReport, SourcesFound


def print_report(report: IngestReport) -> None:
    click.echo(
        f"{report.articles} articles, {report.chunks} chunks in the index "
        f"(added {len(report.added)}, updated {len(report.updated)}, removed {len(report.removed)}, "
        f"unchanged {len(report.unchanged)}; {report.chunks_embedded} chunks and "
        f"{report.sentences_embedded} sentences embedded "
        f"in {report.seconds:.1f} s)"
    )
    for line in report.duplicates:
        click.echo(f"duplicate, indexed once: {line}")
    for line in report.skipped:
        click.echo(f"skipped: {line}", err=True)


def date_text(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "date unknown"


def print_hit(hit: Hit) -> None:
    c = hit.chunk
    click.echo(
        click.style(f"{hit.rank}. {hit.score:.3f}  {c.title}", bold=True)
        + f" — {c.source}, {date_text(c.published)}  [{c.article_id}]"
    )
    click.echo(
        f"   fused {hit.fused:+.2f} (passage cosine {hit.score:.2f}, best sentence "
        f"{hit.sentence:.2f}, BM25 {hit.keyword:.2f})"
    )
    click.echo("   " + " ".join(c.text.split())[:300] + "\n")


def print_answer(answer: Answer) -> None:
    """The answer text, then its numbered sources (or the closest passages on refusal),
    labelled in the question's language."""
    from rag import language_of, say

    lang = language_of(answer.question)
    click.echo(answer.text)
    if answer.notice:
        click.echo(click.style(f"{say('note', lang)}: {answer.notice}", fg="yellow"), err=True)
    if answer.citations:
        click.echo(f"\n{say('sources', lang)}:")
        for c in answer.citations:
            click.echo(f"[{c.n}] {c.title} — {c.source}, {date_text(c.published)}")
            click.echo(f'    "{c.quote}"')
    elif answer.hits:
        click.echo(f"\n{say('closest', lang)}:")
        for hit in answer.hits[:3]:
            print_hit(hit)


def print_found(found: SourcesFound, language: str) -> None:
    """The passages the answer is being written from, as soon as they are chosen, numbered
    as the streamed answer cites them."""
    from rag import say

    click.echo(click.style(say("reading", language), dim=True))
    for n, (hit, quote) in enumerate(zip(found.hits, found.quotes, strict=True), start=1):
        c = hit.chunk
        click.echo(click.style(f"[{n}] {c.title} — {c.source}, {date_text(c.published)}", dim=True))
        click.echo(click.style(f"    {' '.join(quote.split())[:200]}", dim=True))
    click.echo()


def stream_answer(items: Iterator[str | SourcesFound | Answer], language: str) -> Answer:
    """Print what a stream yields as it comes (the passages found, the answer being
    written), then the verified answer with its sources; return that answer."""
    from rag.models import Answer, SourcesFound

    for item in items:
        if isinstance(item, Answer):
            click.echo("\n")
            print_answer(item)
            return item
        if isinstance(item, SourcesFound):
            print_found(item, language)
        else:
            click.echo(item, nl=False)
    raise RuntimeError("the answer stream ended without an answer")
