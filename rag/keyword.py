"""The keyword side of hybrid search: a BM25 index (bm25s) over the chunks, English and Chinese.

Tokens are lower-cased, English stop words dropped and words stemmed (Snowball via
PyStemmer); runs of CJK characters are segmented with jieba (search mode, so both "智能手机"
and "手机" match). The index is rebuilt from the chunk texts at every ingest: BM25's idf is
global, rebuilding is cheap next to embedding, and it can never drift from the vectors.

We call bm25s directly rather than llama-index's BM25Retriever because fusion needs every
chunk's score for a query (z-score normalisation), not only a top-k list.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from rag.corpus.text import HAN
from rag.errors import IndexError_

TOKENIZER_VERSION = "en-snowball+jieba-v1"
KEYWORD_DIR = "bm25"
K1, B = 1.2, 0.75

_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\W_]+(?:['’.][^\W_]+)*")


@cache
def _stopwords() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_EN

    return frozenset(STOPWORDS_EN)


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Keyword tokens of a text: stemmed English words, jieba words for CJK runs."""
    stop = _stopwords()
    words: list[str] = []
    for run in _RUN.findall(text.lower()):
        if HAN.match(run):
            words.extend(w for w in _jieba().cut_for_search(run) if w.strip())
        else:
            run = run.replace("’", "'").removesuffix("'s")
            if run not in stop:
                words.append(run)
    latin = [w for w in words if not HAN.match(w)]
    stems = dict(zip(latin, _stemmer().stemWords(latin), strict=True))
    return [stems.get(w, w) for w in words]


class KeywordIndex:
    """BM25 scores for every chunk, rows in the same order as the vector store."""

    def __init__(self, ids: Sequence[str], model: Any) -> None:
        self.ids = list(ids)
        self._model = model

    @classmethod
    def build(cls, ids: Sequence[str], texts: Sequence[str]) -> KeywordIndex:
        import bm25s

        model = bm25s.BM25(k1=K1, b=B)
        if ids:
            model.index([tokenize(t) for t in texts], show_progress=False)
        return cls(ids, model)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk for `query` (zeros when no query word is indexed)."""
        tokens = tokenize(query)
        if not self.ids or not tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(tokens), dtype=np.float32)

    def save(self, folder: Path) -> None:
        target = folder / KEYWORD_DIR
        target.mkdir()
        (target / "ids.json").write_text(json.dumps(self.ids))
        if self.ids:
            self._model.save(str(target), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        target = folder / KEYWORD_DIR
        try:
            ids = json.loads((target / "ids.json").read_text())
            model = (
                bm25s.BM25.load(str(target), show_progress=False, verbosity=0)
                if ids
                else bm25s.BM25()
            )
        except (OSError, ValueError) as exc:
            raise IndexError_(
                f"the keyword index in {target} is damaged ({exc}); run `rag ingest --rebuild`"
            ) from exc
        return cls(ids, model)
