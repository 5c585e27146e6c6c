"""Read an index of format <= 3 (generation folders `gen-*` with FAISS files, chunks.jsonl
and a bm25s folder) so `rag ingest` can import it into the current store without
re-embedding anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from rag.errors import IndexError_
from rag.models import Chunk
from rag.store.manifest import Manifest

CURRENT = "CURRENT"


def legacy_folder(index_dir: Path) -> Path | None:
    """The live generation folder of an old-format index, if `index_dir` holds one."""
    pointer = index_dir / CURRENT
    if not pointer.exists():
        return None
    folder = index_dir / pointer.read_text().strip()
    return folder if folder.is_dir() else None


def read_manifest(folder: Path) -> Manifest:
    try:
        return Manifest.model_validate_json((folder / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise IndexError_(
            f"the old index in {folder} is unreadable ({exc}); run `rag ingest --rebuild`"
        ) from exc


def _faiss_rows(folder: Path, prefix: str) -> tuple[list[str], np.ndarray] | None:
    import faiss

    path = folder / f"{prefix}vectors.faiss"
    if not path.exists():
        return None
    index = faiss.read_index(str(path))
    ids = json.loads((folder / f"{prefix}vector_ids.json").read_text())
    matrix = index.reconstruct_n(0, index.ntotal) if index.ntotal else np.zeros((0, index.d))
    return ids, np.asarray(matrix, np.float32)


def read_legacy(
    folder: Path, batch: int = 2000
) -> Iterator[tuple[list[Chunk], np.ndarray, dict[str, np.ndarray]]]:
    """Batches of (chunks, passage vectors, sentence vectors by chunk id); sentence vectors
    only where the old format's sentence splitting is still ours (format 3)."""
    manifest = read_manifest(folder)
    with (folder / "chunks.jsonl").open(encoding="utf-8") as fh:
        chunks = {c.id: c for c in (Chunk.model_validate_json(x) for x in fh if x.strip())}
    passages = _faiss_rows(folder, "")
    if passages is None:
        raise IndexError_(f"{folder} has no vectors; run `rag ingest --rebuild`")
    sentences = _faiss_rows(folder, "sentence_") if manifest.format_version >= 3 else None
    by_chunk: dict[str, list[int]] = {}
    if sentences is not None:
        for row, sid in enumerate(sentences[0]):
            by_chunk.setdefault(sid.rsplit("#", 1)[0], []).append(row)
    ids, matrix = passages
    for start in range(0, len(ids), batch):
        part = ids[start : start + batch]
        sent = {}
        if sentences is not None:
            for cid in part:
                rows = sorted(
                    by_chunk.get(cid, []), key=lambda r: int(sentences[0][r].rsplit("#", 1)[1])
                )
                if rows:
                    sent[cid] = sentences[1][rows]
        yield [chunks[c] for c in part], matrix[start : start + batch], sent
