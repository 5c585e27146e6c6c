"""The `rag` command line: thin commands over the public API (`from rag import ...`), one
module per group: asking (questions.py), the index (index.py), the chat UI (serve.py) and
the evaluation suite (evaluate.py)."""

from __future__ import annotations

from rag.cli.evaluate import eval_group
from rag.cli.index import import_export, ingest, migrate, stats
from rag.cli.main import cli
from rag.cli.questions import ask, chat, search
from rag.cli.serve import ui

for command in (ingest, search, ask, chat, ui, stats, migrate, import_export, eval_group):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="rag")


if __name__ == "__main__":
    main()
