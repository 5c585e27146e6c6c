"""Keyword tokens (the BM25 index itself lives in rag/store/keyword.py, with the stores)."""

from rag.store.keyword import TOKENIZER_VERSION, tokenize

__all__ = ["TOKENIZER_VERSION", "tokenize"]
