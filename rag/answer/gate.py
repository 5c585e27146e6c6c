"""The answerability gate: is this candidate answer what the articles say to this question?

Retrieval similarity cannot tell a question the articles answer from one whose passages are
about the same event in another year, or name someone in another role (measured on RGB:
AUROC 0.51-0.73 for every question-and-passage signal, docs/answerability-2026-12-05.md).
So the gate reads the candidate answer: the signals below look at the answer and the
sentences it cites. The model's own yes/no judgement of its answer, asked right after it
(llama.cpp reuses the cached prompt: ~0.35 s), is recorded when measuring; it was not worth
its time on RGB, so the shipped gates do not ask for it (`wants_judge`). One logistic
regression per kind of answer and question language, learned from labelled RGB runs
(evals/train_gate.py), turns the signals into the probability that the answer is right;
below the threshold chosen out of fold (false refusals <= 0.10, accuracy -0.02 at most) the
answer is refused. The signals are weak (AUROC 0.59-0.71): only the Chinese LLM gate has a
threshold above 0; the others read and record.

The weights live in `gate.json` beside this file, with the data and commit they came from.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np

from rag.answer.answerability import asked_kind, gives
from rag.answer.evidence import EvidenceSet
from rag.answer.reply import Draft, not_answered, refusal
from rag.answer.verify import MARKER
from rag.config import Settings
from rag.llm.base import Message
from rag.models import AnswerCheck, Citation, Hit
from rag.retrieve.period import YearWords, mentioned_years, years_of
from rag.retrieve.query import Query
from rag.text.language import Note, language_of
from rag.text.words import content_words, lexical_support

WEIGHTS = Path(__file__).with_name("gate.json")

# Asked right after the answer, in the same chat (the model's cache holds the rest).
JUDGE_QUESTION = {
    "en": "Does a source state exactly this answer to exactly this question? yes or no",
    "zh": "来源是否明确给出了这个问题的这个答案？只回答是或不是",
}

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def judge_messages(
    messages: Sequence[Message], raw_answer: str, language: str = "en"
) -> list[Message]:
    """The answer's chat continued by the yes/no check, in the question's language."""
    return [
        *messages,
        {"role": "assistant", "content": raw_answer},
        {"role": "user", "content": JUDGE_QUESTION["zh" if language == "zh" else "en"]},
    ]


def _window(citations: Sequence[Citation], evidence: EvidenceSet) -> str:
    """The cited sentences with the sentence before and after each (an answer's year or
    name is often one sentence away)."""
    keep: set[tuple[str, int]] = set()
    quotes = {(c.chunk_id, c.quote) for c in citations}
    for item in evidence.items:
        if (item.hit.chunk.id, item.sentence) in quotes:
            keep.update((item.hit.chunk.id, item.position + d) for d in (-1, 0, 1))
    text = [e.sentence for e in evidence.items if (e.hit.chunk.id, e.position) in keep]
    return " ".join(text) or " ".join(c.quote for c in citations)


def _held(wanted: set[str], text: str) -> float:
    """Share of `wanted` found in `text` (1.0 when nothing is wanted)."""
    return sum(1 for w in wanted if w in text) / len(wanted) if wanted else 1.0


def _rare_terms(question: str, hits: Sequence[Hit]) -> set[str]:
    """The question's words that at most one retrieved passage contains: what tells the asked
    fact from the same event's others (a year, "women's", "runner-up")."""
    passages = [content_words(h.chunk.text) for h in hits]
    return {w for w in content_words(question) if sum(w in p for p in passages) <= 1}


def _agreement(words: set[str], hits: Sequence[Hit]) -> float:
    """Share of the retrieved passages holding most of the answer's own words (those not in
    the question): news that states an answer tends to state it in several articles."""
    if not words or not hits:
        return 0.0
    holding = [len(words & content_words(h.chunk.text)) / len(words) >= 0.6 for h in hits]
    return sum(holding) / len(hits)


def signals(
    question: str,
    vector: np.ndarray,
    answer: str,
    citations: Sequence[Citation],
    hits: Sequence[Hit],
    evidence: EvidenceSet,
    judged: float | None,
) -> dict[str, float]:
    """What the gate reads of a candidate answer (each measured alone in the docs)."""
    window = _window(citations, evidence)
    quotes = {(c.chunk_id, c.quote) for c in citations}
    cosines = [
        float(e.vector @ vector)
        for e in evidence.items
        if (e.hit.chunk.id, e.sentence) in quotes and e.vector.shape == vector.shape
    ]
    years = {str(y) for y in mentioned_years(question)}
    numbers = {n for n in _NUMBER.findall(question) if n not in years}
    asked = asked_kind(question)
    answer_words = content_words(MARKER.sub("", answer))
    rare = _rare_terms(question, hits)
    found = {
        "passage": max((h.score for h in hits), default=0.0),
        "sentence": max((h.sentence for h in hits), default=0.0),
        "quote_cosine": max(cosines, default=0.0),
        "support": min((c.score for c in citations), default=0.0),
        "years_held": _held(years, window),
        "years_asked": float(bool(years)),
        "numbers_held": _held(numbers, window),
        "terms_held": lexical_support(question, window),
        "answer_in_window": lexical_support(answer, window),
        "answer_new": (
            len(answer_words - content_words(question)) / len(answer_words) if answer_words else 0.0
        ),
        "kind_given": float(gives(asked, answer, question)) if asked else 1.0,
        "cited": float(len({c.chunk_id for c in citations})),
        "rare_terms_held": len(rare & content_words(window)) / len(rare) if rare else 1.0,
        "first_cited_rank": float(
            min((h.rank for h in hits if h.chunk.id in {c.chunk_id for c in citations}), default=9)
        ),
        "agreement": _agreement(answer_words - content_words(question), hits),
    }
    if judged is not None:
        found["judge"] = judged
    return {k: round(v, 4) for k, v in found.items()}


