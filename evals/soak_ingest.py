"""Crash soak of the ingest (not a benchmark): SIGKILL `rag ingest` at random moments, over
and over, and check after every kill that the index still opens and answers.

Each iteration changes the corpus (articles added, one changed, one removed: notes built
from the real seed articles' paragraphs), starts `rag ingest` in a fresh process, kills it
after a random delay between 0 and 1.2x the time an uninterrupted ingest of such a change
took, then, in this process: opens the index, checks every article the manifest lists has
its chunks, searches for a note's own marker word, and asks "What is Xiaomi's Africa
strategy?" (extractive), which must cite the Africa article. Any exception or inconsistency
counts as a corrupted index. Every 10th iteration, and at the end, the ingest runs to
completion and the index must then hold exactly the corpus.

  make soak                                  # 200 iterations (~30-40 min on 2 cores)
  .venv/bin/python evals/soak_ingest.py --iterations 20 --seed 1

`tests/integration/test_soak.py` runs 3 iterations in `make test`.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

AFRICA_ID = "xiaomi-africa-2025-09-01"
QUESTION = "What is Xiaomi's Africa strategy?"


def marker(serial: int) -> str:
    """A made-up word naming one note ("zqvabx"): letters only, ending in x so that no
    stemmer folds two markers together (Snowball stems "zqvy" to "zqvi")."""
    letters = ""
    while True:
        serial, digit = divmod(serial, 26)
        letters += chr(ord("a") + digit)
        if not serial:
            return f"zqv{letters}x"


@dataclass
class SoakReport:
    iterations: int = 0
    killed: int = 0  # the ingest was still running when the signal came
    finished_first: int = 0  # it had already completed
    corrupted: int = 0
    problems: list[str] = field(default_factory=list)
    full_runs: int = 0
    full_run_s: list[float] = field(default_factory=list)
    check_ms: list[float] = field(default_factory=list)

    def table(self) -> str:
        rows = [
            ("iterations (SIGKILL sent)", self.iterations),
            ("killed while ingesting", self.killed),
            ("ingest had already finished", self.finished_first),
            ("**corrupted indexes**", self.corrupted),
            ("complete re-runs, index == corpus", self.full_runs),
            (
                "complete ingest of a change, median s",
                f"{statistics.median(self.full_run_s):.1f}" if self.full_run_s else "-",
            ),
            (
                "open + check + answer after a kill, median ms",
                f"{statistics.median(self.check_ms):.0f}" if self.check_ms else "-",
            ),
        ]
        return "\n".join(["| figure | value |", "|---|---|", *(f"| {k} | {v} |" for k, v in rows)])


class Soak:
    def __init__(self, root: Path, seed: int) -> None:
        from rag.embed import load_embedder
        from tests.conftest import make_settings

        self.rng = random.Random(seed)
        self.corpus = root / "corpus"
        shutil.copytree(REPO / "corpus", self.corpus)
        (self.corpus / "README.md").unlink(missing_ok=True)
        self.settings = make_settings(root, self.corpus, llm_backend="extractive")
        self.embedder = load_embedder(self.settings.embedding_model)
        # notes reuse the livestream article's paragraphs, so the Africa question still
        # has exactly one right source
        livestream = next(self.corpus.glob("*lei-jun-livestreams.md"))
        self.paragraphs = [
            p.strip()
            for p in livestream.read_text(encoding="utf-8").split("\n\n")
            if len(p.strip()) > 80 and not p.startswith(("---", "#"))
        ]
        self.serial = 0
        self.env = {
            **os.environ,
            "RAG_DATA_DIR": str(self.settings.data_dir),
            "RAG_CORPUS_DIR": str(self.corpus),
            "RAG_MODEL_CACHE_DIR": str(self.settings.model_cache_dir),
            "RAG_INGEST_BATCH_ARTICLES": "2",
        }

    def notes(self) -> list[Path]:
        return sorted(self.corpus.glob("note-*.md"))

    def write_note(self, path: Path | None = None) -> None:
        """A new note, or (`path`) new paragraphs for an existing one: its number, title
        and marker word stay those of its file name."""
        if path is None:
            self.serial += 1
            path = self.corpus / f"note-{self.serial:04d}.md"
        number = int(path.stem.split("-")[1])
        body = "\n\n".join(self.rng.sample(self.paragraphs, k=min(4, len(self.paragraphs))))
        path.write_text(
            f"---\ntitle: Market note {number}\nsource: Soak Wire\n"
            f"published: 2026-01-{1 + number % 28:02d}\n---\n\n"
            f"Marker {marker(number)} opens this note.\n\n{body}\n",
            encoding="utf-8",
        )

    def change_corpus(self) -> None:
        for _ in range(3):
            self.write_note()
        notes = self.notes()
        if len(notes) > 6:
            self.rng.choice(notes).unlink()
            self.write_note(self.rng.choice(self.notes()))  # changed in place

    def start_ingest(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "rag.cli", "ingest"],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def full_ingest(self) -> float:
        started = time.perf_counter()
        proc = self.start_ingest()
        _, err = proc.communicate(timeout=900)
        if proc.returncode != 0:
            raise RuntimeError(f"a complete ingest failed: {err.decode(errors='replace')}")
        return time.perf_counter() - started

    def check(self, complete: bool) -> str | None:
        """None when the index opens, is consistent and answers; else what is wrong."""
        from rag.assistant import Assistant

        assistant = None
        try:
            assistant = Assistant(self.settings, self.embedder, None).reload()
            keyword_only = Assistant(
                self.settings.model_copy(
                    update={"weight_dense": 0.0, "weight_sentence": 0.0, "weight_keyword": 1.0}
                ),
                self.embedder,
                assistant.index,
            )
            store = assistant.index
            articles = store.manifest.articles
            by_article = {c.article_id for batch, _ in store.iter_chunks() for c in batch}
            if set(articles) - by_article:
                return f"articles without chunks: {sorted(set(articles) - by_article)[:3]}"
            notes = [a for a in articles if a.startswith("note-")]
            if notes:
                probe = self.rng.choice(notes)
                word = marker(int(probe.split("-")[1]))
                hits = keyword_only.search(word, k=1)
                if not hits or hits[0].chunk.article_id != probe:
                    return f"{probe} is in the manifest but not found by its marker"
            answer = assistant.ask(QUESTION)
            if answer.refused or AFRICA_ID not in {c.article_id for c in answer.citations}:
                return (
                    f"the Africa question was not answered from the Africa article: {answer.text!r}"
                )
            if complete:
                on_disk = {p.stem for p in self.notes()}
                if set(notes) != on_disk or len(articles) != len(on_disk) + 2:  # + the seeds
                    return f"index {sorted(set(notes) ^ on_disk)[:4]} differs from the corpus"
        except Exception as exc:  # any failure to open or answer is the finding
            return f"{type(exc).__name__}: {exc}"
        finally:
            if assistant is not None:
                assistant.close()
        return None


def run(iterations: int, seed: int = 0, root: Path | None = None, log: Any = print) -> SoakReport:
    owned = root is None
    root = root or Path(tempfile.mkdtemp(prefix="rag-soak-"))
    report = SoakReport()
    try:
        soak = Soak(root, seed)
        soak.change_corpus()
        report.full_run_s.append(soak.full_ingest())  # the first index
        for i in range(1, iterations + 1):
            soak.change_corpus()
            proc = soak.start_ingest()
            delay = soak.rng.uniform(0, 1.2 * statistics.median(report.full_run_s))
            time.sleep(delay)
            if proc.poll() is None:
                report.killed += 1
            else:
                report.finished_first += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=60)
            report.iterations += 1
            started = time.perf_counter()
            problem = soak.check(complete=False)
            report.check_ms.append((time.perf_counter() - started) * 1000)
            if problem:
                report.corrupted += 1
                report.problems.append(f"iteration {i} (kill after {delay:.1f} s): {problem}")
                log(f"CORRUPTED at iteration {i}: {problem}")
                if os.environ.get("RAG_SOAK_KEEP"):
                    shutil.copytree(
                        soak.settings.data_dir, Path(os.environ["RAG_SOAK_KEEP"]) / f"it{i}"
                    )
            if i % 10 == 0 or i == iterations:
                report.full_run_s.append(soak.full_ingest())
                problem = soak.check(complete=True)
                report.full_runs += 1
                if problem:
                    report.corrupted += 1
                    report.problems.append(f"complete re-run after iteration {i}: {problem}")
            log(
                f"iteration {i}/{iterations}: kill after {delay:.1f} s, "
                f"{'killed' if proc.returncode == -signal.SIGKILL else 'already done'}, "
                f"corrupted so far {report.corrupted}"
            )
    finally:
        if owned:
            shutil.rmtree(root, ignore_errors=True)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    report = run(args.iterations, args.seed)
    print(report.table())
    for problem in report.problems:
        print(problem)
    sys.exit(1 if report.corrupted else 0)


if __name__ == "__main__":
    main()
