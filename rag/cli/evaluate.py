"""`rag eval` (golden set), `rag eval beir` (BEIR protocol) and `rag eval rgb` (real news).

Heavy modules are imported inside the commands so that `rag --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from rag.cli.main import settings_from
from rag.cli.progress import tqdm_progress
from rag.evaluation.dataset import DEFAULT_DATASET

if TYPE_CHECKING:
    from rag import Assistant
    from rag.config import Settings
    from rag.evaluation.runner import ItemResult, RunResult

BACKENDS = ["llamacpp", "openai", "extractive"]


def _base_settings(ctx: click.Context, backend: str | None) -> Settings:
    settings = settings_from(ctx)
    return settings.model_copy(update={"llm_backend": backend}) if backend else settings


def _prepared_assistant(settings: Settings) -> Assistant:
    """Refresh the corpus index (incremental ingest), then warm up the embedder and LLM."""
    from rag import Assistant

    assistant = Assistant.open(settings, allow_empty=True)
    report = assistant.ingest(progress=tqdm_progress)
    click.echo(
        f"index: {report.articles} articles, {report.chunks} chunks "
        f"({report.chunks_embedded} embedded now) from {settings.corpus_dir}",
        err=True,
    )
    assistant.warm_up()  # models and the LLM's prompt cache: no item pays for loading
    return assistant


def _echo_item(n: int, total: int, item: ItemResult) -> None:
    from rag.evaluation.report import failure_reasons

    mark = "ok " if not failure_reasons(item) else "---"
    ms = item.timings_ms.get("total") or 0.0
    click.echo(f"[{n:>3}/{total}] {mark} {item.id:<34} {ms:>8.0f} ms", err=True)


def _judge(assistant: Assistant, run: RunResult) -> None:
    """Add `judge_faithfulness` (openai backend only), or a note saying why not."""
    from rag.evaluation import metrics
    from rag.evaluation.judge import judge_faithful

    if assistant.settings.llm_backend != "openai" or assistant.llm is None:
        run.notes.append("LLM judge skipped: it needs --backend openai (a served model).")
        return
    for item in run.items:
        if not item.refused and not item.error:
            item.scores["judge"] = judge_faithful(assistant.llm, item.answer, item.cited)
    run.summary["judge_faithfulness"] = metrics.mean(i.scores.get("judge") for i in run.items)


@click.group("eval", invoke_without_command=True)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="Answer backend [env RAG_LLM_BACKEND].",
)
@click.option(
    "--dataset",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_DATASET,
    show_default=True,
    help="Golden JSONL file.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default evals/reports/<backend>].",
)
@click.option(
    "--compare",
    "old",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="An earlier results.json: print deltas, mark regressions.",
)
@click.option(
    "--limit",
    type=click.IntRange(1),
    default=None,
    help="Only N items, taken round-robin over item types.",
)
@click.option("--judge", is_flag=True, help="Also ask the LLM to judge faithfulness (openai).")
@click.pass_context
def eval_group(
    ctx: click.Context,
    backend: str | None,
    dataset: Path,
    out: Path | None,
    old: Path | None,
    limit: int | None,
    judge: bool,
) -> None:
    """Evaluate answers on the golden set; `rag eval beir --help` for retrieval benchmarks."""
    if ctx.invoked_subcommand is not None:
        return
    from rag.evaluation import report
    from rag.evaluation.dataset import balanced_subset, load_golden
    from rag.evaluation.runner import run_golden

    settings = _base_settings(ctx, backend)
    items = balanced_subset(load_golden(dataset), limit)
    assistant = _prepared_assistant(settings)
    run = run_golden(assistant, items, str(dataset), progress=_echo_item)
    if judge:
        _judge(assistant, run)
    else:
        run.notes.append(
            "LLM judge not run (`--judge` with an openai backend); "
            "faithfulness is the product verifier's mean `grounded`."
        )
    deltas = report.compare(report.load_run(old), run) if old else None
    target = out or Path("evals/reports") / settings.llm_backend
    paths = report.write_outputs(run, target, deltas)
    click.echo("\n" + report.summary_table(run) + "\n\n" + report.speed_table(run))
    click.echo("\n" + report.per_type_table(run))
    if deltas:
        click.echo("\n" + report.deltas_table(deltas))
    click.echo("\nwrote " + ", ".join(str(p) for p in paths))


@eval_group.command("beir")
@click.option(
    "--data",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="BEIR dataset folder (corpus.jsonl, queries.jsonl, qrels/).",
)
@click.option("--split", type=click.Choice(["test", "train"]), default="test", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default evals/reports/beir-<dataset>-<split>].",
)
@click.option(
    "--limit-docs",
    type=click.IntRange(1),
    default=None,
    help="Index only the first N documents plus every judged-relevant one.",
)
@click.option("--limit-queries", type=click.IntRange(1), default=None, help="Only N queries.")
@click.pass_context
def beir(
    ctx: click.Context,
    data: Path,
    split: str,
    out: Path | None,
    limit_docs: int | None,
    limit_queries: int | None,
) -> None:
    """Retrieval benchmark on a BEIR dataset with our own ingest and hybrid search.

    Fusion weights come from the settings: e.g. RAG_WEIGHT_SENTENCE=0 RAG_WEIGHT_KEYWORD=0
    scores dense passages alone.
    """
    from rag.evaluation.beir import run_beir
    from rag.evaluation.beir_report import render_beir

    result = run_beir(
        _base_settings(ctx, None),
        data,
        split,
        limit_docs=limit_docs,
        limit_queries=limit_queries,
        progress=tqdm_progress,
    )
    target = out or Path("evals/reports") / f"beir-{data.name}-{split}"
    target.mkdir(parents=True, exist_ok=True)
    (target / "results.json").write_text(result.model_dump_json(indent=2), encoding="utf-8")
    text = render_beir(result)
    (target / "report.md").write_text(text, encoding="utf-8")
    click.echo("\n" + text + f"\nwrote {target / 'report.md'}, {target / 'results.json'}")


@eval_group.command("rgb")
@click.option(
    "--data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="An RGB file (zh_int.json, zh_fact.json, en_fact_dev.json).",
)
@click.option("--n", "n", type=click.IntRange(1), default=None, help="Sample N questions.")
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling seed.")
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default=None,
    help="Answer backend [env RAG_LLM_BACKEND].",
)
@click.option(
    "--counterfactual/--no-counterfactual",
    default=True,
    show_default=True,
    help="Also index the counterfactual passages (positive_wrong) and count fake answers.",
)
@click.option(
    "--baseline",
    is_flag=True,
    help="Also run the plain pipeline (dense top 5, RGB's prompt, no verification) on the "
    "same index and questions, and report both side by side (LLM backends).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Report folder [default evals/reports/rgb-<file>-<backend>].",
)
@click.pass_context
def rgb(
    ctx: click.Context,
    data: Path,
    n: int | None,
    seed: int,
    backend: str | None,
    counterfactual: bool,
    baseline: bool,
    out: Path | None,
) -> None:
    """Real news QA (RGB): pool the questions' passages, withhold a quarter of the answers,
    ask every question and score as the paper does (every answer element must appear)."""
    from rag.evaluation.rgb import run_rgb
    from rag.evaluation.rgb_report import render, write_outputs

    settings = _base_settings(ctx, backend)
    result = run_rgb(
        settings,
        data,
        n=n,
        seed=seed,
        counterfactual=counterfactual,
        progress=tqdm_progress,
        baseline=baseline,
    )
    target = out or Path("evals/reports") / f"rgb-{data.stem}-{settings.llm_backend}"
    paths = write_outputs(result, target)
    click.echo("\n" + render(result).split("## Failures")[0])
    click.echo("wrote " + ", ".join(str(p) for p in paths))