@dataclass(frozen=True)
class GateModel:
    """A logistic regression over some signals, standardised, with its refusal threshold."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, found: Mapping[str, float]) -> float | None:
        """P(the answer is right); None when a signal it needs is missing (e.g. no judge)."""
        values = [found.get(f, math.nan) for f in self.features]
        if any(math.isnan(v) for v in values):
            return None
        z = self.intercept + sum(
            c * (v - m) / s
            for c, v, m, s in zip(self.coef, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@cache
def gate_models(path: Path = WEIGHTS) -> tuple[str, dict[str, GateModel]]:
    """The embedding model the gates were learned with, and the gates by kind of answer and
    question language ("llm-en", "llm-zh", "extractive-en", "extractive-zh"); no gates when
    no weights ship."""
    if not path.is_file():
        return "", {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["embedding_model"], {
        key: GateModel(
            features=tuple(m["features"]),
            mean=tuple(m["mean"]),
            scale=tuple(m["scale"]),
            coef=tuple(m["coef"]),
            intercept=float(m["intercept"]),
            threshold=float(m["threshold"]),
        )
        for key, m in data["models"].items()
    }


def gate_for(backend: str, language: str, embedding_model: str) -> GateModel | None:
    """The gate for an answer of this backend to a question in this language. None for
    another embedding model than the gates learned from (cosine scales differ)."""
    learned_with, models = gate_models()
    if embedding_model != learned_with:
        return None
    kind = "extractive" if backend == "extractive" else "llm"
    return models.get(f"{kind}-{'zh' if language == 'zh' else 'en'}")


def wants_judge(language: str, settings: Settings) -> bool:
    """Whether the gate for an LLM answer in this language reads the model's judgement. The
    shipped gates do not (0.35 s for +0.013 AUROC in English; in Chinese the model says yes
    to everything: docs/answerability-2026-12-05.md); measuring records it always."""
    if settings.answer_gate != "on":
        return settings.answer_gate == "measure"  # (the labelled set records every signal)
    model = gate_for("llm", language, settings.embedding_model)
    return model is not None and "judge" in model.features


def gate_answer(query: Query, draft: Draft, evidence: EvidenceSet, settings: Settings) -> Draft:
    """The draft with the gate's reading; a refusal instead when the gate is on and judges
    the answer unlikely to be right. The refusal says what the articles come closest to.
    An answer in another language than the sentences it cites is read but not gated: the
    gates learned from news in the question's own language."""
    if draft.text is None or settings.answer_gate == "off":
        return draft
    found = signals(
        query.asked, query.vector, draft.text, draft.citations, draft.hits, evidence, draft.judged
    )
    quotes = " ".join(c.quote for c in draft.citations)
    same_language = language_of(quotes) == query.language
    model = gate_for(draft.backend, query.language, settings.embedding_model)
    p = model.probability(found) if model and same_language else None
    refuse = (
        settings.answer_gate == "on" and model is not None and p is not None and p < model.threshold
    )
    check = AnswerCheck(
        signals=found,
        probability=None if p is None else round(p, 4),
        threshold=model.threshold if model and p is not None else None,
        refused=refuse,
        candidate=draft.text if refuse else None,
    )
    if not refuse:
        return replace(draft, check=check)
    refused = refusal(draft.hits, draft.backend, not_answered(_why(query, draft)), *draft.notes)
    refused.context, refused.check = draft.context, check
    return refused


def _why(query: Query, draft: Draft) -> Note:
    """What the articles hold instead: another year than the one asked, or the closest
    sentence to the question among those the candidate cited."""
    asked = years_of(query.dates) or mentioned_years(query.asked)
    quotes = " ".join(c.quote for c in draft.citations)
    given = mentioned_years(quotes) - asked
    if asked and given and not asked & mentioned_years(quotes):
        return Note.of(
            "other_year", given=YearWords(frozenset(given)), asked=YearWords(frozenset(asked))
        )
    quote = draft.citations[0].quote if draft.citations else ""
    return Note.of("not_stated", quote=quote)
