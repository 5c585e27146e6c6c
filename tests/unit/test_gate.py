"""The answerability gate's logic: its signals, its model, and the refusal it words."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from rag.answer import gate
from rag.answer.evidence import Evidence, EvidenceSet
from rag.answer.gate import (
    GateModel,
    gate_answer,
    gate_for,
    gate_models,
    judge_messages,
    signals,
    wants_judge,
)
from rag.answer.reply import Draft, word_reply
from rag.config import Settings
from rag.llm.base import yes_no
from rag.models import Chunk, Citation, Hit, Timings
from rag.retrieve.dates import parse_date_intent
from rag.retrieve.query import Query

E5 = "multilingual-e5-small"


def _hit(text: str, chunk_id: str = "c1") -> Hit:
    chunk = Chunk(
        id=chunk_id, article_id="a1", title="T", source="S", text=text, start=0, end=len(text)
    )
    return Hit(chunk=chunk, score=0.85, rank=1, sentence=0.88)


def _evidence(hit: Hit, sentences: list[str]) -> EvidenceSet:
    view = EvidenceSet.__new__(EvidenceSet)
    view.hits, view.embedder, view._queries = [hit], None, {}
    vectors = np.eye(4, dtype=np.float32)
    view.items = [Evidence(hit, s, vectors[n % 4], n) for n, s in enumerate(sentences)]
    return view


def _citation(hit: Hit, quote: str) -> Citation:
    c = hit.chunk
    return Citation(
        n=1, article_id=c.article_id, title=c.title, source=c.source, published=None,
        chunk_id=c.id, quote=quote, passage=c.text, score=0.9,
    )  # fmt: skip


SENTENCES = [
    "The 2018 final was held in Moscow.",
    "France won the 2018 World Cup, beating Croatia 4-2.",
    "Croatia's captain Luka Modric won the Golden Ball.",
]


def _draft(question_years: str = "2018") -> tuple[Query, Draft, EvidenceSet]:
    hit = _hit(" ".join(SENTENCES))
    evidence = _evidence(hit, SENTENCES)
    question = f"Who won the {question_years} World Cup?"
    query = Query(
        asked=question, text=question, language="en", vector=np.eye(4, dtype=np.float32)[1],
        dates=parse_date_intent(question),
    )  # fmt: skip
    draft = Draft([hit], "llamacpp", "France won it [1].", [_citation(hit, SENTENCES[1])])
    return query, draft, evidence


def test_signals_read_the_cited_sentence_and_its_neighbours() -> None:
    query, draft, evidence = _draft("2018")
    found = signals(
        query.asked, query.vector, draft.text, draft.citations, draft.hits, evidence, 0.8
    )
    assert found["quote_cosine"] == pytest.approx(1.0)  # the cited sentence's vector
    assert found["years_asked"] == 1.0 and found["years_held"] == 1.0
    assert found["judge"] == 0.8 and found["cited"] == 1.0
    other = signals("Who won the 2022 World Cup?", query.vector, draft.text, draft.citations,
                    draft.hits, evidence, None)  # fmt: skip
    assert other["years_held"] == 0.0, "the asked year is in no cited sentence or neighbour"
    assert "judge" not in other, "no judgement without an LLM"


def test_the_model_is_a_standardised_logistic_regression() -> None:
    model = GateModel(("a", "b"), (1.0, 0.0), (2.0, 1.0), (1.0, -1.0), 0.5, 0.4)
    z = 0.5 + 1.0 * (3.0 - 1.0) / 2.0 - 1.0 * 1.0
    assert model.probability({"a": 3.0, "b": 1.0}) == pytest.approx(1 / (1 + math.exp(-z)))
    assert model.probability({"a": 3.0}) is None, "a missing signal: no reading"


def _weights(tmp_path: Path, threshold: float, coef: float) -> Path:
    model = {"features": ["judge"], "mean": [0.5], "scale": [0.1], "coef": [coef],
             "intercept": 0.0, "threshold": threshold}  # fmt: skip
    path = tmp_path / "gate.json"
    path.write_text(json.dumps({"embedding_model": E5, "models": {"llm-en": model}}))
    return path


def test_gates_apply_only_to_the_embedding_model_they_learned_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _weights(tmp_path, 0.5, 1.0)
    monkeypatch.setattr(gate, "gate_models", lambda: gate_models.__wrapped__(path))
    assert gate_for("llamacpp", "en", E5) is not None
    assert gate_for("openai", "en", E5) is not None, "one gate for every LLM backend"
    assert gate_for("llamacpp", "en", "all-MiniLM-L6-v2") is None
    assert gate_for("llamacpp", "zh", E5) is None, "no Chinese gate in these weights"
    assert gate_for("extractive", "en", E5) is None, "no extractive gate in these weights"


@pytest.mark.parametrize(("mode", "judged", "refused"), [
    ("on", 0.1, True), ("on", 0.9, False), ("measure", 0.1, False), ("off", 0.1, False),
])  # fmt: skip
def test_the_gate_refuses_below_its_threshold_when_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str, judged: float, refused: bool
) -> None:
    path = _weights(tmp_path, 0.5, 5.0)
    monkeypatch.setattr(gate, "gate_models", lambda: gate_models.__wrapped__(path))
    query, draft, evidence = _draft()
    draft.judged = judged
    out = gate_answer(query, draft, evidence, Settings(answer_gate=mode, embedding_model=E5))
    assert out.refused is refused
    if mode == "off":
        assert out.check is None
    else:
        assert out.check is not None and out.check.refused is refused
        assert out.check.probability is not None
        assert (out.check.candidate == draft.text) is refused
        assert out.check.signals["judge"] == judged


def test_a_gated_refusal_says_what_the_articles_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _weights(tmp_path, 0.5, 5.0)
    monkeypatch.setattr(gate, "gate_models", lambda: gate_models.__wrapped__(path))
    settings = Settings(embedding_model=E5)
    query, draft, evidence = _draft("2022")  # the cited sentence is about 2018
    draft.judged = 0.1
    out = gate_answer(query, draft, evidence, settings)
    english = word_reply(out, query.asked, "en", [], name_dates=False, timings=Timings())
    assert english.refused
    assert "the articles give 2018 for this, not 2022" in (english.notice or "")
    chinese = word_reply(
        out, "谁赢得了2022年世界杯？", "zh", [], name_dates=False, timings=Timings()
    )
    assert "文章只提到2018年的情况，没有2022年的" in (chinese.notice or "")
    query, draft, evidence = _draft("2018")
    draft.judged = 0.1
    out = gate_answer(query, draft, evidence, settings)
    reply = word_reply(out, query.asked, "en", [], name_dates=False, timings=Timings())
    assert SENTENCES[1] in (reply.notice or ""), "the closest sentence is named"


def test_the_judge_continues_the_answer_chat() -> None:
    messages = judge_messages(
        [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}], "A [1]."
    )
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == "A [1]."
    assert "yes or no" in messages[3]["content"]
    chinese = judge_messages([{"role": "user", "content": "q"}], "甲 [1]。", "zh")
    assert "是或不是" in chinese[-1]["content"], "asked in the question's language"
    assert yes_no("Yes.") == 1.0 and yes_no(" 是的") == 1.0 and yes_no("No") == 0.0


def test_the_shipped_weights_load_and_read_their_signals() -> None:
    learned_with, models = gate_models()
    assert learned_with == E5
    assert set(models) == {"llm-en", "llm-zh", "extractive-en", "extractive-zh"}
    for model in models.values():
        assert 0.0 <= model.threshold < 1.0
        assert len(model.features) == len(model.coef) == len(model.mean) == len(model.scale)
        assert "judge" not in model.features, "measured not worth its 0.35 s (train_gate.py)"
    assert not wants_judge("en", Settings()) and wants_judge("en", Settings(answer_gate="measure"))
