"""20 questions at once on one Assistant while an ingest adds an article: no exception, and
every answer is consistent with the old index or the new one, never a mix or a torn read."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rag.assistant import Assistant
from tests.conftest import AFRICA_ID, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NEW_ID = "2026-02-01-zorbland-ferry"
NEW_ARTICLE = (
    "---\ntitle: Zorbland opens a ferry line\nsource: Harbour Post\npublished: 2026-02-01\n"
    "---\n\nThe island of Zorbland opened its first ferry line to the mainland on 1 February "
    "2026. The ferry Zorbland Star carries 420 passengers. Tickets cost 18 euros.\n"
)


def test_twenty_questions_during_an_ingest(tmp_path: Path, corpus_copy: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    settings = make_settings(tmp_path, corpus_copy, llm_backend="extractive")
    assistant = Assistant(settings, embedder, None)
    assistant.ingest()
    old_articles = set(assistant.articles())
    (corpus_copy / f"{NEW_ID}.md").write_text(NEW_ARTICLE, encoding="utf-8")
    for n in range(12):  # enough work that the questions overlap the ingest
        (corpus_copy / f"extra-{n}.md").write_text(
            f"# Harbour note {n}\n\n" + " ".join(f"Harbour note {n}, line {i}." for i in range(40))
        )

    started = threading.Event()
    finished = threading.Event()

    def run_ingest() -> None:
        started.set()
        try:
            assistant.ingest()
        finally:
            finished.set()

    questions = [
        "What is Xiaomi's Africa strategy?",
        "How many passengers does the Zorbland Star carry?",
    ]
    during = 0

    def ask(n: int):  # type: ignore[no-untyped-def]
        nonlocal during
        started.wait()
        answer = assistant.ask(questions[n % 2])
        if not finished.is_set():
            during += 1
        return n, answer

    with ThreadPoolExecutor(max_workers=21) as pool:
        ingest_done = pool.submit(run_ingest)
        answers = [f.result(timeout=600) for f in [pool.submit(ask, n) for n in range(20)]]
        ingest_done.result(timeout=600)

    assert during > 0, "no question was answered while the ingest ran: the test proves nothing"
    for n, answer in answers:
        cited = {c.article_id for c in answer.citations}
        if n % 2 == 0:  # in both indexes
            assert not answer.refused and cited == {AFRICA_ID}, answer.text
        else:  # old index: refused (nothing about Zorbland); new index: from the new article
            assert (answer.refused and not cited) or cited == {NEW_ID}, answer.text
            if not answer.refused:
                assert "420" in answer.text
    assert set(assistant.articles()) == old_articles | {NEW_ID} | {f"extra-{n}" for n in range(12)}
    after = assistant.ask(questions[1])
    assert not after.refused and "420" in after.text
