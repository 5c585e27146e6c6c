"""Sources that disagree: the sentence that says otherwise is found, quoted and cited."""

from __future__ import annotations

import numpy as np

from rag.answer.conflict import find_disagreement, show_disagreement
from rag.answer.evidence import Evidence, EvidenceSet
from rag.answer.reply import Draft
from rag.models import Chunk, Citation, Hit

TRUE = "The game was played on February 7, 2021, at Raymond James Stadium in Tampa, Florida."
FAKE = "The game was played on February 7, 2021, at Raymond James Stadium in Glendale, Arizona."
SAME = "The game was played on February 7, 2021, in Tampa, Florida, at Raymond James Stadium."
QUESTION = "Super Bowl 2021 location"


def _hit(article: str, text: str) -> Hit:
    chunk = Chunk(id=f"{article}-0", article_id=article, title=article, source="S", text=text,
                  start=0, end=len(text))  # fmt: skip
    return Hit(chunk=chunk, score=0.9, rank=1)


def _setup(other: str) -> tuple[Draft, EvidenceSet]:
    hits = [_hit("a", TRUE), _hit("b", other)]
    evidence = EvidenceSet.__new__(EvidenceSet)
    evidence.hits, evidence.embedder, evidence._queries = hits, None, {}
    evidence.items = [Evidence(h, h.chunk.text, np.ones(4, dtype=np.float32), 0) for h in hits]
    c = hits[0].chunk
    citation = Citation(n=1, article_id="a", title="a", source="S", published=None,
                        chunk_id=c.id, quote=TRUE, passage=TRUE, score=0.9)  # fmt: skip
    return Draft(hits, "llamacpp", "It was played in Tampa, Florida [1].", [citation]), evidence


def test_a_source_giving_another_answer_is_shown_and_cited() -> None:
    draft, evidence = _setup(FAKE)
    out = show_disagreement(draft, QUESTION, evidence, "en")
    assert out.disputed and out.text is not None
    assert out.text.startswith(draft.text)
    assert "The sources disagree; another one says:" in out.text
    assert "Glendale, Arizona [2]." in out.text
    assert [c.article_id for c in out.citations] == ["a", "b"]
    chinese = show_disagreement(draft, QUESTION, evidence, "zh")
    assert "来源的说法不一致" in (chinese.text or "")


def test_a_paraphrase_of_the_same_answer_is_no_disagreement() -> None:
    draft, evidence = _setup(SAME)
    assert find_disagreement(draft, QUESTION, evidence) is None
    assert show_disagreement(draft, QUESTION, evidence, "en") is draft


def test_a_refusal_has_nothing_to_dispute() -> None:
    draft, evidence = _setup(FAKE)
    refused = Draft(draft.hits, "llamacpp")
    assert show_disagreement(refused, QUESTION, evidence, "en") is refused
