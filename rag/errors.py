"""Our exceptions. Each message tells the user what to do next.

RagError
├── ConfigError            bad settings or a missing optional dependency
├── InputError             a question or file we cannot use
│   └── LoaderError        one file could not be read as an article (skipped during ingest)
├── IndexError_            the index is missing, corrupt, locked or built differently
│   ├── IndexMissingError
│   ├── IndexMismatchError
│   ├── IndexLockedError
│   └── DiskFullError      no space left while writing the index (the previous one is kept)
└── LLMError               the language model failed (unreachable, timeout, bad model file)
"""

from __future__ import annotations


class RagError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(RagError):
    """A setting is wrong or an optional dependency is missing."""


class InputError(RagError):
    """A question or input file cannot be used as given."""


class LoaderError(InputError):
    """A file could not be loaded as an article."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(RagError):
    """The index cannot be used."""


class IndexMissingError(IndexError_):
    """No index has been built yet."""


class IndexMismatchError(IndexError_):
    """The index was built with other settings (model, chunking)."""


class IndexLockedError(IndexError_):
    """Another ingest holds the lock."""


class DiskFullError(IndexError_):
    """The disk holding the index filled up during an ingest."""


class LLMError(RagError):
    """The language model could not answer."""
