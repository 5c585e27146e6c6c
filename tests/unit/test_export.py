"""The search-export importer on the real seed file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from rag.cli import cli
from rag.corpus import load_file, parse_search_export
from tests.conftest import FIXTURES

SEED = FIXTURES / "seed_search_export.txt"


def test_seed_export_gives_two_articles_with_metadata() -> None:
    articles = parse_search_export(SEED.read_text(encoding="utf-8"), SEED)
    assert [a.source for a in articles] == ["Bei Jing Shang Bao", "创业邦"]
    assert articles[0].title == "五天两场直播,雷军重拾“不服就干”"
    assert articles[1].published == datetime(2025, 9, 1, 3, 48, tzinfo=UTC)
    assert "first direct store in Morocco" in articles[1].text


def test_paragraph_references_are_stripped_and_sections_kept() -> None:
    africa = parse_search_export(SEED.read_text(encoding="utf-8"), SEED)[1]
    assert "[15]" not in africa.text and "][" not in africa.text
    assert "## Group 1: Market Strategy" in africa.text
    assert "- The company aims to capture a share of the smartphone market" in africa.text


def test_txt_loader_recognises_an_export() -> None:
    assert len(load_file(SEED)) == 2


def test_import_export_command_writes_markdown(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import-export", str(SEED), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(tmp_path.glob("*.md"))
    assert len(written) == 2
    reloaded = load_file(written[0])[0]
    assert reloaded.source in {"Bei Jing Shang Bao", "创业邦"}
    assert reloaded.published is not None
