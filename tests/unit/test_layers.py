"""The import contracts in pyproject.toml (import-linter) hold for the code as it is, and
fail when a module crosses a layer or closes an import circle (checked on a copy)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for name in ("rag", "ui"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def add_line(module: Path, line: str) -> None:
    text = module.read_text(encoding="utf-8")
    module.write_text(text + f"\n{line}\n", encoding="utf-8")


def test_the_code_keeps_its_contracts() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_a_store_importing_the_facade_breaks_the_layers(copy: Path) -> None:
    add_line(
        copy / "rag/store/base.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rag.assistant import Assistant",
    )
    done = lint(copy)
    assert done.returncode != 0
    assert "rag.store.base -> rag.assistant" in done.stdout


def test_the_ui_reaching_into_the_store_is_forbidden(copy: Path) -> None:
    add_line(copy / "ui/shared.py", "from rag.store.manifest import FORMAT_VERSION")
    done = lint(copy)
    assert done.returncode != 0
    assert "ui.shared -> rag.store.manifest" in done.stdout


def test_a_circle_inside_a_stage_is_caught(copy: Path) -> None:
    # extract.py imports evidence.py; evidence.py importing extract.py closes a circle that
    # no layer sees (both are in rag.answer)
    add_line(copy / "rag/answer/evidence.py", "from rag.answer import extract")
    done = lint(copy)
    assert done.returncode != 0
    assert "No import circles" in done.stdout and "BROKEN" in done.stdout
