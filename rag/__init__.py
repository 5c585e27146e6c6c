"""Chat with news articles: answers with verified [n] citations, offline.

    from rag import Assistant
    assistant = Assistant.open()
    answer = assistant.ask("What is Xiaomi's Africa strategy?")

This is the public API; the command line (rag/cli/) and the chat UI (ui/) use nothing else
besides the shapes (rag.models), settings (rag.config) and errors (rag.errors). Importing
`rag` is cheap: the heavy parts (torch, faiss, llama.cpp) load on first use.

A question's path through the packages: rag/retrieve/ (prepare the query, hybrid search)
→ rag/answer/ (quarantine, evidence, answerability, generate or extract, verify, the
reply); the index is built by rag/ingest/ from rag/corpus/ (files → articles → chunks)
with rag/embed/ into rag/store/. rag/answer/pipeline.py reads top to bottom.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import TYPE_CHECKING, Any

# Scoring a query is a few matrix-vector products; OpenBLAS threads would only fight torch
# for the cores (measured: query encoding 21 → 48 ms median with both on 2 cores).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.chat import ChatSession
    from rag.config import Settings
    from rag.corpus import SUPPORTED_SUFFIXES, article_to_markdown, load_file, parse_search_export
    from rag.corpus.loaders import read_text
    from rag.errors import RagError
    from rag.models import (
        Answer,
        AnswerCheck,
        Article,
        ArticleRecord,
        Chunk,
        Citation,
        Hit,
        IndexStats,
        IngestReport,
        ProgressFactory,
        SearchFilters,
        SourcesFound,
        Turn,
    )
    from rag.store.migrate import migrate_index
    from rag.text.language import language_of, say

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Answer",
    "AnswerCheck",
    "Article",
    "ArticleRecord",
    "Assistant",
    "ChatSession",
    "Chunk",
    "Citation",
    "Hit",
    "IndexStats",
    "IngestReport",
    "ProgressFactory",
    "RagError",
    "SearchFilters",
    "Settings",
    "SourcesFound",
    "Turn",
    "article_to_markdown",
    "language_of",
    "load_file",
    "migrate_index",
    "parse_search_export",
    "read_text",
    "say",
]

_HOMES = {
    "Assistant": "rag.assistant",
    "ChatSession": "rag.chat",
    "Settings": "rag.config",
    "RagError": "rag.errors",
    "migrate_index": "rag.store.migrate",
    "language_of": "rag.text.language",
    "say": "rag.text.language",
    "read_text": "rag.corpus.loaders",
    **{
        name: "rag.corpus"
        for name in (
            "SUPPORTED_SUFFIXES",
            "article_to_markdown",
            "load_file",
            "parse_search_export",
        )
    },
    **{
        name: "rag.models"
        for name in (
            "Answer",
            "AnswerCheck",
            "Article",
            "ArticleRecord",
            "Chunk",
            "Citation",
            "Hit",
            "IndexStats",
            "IngestReport",
            "ProgressFactory",
            "SearchFilters",
            "SourcesFound",
            "Turn",
        )
    },
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
