"""Load benchmark of the chat UI: N concurrent browser sessions, each asking a few questions.

Starts the real Chainlit server on loopback (or uses --url), opens one headless Chromium
with one context per simulated person, and measures, per question, the time from the
click on "send" to the passages being read on screen, to the first visible answer text
and to the full (final) answer.

    .venv/bin/python evals/bench_ui.py                      # 10 sessions x 3 questions
    .venv/bin/python evals/bench_ui.py --backend llamacpp --timeout 600
    .venv/bin/python evals/bench_ui.py --backend llamacpp --sessions 1 --questions 10
                                                # one person, English and Chinese questions
    .venv/bin/python evals/bench_ui.py --url http://127.0.0.1:8000
    .venv/bin/python evals/bench_ui.py --upload-during 150   # an 11th session uploads 150
                                                            # articles while the 10 ask

Not a test: it prints errors (goal 0), median and p95 latencies. With --upload-during, an
extra session uploads a JSONL of generated articles as the questions start (the server
indexes it while answering); it then asks about the new articles, which must be answered
from them ("Nairobi"), and every other answer must still cite its sources: answers are
consistent with the index before or after the upload, never an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ui.launch import ServerError, chat_ui  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
QUESTIONS = [
    "What is Xiaomi's Africa strategy?",
    "How many followers did Lei Jun lose?",
    "小米在非洲的战略是什么？",
    "What is Transsion's market share in Africa?",
    "What did Lei Jun say in his live stream?",
    "雷军在直播中掉了多少粉丝？",
    "What is the capital of Australia?",
]
FINAL = ("Sources", "来源", "Not in the articles", "文章中没有答案")
# Installed before the click as window.__benchAnswer, a promise resolved when the new
# answer is final (or on timeout), with the times since the click in milliseconds: to the
# list of passages being read ("🔎", shown before the model has read them), to the first
# answer text (what is above that list), and to the final answer.
WATCH_JS = """([before, timeoutMs]) => { window.__benchAnswer = new Promise((resolve) => {
  const sel = "[data-step-type='assistant_message']";
  const done = /Sources|来源|Not in the articles|文章中没有答案|✋|🔌|😕|📭|⏳/;
  let t0 = null, first = null, sources = null;
  document.querySelector('#chat-submit')
    .addEventListener('click', () => { t0 = performance.now(); }, {once: true});
  const finish = (full) => { obs.disconnect(); clearTimeout(timer);
    const m = document.querySelectorAll(sel);
    resolve({first, sources, full, text: m.length > before ? m[m.length - 1].innerText : ''});
  };
  const check = () => {
    const m = document.querySelectorAll(sel);
    if (t0 === null || m.length <= before) return;
    const text = m[m.length - 1].innerText.trim();
    if (text.includes('🔎') && sources === null) sources = performance.now() - t0;
    if (text.split('🔎')[0].trim() && first === null) first = performance.now() - t0;
    if (done.test(text)) finish(performance.now() - t0);
  };
  const obs = new MutationObserver(check);
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
  const timer = setTimeout(() => finish(null), timeoutMs);
}); }"""


@dataclass
class Sample:
    session: int
    question: str
    first_s: float | None
    full_s: float | None
    error: str | None = None
    text: str = ""
    sources_s: float | None = None


def build_index(data_dir: Path) -> None:
    """Index the repo's corpus into `data_dir` (once) with the real CLI."""
    if (data_dir / "index").exists():
        return
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "HF_HUB_OFFLINE": "1"}
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest"], cwd=REPO, env=env, check=True)


@contextmanager
def server(data_dir: Path, backend: str, log: Path) -> Iterator[str]:
    """The real chat server on a free loopback port (stopped on exit)."""
    try:
        with chat_ui({"RAG_DATA_DIR": str(data_dir), "RAG_LLM_BACKEND": backend}, log) as url:
            yield url
    except ServerError as exc:
        raise SystemExit(str(exc)) from exc


async def ask(page: Any, session: int, question: str, timeout_s: float) -> Sample:
    """Send one question and time the answer as the browser shows it."""
    before = await page.locator("[data-step-type='assistant_message']").count()
    await page.evaluate(WATCH_JS, [before, int(timeout_s * 1000)])
    await page.fill("#chat-input", question)
    await page.click("#chat-submit")
    result = await page.evaluate("() => window.__benchAnswer")
    await page.wait_for_selector("#stop-button", state="detached", timeout=timeout_s * 1000)
    first, sources, full = (
        result[key] / 1000 if result[key] is not None else None
        for key in ("first", "sources", "full")
    )
    text = str(result["text"])
    error = None if full is not None else "timed out"
    if full is not None and not any(word in text for word in FINAL):
        error = f"error message: {text[:120]!r}"
    return Sample(session, question, first, full, error, text[:400], sources)


