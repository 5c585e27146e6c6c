"""Vector store backends behind one interface, and the on-disk index with its manifest."""

from rag.store.base import VectorStore
from rag.store.index import Index
from rag.store.manifest import ArticleRecord, Manifest

__all__ = ["ArticleRecord", "Index", "Manifest", "VectorStore"]
