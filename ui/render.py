"""Markdown for what the chat shows: welcome, starters, answers, citations, ingest reports.

Pure functions of the `rag` models (no Chainlit import), so they are easy to test and reuse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from rag import language_of, say
from rag.errors import (
    IndexLockedError,
    IndexMissingError,
    InputError,
    LLMError,
    RagError,
)
from rag.models import Answer, Citation, Hit, IndexStats, IngestReport, SourcesFound

REFUSAL_PREFIX = "⚠️ **Not in the articles.**"
# Raw HTML from an article would start a Markdown HTML block that swallows the rest of its
# line, [n] links included; as an entity it shows as text (and can never run).
TAG_OPEN = "<"
TAG_OPEN_TEXT = "&lt;"
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
MAX_STARTERS = 4
# (question, words that must all occur in the indexed text for the question to make sense)
CURATED_STARTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What is Xiaomi's Africa strategy?", ("xiaomi", "africa")),
    ("What did Lei Jun say in his live stream?", ("lei jun", "live stream")),
    ("How many followers did Lei Jun lose?", ("followers",)),
    ("What is Transsion's market share in Africa?", ("transsion", "market share")),
)


def inert(text: str) -> str:
    """Article text made safe to embed in Markdown: HTML shows as text, [n] links still work."""
    return text.replace(TAG_OPEN, TAG_OPEN_TEXT)


def article_link(url: str | None) -> str:
    """' · [open the article](url)' for a web address; nothing for other schemes."""
    if not url or not url.lower().startswith(("https://", "http://")):
        return ""
    safe = "".join(f"%{ord(c):02X}" if c in "()<> " else c for c in url)
    return f" · [open the article]({safe})"


def day(when: datetime | None) -> str:
    """A publication date as YYYY-MM-DD, or 'date unknown'."""
    return when.strftime("%Y-%m-%d") if when else "date unknown"


LOADING = "\n\n⏳ The language model is still loading: the first answer may take longer."


def welcome_markdown(
    stats: IndexStats | None, problem: str | None = None, loading: bool = False
) -> str:
    """The welcome text: what the corpus holds and how to use the assistant (and, while
    the models still load, that the first answer will take longer)."""
    if problem:
        return f"**The article index could not be opened.** {problem}"
    return _corpus_welcome(stats) + (LOADING if loading else "")


def _corpus_welcome(stats: IndexStats | None) -> str:
    if stats is None or stats.articles == 0:
        return (
            "**No articles are indexed yet.** Attach news articles (.md, .txt, .html, .pdf, "
            ".json, .jsonl) with the paperclip below: they are indexed at once and you can "
            "ask about them."
        )
    outlets = ", ".join(inert(s) for s in stats.sources[:8]) + (
        " and others" if len(stats.sources) > 8 else ""
    )
    span = f"{day(stats.first_published)} to {day(stats.last_published)}"
    noun = "article" if stats.articles == 1 else "articles"
    return (
        f"Ask me about **{stats.articles} news {noun}** from **{outlets}**, "
        f"published **{span}**. Every answer cites its sources as [1], [2]…: click a number "
        "to read the passage. When the articles do not hold the answer, I say so.\n\n"
        "Attach more articles with the paperclip; change the answer engine, the number of "
        "passages, outlets and dates with the settings button."
    )


def starter_questions(corpus_text: str, titles: Sequence[str]) -> list[str]:
    """Starter questions the corpus can answer: curated ones whose topics occur in it,
    completed with questions about the newest article titles."""
    text = corpus_text.lower()
    chosen = [q for q, words in CURATED_STARTERS if all(w in text for w in words)]
    for title in titles:
        if len(chosen) >= MAX_STARTERS:
            break
        chosen.append(f"What does the article “{title}” report?")
    return chosen[:MAX_STARTERS]


def highlight(passage: str, quote: str) -> str:
    """The passage with the supporting quote in bold (line by line, so Markdown holds)."""
    start = passage.find(quote) if quote else -1
    if start < 0:
        return tame_headings(passage)
    end = start + len(quote)
    bold = "\n".join(
        f"**{inert(line.strip())}**" if line.strip() else line for line in quote.split("\n")
    )
    return tame_headings(passage[:start]) + bold + tame_headings(passage[end:])


def tame_headings(text: str) -> str:
    """Article text for the panel: inert HTML, headings ('## Group 1') as bold lines."""
    return HEADING.sub(lambda m: f"**{m.group(1).strip()}**", inert(text))


def citation_markdown(citation: Citation) -> str:
    """The side-panel text of a citation: title, outlet, date, quote and highlighted passage."""
    link = article_link(citation.url)
    quote = inert(" ".join(citation.quote.split()))
    return (
        f"### {inert(citation.title)}\n\n"
        f"**{inert(citation.source)}** · {day(citation.published)}{link}\n\n"
        f"> {quote}\n\n"
        "---\n\n"
        f"{highlight(citation.passage, citation.quote)}\n"
    )


def hit_markdown(hit: Hit) -> str:
    """The side-panel text of a retrieved passage (shown with refusals)."""
    chunk = hit.chunk
    link = article_link(chunk.url)
    return (
        f"### {inert(chunk.title)}\n\n"
        f"**{inert(chunk.source)}** · {day(chunk.published)}{link}\n\n"
        "---\n\n"
        f"{tame_headings(chunk.text)}\n"
    )


def _source_lines(items: Iterable[tuple[int, str, str, datetime | None]]) -> str:
    """One line per article, with all its numbers: '- [1] [3] Title — Outlet, date'."""
    numbers: dict[tuple[str, str, str], list[int]] = {}
    for n, title, source, when in items:
        numbers.setdefault((title, source, day(when)), []).append(n)
    return "\n".join(
        f"- {' '.join(f'[{n}]' for n in ns)} {inert(title)} — {inert(source)}, {when}"
        for (title, source, when), ns in numbers.items()
    )


FOUND_MARK = "🔎"  # opens the list of passages shown while the answer is written
QUOTE_CHARS = 220


def sources_found_markdown(found: SourcesFound, lang: str) -> str:
    """The passages the answer is being written from, shown as soon as they are chosen:
    numbered as the streamed answer cites them, each with its best-matching sentence."""
    lines = [f"{FOUND_MARK} **{say('reading', lang)}**"]
    for n, (hit, quote) in enumerate(zip(found.hits, found.quotes, strict=True), start=1):
        c = hit.chunk
        short = " ".join(quote.split())
        short = short if len(short) <= QUOTE_CHARS else short[: QUOTE_CHARS - 1] + "…"
        lines.append(
            f"- [{n}] **{inert(c.title)}** — {inert(c.source)}, {day(c.published)}\n"
            f"  _{inert(short)}_"
        )
    return "\n".join(lines)


def streaming_markdown(streamed: str, found: str) -> str:
    """What the message shows while the answer streams: the text so far above the
    passages it is written from."""
    return f"{inert(streamed)}\n\n---\n{found}" if streamed.strip() else found


def answer_markdown(answer: Answer, closest: Sequence[Hit] = ()) -> str:
    """The final message: verified text, notices, and the list of sources ([n] become links),
    labelled in the question's language."""
    lang = language_of(answer.question)
    parts: list[str] = []
    if answer.refused:
        prefix = REFUSAL_PREFIX if lang == "en" else f"⚠️ **{say('not_in_articles', lang)}**"
        parts.append(f"{prefix} {inert(answer.text)}")
        if closest:
            listed = ((h.rank, h.chunk.title, h.chunk.source, h.chunk.published) for h in closest)
            parts.append(f"**{say('closest', lang)}**\n" + _source_lines(listed))
    else:
        parts.append(inert(answer.text))
    if answer.unsupported:
        lines = "\n".join(f"- {inert(s)}" for s in answer.unsupported[:5])
        parts.append(f"_{say('unmatched', lang)}_\n{lines}")
    if answer.notice:
        parts.append(f"ℹ️ _{inert(answer.notice)}_")
    if answer.citations and not answer.refused:
        listed = ((c.n, c.title, c.source, c.published) for c in answer.citations)
        parts.append(f"**{say('sources', lang)}**\n" + _source_lines(listed))
    return "\n\n".join(parts)


