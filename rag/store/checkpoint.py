"""Vectors embedded by an ingest that has not committed yet, kept on disk by text hash, so
an ingest interrupted (killed, Ctrl-C, a crash) and run again embeds only what it had not
finished. The folder is named after the embedding model and removed after the commit."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from rag.embed import Embedder


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class Checkpoint:
    """embed(texts) → vectors, reusing those a previous, unfinished run stored."""

    def __init__(self, index_dir: Path, embedder: Embedder) -> None:
        model = getattr(embedder, "model_id", type(embedder).__name__)
        tag = hashlib.sha256(f"{model}|{embedder.dimension}".encode()).hexdigest()[:12]
        self.folder = index_dir / f".ingest-checkpoint-{tag}"
        self.embedder = embedder
        self._known: dict[str, tuple[int, int]] = {}
        self._files: dict[int, np.ndarray] = {}
        self._next = 0
        if self.folder.is_dir():
            self._read()

    def _read(self) -> None:
        for keys_file in sorted(self.folder.glob("batch-*.keys.npy")):
            number = int(keys_file.name.split("-")[1].split(".")[0])
            try:
                keys = np.load(keys_file)
                vectors = np.load(
                    keys_file.with_name(f"batch-{number:06d}.vectors.npy"), mmap_mode="r"
                )
            except (OSError, ValueError):
                continue  # a batch cut short by the interruption
            if len(vectors) != len(keys):
                continue
            self._files[number] = vectors
            for row, key in enumerate(keys.tolist()):
                self._known[key] = (number, row)
            self._next = max(self._next, number + 1)

    @property
    def reused(self) -> int:
        return len(self._known)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(t) for t in texts]
        first: dict[str, int] = {}
        for n, key in enumerate(keys):
            if key not in self._known:
                first.setdefault(key, n)  # a text repeated in the batch is embedded once
        if first:
            fresh = self.embedder.embed_passages([texts[n] for n in first.values()])
            self._write(np.array(list(first), dtype="U32"), fresh)
        out = np.zeros((len(texts), self.embedder.dimension), np.float32)
        for n, key in enumerate(keys):
            number, row = self._known[key]
            out[n] = self._files[number][row]
        return out

    def _write(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        number = self._next
        self._next += 1
        vec_path = self.folder / f"batch-{number:06d}.vectors.npy"
        tmp = vec_path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            np.save(fh, np.asarray(vectors, np.float32))
            fh.flush()
            os.fsync(fh.fileno())
        tmp.replace(vec_path)
        key_tmp = self.folder / f"batch-{number:06d}.keys.tmp"
        with key_tmp.open("wb") as fh:
            np.save(fh, keys)
            fh.flush()
            os.fsync(fh.fileno())
        key_tmp.replace(self.folder / f"batch-{number:06d}.keys.npy")
        self._files[number] = np.load(vec_path, mmap_mode="r")
        for row, key in enumerate(keys.tolist()):
            self._known[key] = (number, row)

    def clear(self) -> None:
        self._files.clear()
        shutil.rmtree(self.folder, ignore_errors=True)
