"""A question with several parts is answered part by part (rag/retrieve/parts.py splits it);
the parts' drafts are joined here into one: texts in order, citations renumbered 1, 2, 3
across them, and a note for each part the articles do not answer."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer.reply import Draft, renumbered
from rag.models import Citation, Hit
from rag.text.language import Note


def join_parts(drafts: Sequence[Draft], parts: Sequence[str], hits: list[Hit]) -> Draft | None:
    """One draft from the parts' drafts; None when no part is answered. A part whose answer
    only repeats sentences already cited for an earlier part adds nothing."""
    answered = [d for d in drafts if not d.refused]
    if not answered:
        return None
    texts: list[str] = []
    citations: list[Citation] = []
    seen: set[tuple[str, str]] = set()
    for draft in answered:
        quotes = {(c.chunk_id, c.quote) for c in draft.citations}
        if quotes and quotes <= seen:
            continue
        seen |= quotes
        new = {c.n: len(citations) + i for i, c in enumerate(draft.citations, start=1)}
        assert draft.text is not None
        texts.append(renumbered(draft.text, new))
        citations += [c.model_copy(update={"n": new[c.n]}) for c in draft.citations]
    missing = [
        Note.of("part_not_held", part=p) for p, d in zip(parts, drafts, strict=True) if d.refused
    ]
    notes = [*missing, *(n for d in answered for n in d.notes)]
    supported = [d.grounded for d in answered]
    return Draft(
        hits,
        answered[0].backend,
        " ".join(texts),
        citations,
        grounded=round(sum(supported) / len(supported), 3),
        unsupported=[s for d in answered for s in d.unsupported],
        notes=notes,
        first_token_ms=drafts[0].first_token_ms,
        context=list(dict.fromkeys(c for d in drafts for c in d.context)),
    )
