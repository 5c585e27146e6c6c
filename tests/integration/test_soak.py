"""The short version of `make soak`: `rag ingest` killed at random moments, the index
still opens and answers after each kill, and a re-run completes with exactly the corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.timeout(900)
def test_random_kills_never_corrupt_the_index(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "evals"))
    from soak_ingest import run

    report = run(iterations=3, seed=7, root=tmp_path, log=lambda _: None)
    assert report.iterations == 3 and report.full_runs == 1
    assert report.corrupted == 0, "\n".join(report.problems)
