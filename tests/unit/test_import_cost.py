"""Nothing heavy at import time: the CLI, the facade and the default embedder's module load
without torch, llama-index, llama.cpp, FAISS or pymilvus (a cold `rag ask` paid ~2 s for
llama-index when the e5 module imported its wrapper)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "llama_index.core", "llama_cpp", "sentence_transformers", "faiss", "pymilvus")


def test_the_cli_and_the_facade_import_nothing_heavy() -> None:
    code = (
        "import sys; import rag.cli, rag.assistant, rag.embed.e5, rag.embed, rag.answer.pipeline; "
        f"print([m for m in {HEAVY!r} if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]", done.stdout
