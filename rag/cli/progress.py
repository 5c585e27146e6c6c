"""A tqdm progress bar on stderr in the shape `ingest` expects (total, label) → tick(n)."""

from __future__ import annotations

import sys
from collections.abc import Callable


def tqdm_progress(total: int, label: str) -> Callable[[int], None]:
    """A bar that closes itself when full."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="item", file=sys.stderr, leave=True)

    def tick(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return tick
