"""How the `rag` command line shows ingest reports, passages and answers in a terminal."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rag.models import Answer, Hit, IngestReport


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
