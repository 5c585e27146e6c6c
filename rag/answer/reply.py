"""The last stage: a `Draft` (what the stages decided) worded into the `Answer`, once.

Stages say what happened as `Note`s (a message key and its values) and leave a refusal's
text unwritten; here the reply is worded in the question's language: the refusal, the
notices in the order they arose, and, for a question about who reported something and when,
the outlet and date of each cited article (the answer to such a question). A question about
when something happened gets no such line: an article's date is not the event's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.models import Answer, AnswerCheck, Citation, Hit, Timings
from rag.text.language import Note, format_day, say


@dataclass
class Draft:
    """An answer before it is worded. `text` None: the articles do not hold the answer."""

    hits: list[Hit]
    backend: str
    text: str | None = None
    citations: list[Citation] = field(default_factory=list)
    grounded: float = 0.0
    unsupported: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    first_token_ms: float | None = None  # from the start of generation
    context: list[str] = field(default_factory=list)  # chunk ids the answer was written from
    judged: float | None = None  # the LLM's P(yes) that its answer is stated by the sources
    check: AnswerCheck | None = None  # the answerability gate's reading
    disputed: bool = False  # another source says otherwise (cited too)

    @property
    def refused(self) -> bool:
        return self.text is None


def refusal(hits: list[Hit], backend: str, *notes: Note | None) -> Draft:
    """The articles do not hold the answer (the notes say why, when known)."""
    return Draft(hits, backend, notes=[n for n in notes if n is not None])


def not_answered(reason: Note | str) -> Note:
    return Note.of("not_answered", reason=reason)


def streamed_text(draft: Draft, language: str) -> str:
    """What a stream shows of a draft that is not generated piece by piece."""
    return say("refusal", language) if draft.text is None else draft.text


def published_line(citations: list[Citation], language: str) -> str | None:
    """ "Published: 创业邦, 1 September 2025 [1]." for the first citation of each dated
    article: taken from the citations' metadata, so it needs no verification. An unknown
    outlet is left out; None when no cited article has a date."""
    first: dict[str, Citation] = {}
    for c in citations:
        if c.published and c.article_id not in first:
            first[c.article_id] = c
    if not first:
        return None
    dated = "; ".join(
        ", ".join(
            x
            for x in (c.source if c.source != "unknown" else "", format_day(c.published, language))
            if x
        )
        + f" [{c.n}]"
        for c in first.values()
        if c.published
    )
    return say("published", language, dated=dated)


def numbered_in_order(text: str, citations: list[Citation]) -> tuple[str, list[Citation]]:
    """Citations renumbered 1, 2, 3 in their order, the text's markers with them (a generated
    answer cites the prompt's source numbers, which may start at [2] or skip one)."""
    new = {c.n: n for n, c in enumerate(citations, start=1)}
    if all(old == n for old, n in new.items()):
        return text, citations
    return renumbered(text, new), [c.model_copy(update={"n": new[c.n]}) for c in citations]


def renumbered(text: str, new: dict[int, int]) -> str:
    """The text with each marker [n] written [new[n]] (other markers as they are)."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{new.get(int(m[1]), m[1])}]", text)


def word_reply(
    draft: Draft,
    question: str,
    language: str,
    notes: list[Note],
    *,
    name_dates: bool,
    timings: Timings,
) -> Answer:
    """The Answer the user sees: `notes` (about the question and the search) come before
    the draft's own; `name_dates`: the cited articles' outlets and dates close the text."""
    text, citations = numbered_in_order(streamed_text(draft, language), draft.citations)
    if name_dates and not draft.refused:
        dated = published_line(citations, language)
        text = f"{text}\n\n{dated}" if dated else text
    notice = " ".join(note.words(language) for note in [*notes, *draft.notes])
    return Answer(
        question=question,
        text=text,
        refused=draft.refused,
        citations=citations,
        hits=draft.hits,
        context=draft.context,
        grounded=draft.grounded,
        unsupported=draft.unsupported,
        backend=draft.backend,
        notice=notice or None,
        timings_ms=timings,
        check=draft.check,
        disputed=draft.disputed,
    )
