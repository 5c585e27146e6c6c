"""Quality floors on real news (RGB), in Chinese and English, with the default pipeline.

A small seeded sample of each shared RGB file is pooled, a quarter of its questions lose
their answering passages, and every question goes through the real Assistant (default
embedder, real index on disk, and for the LLM floor the packaged llama.cpp model). Measured
on these samples (seed 1: 12 answerable questions, 4 withheld) on 2026-12-01: llama.cpp
11 of 12 correct, extractive 10 of 12. The floors (8 of 12) sit three questions under the
LLM's figure because a small model's greedy output differs between machines: they catch a
pipeline that stops finding or verifying answers, not a one-question wobble. zh_int
(answers needing several passages: 0 of 3 on its sample with either backend) is left to
the command line, where its figure is reported (README). The full files run from the
command line: `rag eval rgb --data ../shared/datasets/rgb/<file>`.

The RGB files are CC BY-NC-SA and are read from ../shared, never copied into the repo: the
test skips with a reason where they are absent (a user's clone).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.evaluation.rgb import RgbResult, run_rgb
from tests.conftest import make_settings

RGB = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "rgb"
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.skipif(not RGB.is_dir(), reason=f"RGB data not found at {RGB} (../shared)"),
]
SAMPLES = {"en_fact_dev.json": 8, "zh_fact.json": 8}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for both backends: the second run reuses each pooled index."""
    return tmp_path_factory.mktemp("rgb")


def _run(root: Path, name: str, backend: str) -> RgbResult:
    settings = make_settings(root / name, llm_backend=backend)
    return run_rgb(settings, RGB / name, n=SAMPLES[name], seed=1, counterfactual=False)


def _failures(result: RgbResult) -> str:
    return "\n".join(
        f"#{r.id} {r.query} gold={r.gold} withheld={r.withheld} refused={r.refused}: "
        f"{r.answer[:160]!r} ({r.notice})"
        for r in result.items
        if r.withheld != r.refused or (not r.withheld and not r.correct)
    )


def assert_floor(runs: dict[str, RgbResult], floor: float) -> None:
    """No errors, and at least `floor` of the answerable questions answered correctly."""
    answerable = [r for run in runs.values() for r in run.items if not r.withheld]
    correct = sum(r.correct for r in answerable) / len(answerable)
    report = "\n".join(_failures(run) for run in runs.values())
    assert all(run.summary["errors"] == 0 for run in runs.values()), report
    assert correct >= floor, f"accuracy {correct:.2f} < {floor}\n{report}"


@pytest.mark.llm
@pytest.mark.timeout(1800)
def test_llm_answers_real_news_in_both_languages(root: Path) -> None:
    runs = {name: _run(root, name, "llamacpp") for name in SAMPLES}
    assert_floor(runs, 0.66)
    chinese = [r for name, run in runs.items() if name.startswith("zh") for r in run.items]
    assert chinese
    for r in chinese:
        if r.refused:
            assert r.answer.startswith("我在现有的文章中找不到"), "a Chinese refusal is in Chinese"
    answered = [r for run in runs.values() for r in run.items if not r.refused or r.gate_refused]
    read = sum(r.gate_probability is not None for r in answered)
    # (an answer citing a sentence in the other language is read but not gated)
    assert answered and read >= 0.8 * len(answered), "the learned gate reads the candidates"


def test_extractive_answers_real_news_without_a_model(root: Path) -> None:
    runs = {name: _run(root, name, "extractive") for name in SAMPLES}
    assert_floor(runs, 0.66)
