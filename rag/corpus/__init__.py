"""Corpus: files → Articles (Markdown with front matter, text, HTML, PDF, JSON, search exports)."""

from rag.corpus.export import parse_search_export
from rag.corpus.loaders import SUPPORTED_SUFFIXES, iter_files, load_file
from rag.corpus.writer import article_to_markdown

__all__ = [
    "SUPPORTED_SUFFIXES",
    "article_to_markdown",
    "iter_files",
    "load_file",
    "parse_search_export",
]
