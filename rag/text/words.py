"""Words of a text as the answer path compares them: content words, numbers, overlap."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9%‰]+(?:[.,][0-9]+)*")
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
STOPWORDS = frozenset(
    (
        "a an and are as at be by did do does for from has have how in is it its of on or that "
        "the their this to was were what when where which who why will with about into than "
        "then there these those they them he she his her our we you your i me my so such"
    ).split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased words without stopwords (a crude stem drops a plural/possessive 's'),
    and the character pairs of Chinese runs: Chinese has no spaces, and single characters
    are too common to tell passages apart ("出生率" → "出生", "生率")."""
    lowered = unicodedata.normalize("NFKC", text).lower()
    words = set()
    for w in _WORD.findall(_HAN_RUN.sub(" ", lowered.replace("'s", ""))):
        if w in STOPWORDS:
            continue
        words.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    for run in _HAN_RUN.findall(lowered):
        words.update(run[i : i + 2] for i in range(len(run) - 1)) if len(run) > 1 else words.add(
            run
        )
    return words


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*%?")


def numbers_match(claim: str, evidence: str) -> bool:
    """Every number of the claim (14%, 290,000, 2026) also appears in the evidence."""
    return set(_NUMBER.findall(claim)) <= set(_NUMBER.findall(evidence))


def lexical_support(claim: str, evidence: str) -> float:
    """Share of the claim's content words found in the evidence (0..1)."""
    claim_words = content_words(claim)
    if not claim_words:
        return 0.0
    return len(claim_words & content_words(evidence)) / len(claim_words)
