"""Copy files attached in the chat into the uploads folder, ready for ingest."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rag.corpus import SUPPORTED_SUFFIXES

UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


@dataclass
class SavedUploads:
    """Where each accepted upload was saved (path → the user's file name), and what was not."""

    names: dict[str, str] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [Path(p) for p in self.names]


def safe_name(name: str) -> str:
    """A file name without folders or odd characters; keeps the extension."""
    cleaned = UNSAFE.sub("_", Path(name).name).strip(" .") or "upload"
    return cleaned[:120]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _target(folder: Path, name: str, source: Path) -> Path:
    """The path to save to: the plain name, unless another file already has it."""
    target = folder / safe_name(name)
    if not target.exists() or _digest(target) == _digest(source):
        return target
    return target.with_name(f"{target.stem}-{_digest(source)[:8]}{target.suffix}")


def save_uploads(files: Iterable[tuple[str, Path]], folder: Path) -> SavedUploads:
    """Copy (name, temporary path) pairs into `folder`; unsupported types are rejected.

    A new file never overwrites another upload of the same name (it gets a suffix), so
    nothing indexed before is replaced by accident.
    """
    folder.mkdir(parents=True, exist_ok=True)
    saved = SavedUploads()
    for name, source in files:
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            saved.rejected.append(
                f"{name}: unsupported file type; use one of {', '.join(SUPPORTED_SUFFIXES)}"
            )
            continue
        target = _target(folder, name, source)
        shutil.copyfile(source, target)
        saved.names[str(target)] = name
    return saved


def discard_failed(skipped: Iterable[str], saved: SavedUploads) -> None:
    """Delete saved uploads that ingest skipped ('path: reason' lines): they hold no article."""
    for line in skipped:
        path = line.partition(": ")[0]
        if path in saved.names:
            Path(path).unlink(missing_ok=True)
