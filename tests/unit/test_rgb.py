"""RGB benchmark logic: the paper's answer check, pooling, withholding, the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import InputError
from rag.evaluation.rgb import summarise
from rag.evaluation.rgb_data import (
    RgbItem,
    RgbItemResult,
    answer_matches,
    choose_withheld,
    load_rgb,
    passage_id,
    pool,
    sample,
)


def test_every_answer_element_must_appear_and_a_list_means_any_alternative() -> None:
    assert answer_matches("The Super Bowl was in Tampa, Florida.", ["Tampa, Florida"])
    assert answer_matches("tampa, FLORIDA", ["Tampa, Florida"]), "case-insensitive"
    assert not answer_matches("It was in Tampa.", ["Tampa, Florida"])
    two_dates = ["1月3日", "1月12日"]
    assert answer_matches("宣誓仪式在1月3日，首次会议在1月12日。", two_dates)
    assert not answer_matches("宣誓仪式在1月3日。", two_dates), "both elements are needed"
    alternatives = [["Ashleigh Barty", "Barty"]]
    assert answer_matches("Barty won.", alternatives)
    assert not answer_matches("Halep won.", alternatives)
    assert not answer_matches("anything", []), "an empty gold answer matches nothing"


def _write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "rgb.json"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return path


def test_load_flattens_grouped_positives_and_normalises_answers(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {
                "id": 1,
                "query": "q1",
                "answer": ["6.4%", "18%"],
                "positive": [["a", "b"], ["c"]],
                "negative": ["n"],
            },
            {
                "id": 2,
                "query": "q2",
                "answer": "70",
                "fakeanswer": "170",
                "positive": ["p"],
                "negative": [],
                "positive_wrong": ["w"],
            },
        ],
    )
    first, second = load_rgb(path)
    assert first.positive == ["a", "b", "c"] and first.answer == ["6.4%", "18%"]
    assert second.answer == ["70"] and second.fakeanswer == ["170"]
    assert second.positive_wrong == ["w"]


def test_a_broken_file_says_which_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"id": 1, "query": "q", "answer": "a", "positive": []}\n{"id": 2}\n')
    with pytest.raises(InputError, match="line 2"):
        load_rgb(path)


def _items(count: int) -> list[RgbItem]:
    return [
        RgbItem(
            id=i,
            query=f"q{i}",
            answer=[f"a{i}"],
            positive=[f"pos {i}", "shared"],
            negative=[f"neg {i}"],
            positive_wrong=[f"wrong {i}"],
            fakeanswer=[f"f{i}"],
        )
        for i in range(count)
    ]


def test_sampling_and_withholding_are_seeded_and_a_quarter() -> None:
    items = _items(40)
    assert sample(items, 10, 3) == sample(items, 10, 3)
    assert sample(items, 10, 3) != sample(items, 10, 4)
    assert len(sample(items, None, 0)) == 40
    withheld = choose_withheld(items, 0)
    assert len(withheld) == 10 and withheld == choose_withheld(items, 0)


def test_pool_leaves_out_withheld_positives_and_dedupes() -> None:
    items = _items(3)
    passages = pool(items, withheld={1})
    texts = set(passages.values())
    assert "pos 1" not in texts and "neg 1" in texts, "a withheld question keeps its negatives"
    assert {"pos 0", "pos 2", "shared"} <= texts
    assert list(passages.values()).count("shared") == 1
    assert not any(t.startswith("wrong") for t in texts)
    fakes = set(pool(items, withheld={1}, counterfactual=True).values())
    assert {"wrong 0", "wrong 2"} <= fakes and "wrong 1" not in fakes
    assert passage_id("shared") in passages


def _result(
    withheld: bool, refused: bool, correct: bool, first: bool | None = None
) -> RgbItemResult:
    return RgbItemResult(
        id=0,
        query="q",
        gold=["a"],
        withheld=withheld,
        refused=refused,
        correct=correct,
        first_citation_positive=first,
    )


def test_summary_rates() -> None:
    results = [
        _result(False, False, True, True),
        _result(False, False, False, False),
        _result(False, True, False),
        _result(False, False, True, True),
        _result(True, True, False),
        _result(True, False, False, False),
    ]
    s = summarise(results)
    assert s["accuracy"] == 0.5 and s["false_refusal_rate"] == 0.25
    assert s["answered_wrong_rate"] == 0.25 and s["rejection_rate"] == 0.5
    assert s["first_citation_positive"] == round(2 / 3, 3)
    assert s["answerable"] == 4 and s["withheld"] == 2


def test_a_disputed_answer_is_scored_on_its_own_text_and_the_gate_curve() -> None:
    from rag.evaluation.rgb import gate_curve, own_answer, score
    from rag.evaluation.rgb_data import RgbItem, RgbItemResult
    from rag.models import Answer

    item = RgbItem(id=1, query="Super Bowl 2021 location", answer=["Tampa"],
                   positive=["p"], positive_wrong=["w"], fakeanswer=["Glendale"])  # fmt: skip
    text = "It was in Glendale [1].\n\nThe sources disagree; another one says: It was in Tampa [2]."
    answer = Answer(question=item.query, text=text, refused=False, disputed=True)
    assert own_answer(answer) == "It was in Glendale [1].\n\n"
    scored = score(item, answer, withheld=False, ms=1.0)
    assert not scored.correct and scored.repeats_fake and scored.disputed

    def r(withheld: bool, refused: bool, p: float | None, correct: bool) -> RgbItemResult:
        return RgbItemResult(id=0, query="q", gold=["a"], withheld=withheld, refused=refused,
                             correct=correct, gate_probability=p)  # fmt: skip

    results = [r(True, False, 0.2, False), r(True, True, None, False),
               r(False, False, 0.9, True), r(False, False, 0.3, True)]  # fmt: skip
    no_gate, at_half = gate_curve(results, (0.0, 0.5))
    assert no_gate["rejection_rate"] == 0.5 and no_gate["false_refusal_rate"] == 0.0
    assert at_half["rejection_rate"] == 1.0 and at_half["false_refusal_rate"] == 0.5
    assert at_half["accuracy"] == 0.5