def ingest_summary(report: IngestReport, names: dict[str, str], rejected: Sequence[str]) -> str:
    """What an upload did, in words; `names` maps saved paths to the names the user uploaded."""

    def shown(line: str) -> str:
        path, _, reason = line.partition(": ")
        return inert(f"{names.get(path, path)}: {reason}" if reason else names.get(path, path))

    added = len(report.added) + len(report.updated)
    if added:
        headline = (
            f"📚 **Indexed {added} new article{'s' if added != 1 else ''}** "
            f"({report.chunks_embedded} passages); the index now holds {report.articles} "
            "articles. You can ask about them now."
        )
    else:
        headline = f"📚 **No new articles.** The index holds {report.articles} articles."
    parts = [headline]
    if report.unchanged:
        parts.append(f"Already indexed, unchanged: {len(report.unchanged)}.")
    if report.duplicates:
        parts.append(
            "Already indexed (same content):\n"
            + "\n".join(f"- {shown(d)}" for d in report.duplicates)
        )
    skipped = [*(inert(r) for r in rejected), *(shown(s) for s in report.skipped)]
    if skipped:
        parts.append("Skipped:\n" + "\n".join(f"- {s}" for s in skipped))
    return "\n\n".join(parts)


def polite_error(exc: BaseException) -> str:
    """What to tell the person when something failed; the conversation goes on."""
    detail = str(exc).strip()
    detail = detail[:1].upper() + detail[1:] if detail else ""
    if isinstance(exc, IndexMissingError):
        return "📭 No articles are indexed yet. Attach articles with the paperclip and ask again."
    if isinstance(exc, IndexLockedError):
        return "⏳ Other articles are being indexed right now. Please try again in a moment."
    if isinstance(exc, InputError):
        return f"✋ {detail.rstrip('.')}."
    if isinstance(exc, LLMError):
        return (
            f"🔌 The language model could not answer: {detail}. Try again, or choose the "
            "*extractive* answer engine in the settings."
        )
    if isinstance(exc, RagError):
        return f"😕 Sorry, that did not work: {detail}"
    return "😕 Sorry, something went wrong on my side. Please try again."