UPLOAD_QUESTION = "Where did Xiaomi open a flagship store in Kenya?"


def upload_file(folder: Path, articles: int) -> Path:
    """A JSONL of `articles` generated news items; the first says where the store opened."""
    lines = []
    for n in range(articles):
        body = (
            f"Xiaomi opened a flagship store in Nairobi, Kenya, on 3 March 2026, item {n}. "
            if n == 0
            else f"Item {n}: a market report on phone shipments in region {n % 37}. "
        ) + " ".join(
            f"Analysts counted {n * 7 + k} devices sold in week {k} of the quarter."
            for k in range(12)
        )
        lines.append(json.dumps({"id": f"bench-upload-{n}", "title": f"Market note {n}",
                                 "source": "Bench Wire", "published": "2026-03-04",
                                 "text": body}))  # fmt: skip
    path = folder / "bench-upload.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def uploader(
    browser: Any, url: str, path: Path, timeout_s: float, start: Start
) -> tuple[float | None, Sample]:
    """The extra session: upload `path` when the questions start, wait for the report,
    then ask about the uploaded article. Returns the indexing seconds and that answer."""
    context, page = await open_chat(browser, url, start, timeout_s)
    try:
        await start.ready.wait()
        before = await page.locator("[data-step-type='assistant_message']").count()
        t0 = time.perf_counter()
        await page.set_input_files("#upload-button-input", str(path))
        await page.locator("#attachments").get_by_text(path.name).wait_for(timeout=timeout_s * 1000)
        await page.click("#chat-submit")
        report = page.locator("[data-step-type='assistant_message']").nth(before)
        await report.get_by_text("Indexed").wait_for(timeout=timeout_s * 10_000)
        indexed_s = time.perf_counter() - t0
        await page.wait_for_selector("#stop-button", state="detached", timeout=timeout_s * 1000)
        sample = await ask(page, -1, UPLOAD_QUESTION, timeout_s)
        if sample.error is None and "Nairobi" not in sample.text:
            sample.error = f"the uploaded article was not used: {sample.text[:120]!r}"
        return indexed_s, sample
    except Exception as exc:
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        return None, Sample(-1, UPLOAD_QUESTION, None, None, error)
    finally:
        await context.close()


@dataclass
class Start:
    """Page loads are staggered (a 4.6 MB bundle per page); questions start together."""

    loads: asyncio.Semaphore
    ready: asyncio.Barrier


async def open_chat(browser: Any, url: str, start: Start, timeout_s: float) -> tuple[Any, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    async with start.loads:
        await page.goto(url, timeout=timeout_s * 1000)
        await page.wait_for_selector("#chat-settings-open-modal", timeout=timeout_s * 1000)
    return context, page


async def session(
    browser: Any, url: str, n: int, questions: int, timeout_s: float, start: Start
) -> list[Sample]:
    """One simulated person: open the chat, wait for everyone, then ask in turn."""
    asked = [QUESTIONS[(n + i) % len(QUESTIONS)] for i in range(questions)]
    samples: list[Sample] = []
    context = None
    try:
        try:
            context, page = await open_chat(browser, url, start, timeout_s)
        finally:
            await start.ready.wait()
        for question in asked:
            samples.append(await ask(page, n, question, timeout_s))
    except Exception as exc:  # a stuck page: its remaining questions count as errors
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        samples += [Sample(n, q, None, None, error) for q in asked[len(samples) :]]
    finally:
        if context is not None:
            await context.close()
    return samples


async def run(
    url: str,
    sessions: int,
    questions: int,
    timeout_s: float,
    warm_up: bool,
    upload: Path | None = None,
) -> tuple[list[Sample], float | None]:
    """All sessions at once (after one untimed question that loads the models, if asked),
    and the uploader beside them when `upload` is given: the samples and indexing seconds."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            if warm_up:
                await session(
                    browser, url, 0, 1, timeout_s, Start(asyncio.Semaphore(1), asyncio.Barrier(1))
                )
            start = Start(asyncio.Semaphore(2), asyncio.Barrier(sessions + bool(upload)))
            runs = [session(browser, url, n, questions, timeout_s, start) for n in range(sessions)]
            if upload is None:
                return [s for batch in await asyncio.gather(*runs) for s in batch], None
            (indexed_s, uploaded), *batches = await asyncio.gather(
                uploader(browser, url, upload, timeout_s, start), *runs
            )
            return [s for batch in batches for s in batch] + [uploaded], indexed_s
        finally:
            await browser.close()


def wait_ready(log: Path, launched: float, timeout_s: float) -> float | None:
    """Seconds from launching the server until it logged that its models are loaded."""
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        if "ready to answer" in log.read_text(errors="replace"):
            return round(time.perf_counter() - launched, 1)
        time.sleep(0.2)
    return None


SERVER_LINE = re.compile(
    r"answer: \S+, refused=\w+, first token (?P<first_token>[\d.]+|None) ms, total "
    r"(?P<total>[\d.]+) ms; sent: sources (?P<sources>\d+|None) ms, text (?P<text>\d+|None) "
    r"ms, final (?P<final>\d+) ms"
)


def server_figures(log_text: str, skip: int) -> dict[str, Any]:
    """Medians of what the server logged per answer (after the first `skip`): the in-process
    first token and total, and when the handler sent the sources, the first text and the
    final answer. Beside the browser's figures they show where time goes: browser − sent is
    the socket and rendering; sent − in-process is the session, history and thread hops."""
    rows = [m.groupdict() for m in SERVER_LINE.finditer(log_text)][skip:]
    out: dict[str, Any] = {"answers": len(rows)}
    for key in ("sources", "text", "first_token", "final", "total"):
        values = [float(r[key]) / 1000 for r in rows if r[key] != "None"]
        if values:
            out[f"{key}_s"] = round(statistics.median(values), 2)
    return out


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summary(samples: list[Sample], wall_s: float) -> dict[str, Any]:
    first = [s.first_s for s in samples if s.first_s is not None and not s.error]
    full = [s.full_s for s in samples if s.full_s is not None and not s.error]
    found = [s.sources_s for s in samples if s.sources_s is not None and not s.error]
    errors = sum(bool(s.error) for s in samples)
    stats: dict[str, Any] = {
        "questions": len(samples),
        "errors": errors,
        "wall_s": round(wall_s, 1),
    }
    measured = (("sources_s", found), ("first_token_s", first), ("full_answer_s", full))
    for name, values in measured:
        if values:
            stats[name] = {"median": round(statistics.median(values), 2),
                           "p95": round(p95(values), 2), "max": round(max(values), 2)}  # fmt: skip
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="use a running server instead of starting one")
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--questions", type=int, default=3, help="per session")
    parser.add_argument("--backend", default="extractive", help="for the started server")
    parser.add_argument("--data-dir", type=Path, help="data folder with an index (else: temp)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per question")
    parser.add_argument("--out", type=Path, help="also write the samples and summary as JSON")
    parser.add_argument(
        "--cold", action="store_true", help="no untimed warm-up question (measure model loading)"
    )
    parser.add_argument(
        "--upload-during",
        type=int,
        default=0,
        metavar="N",
        help="an extra session uploads N generated articles as the questions start",
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")

    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        upload = upload_file(Path(tmp), args.upload_during) if args.upload_during else None
        started = time.perf_counter()
        ready_s = None
        if args.url:
            samples, indexed_s = asyncio.run(
                run(args.url, args.sessions, args.questions, args.timeout, not args.cold, upload)
            )
        else:
            data_dir = args.data_dir or Path(tmp) / ".rag"
            build_index(data_dir)
            log = REPO / "evals" / "reports" / "bench-ui-server.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            launched = time.perf_counter()
            with server(data_dir, args.backend, log) as url:
                ready_s = wait_ready(log, launched, args.timeout)
                started = time.perf_counter()
                samples, indexed_s = asyncio.run(
                    run(url, args.sessions, args.questions, args.timeout, not args.cold, upload)
                )
        result = summary(samples, time.perf_counter() - started)
        result["server_ready_s"] = ready_s
        if not args.url:  # what the server logged, medians (see server_figures)
            result["server"] = server_figures(log.read_text(errors="replace"), int(not args.cold))
        if upload is not None:
            result["upload"] = {"articles": args.upload_during, "indexed_s": indexed_s}

    for s in samples:
        if s.error:
            print(f"error: session {s.session} {s.question!r}: {s.error}")
    header = {"sessions": args.sessions, "backend": args.backend, "warm": not args.cold}
    # server_ready_s: launch → "ready to answer" in the log (index, embedder, LLM loaded)
    print(json.dumps({**header, **result}, indent=2))
    if args.out:
        args.out.write_text(json.dumps({"summary": result, "samples": [asdict(s) for s in samples]},
                                       indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
