"""Citation verification: every answer sentence must be supported by the passage it cites.

For each sentence of a generated answer: markers pointing at no source are removed; a
cited passage must contain a sentence similar enough (cosine + word overlap, threshold
in Settings); a missing or wrong marker is replaced by the passage that clearly supports
the sentence, if any; otherwise the sentence is flagged unsupported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.evidence import Evidence, EvidenceSet, content_words, make_citation
from rag.models import Citation, Hit

MARKER = re.compile(r"\s*\[(\d+)\]")
SENTENCE = re.compile(r".+?(?:[.!?。！？](?:\s*\[\d+\])*(?=\s|$)|$)", re.DOTALL)


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    grounded: float
    unsupported: list[str] = field(default_factory=list)


def split_answer(text: str) -> list[str]:
    """Answer sentences, each keeping the markers that follow its final punctuation."""
    return [m.group(0).strip() for m in SENTENCE.finditer(text.strip()) if m.group(0).strip()]


def _place_marker(sentence: str, n: int) -> str:
    body = MARKER.sub("", sentence).rstrip()
    if body and body[-1] in ".!?。！？":
        return f"{body[:-1]} [{n}]{body[-1]}"
    return f"{body} [{n}]"


class CitationVerifier:
    """Checks and repairs the [n] markers of an answer against the numbered sources."""

    def __init__(self, sources: list[Hit], evidence: EvidenceSet, threshold: float) -> None:
        self.sources = sources  # sources[n-1] is what the prompt called [n]
        self.evidence = evidence
        self.threshold = threshold

    def _number_of(self, item: Evidence) -> int:
        return next(i for i, h in enumerate(self.sources, 1) if h.chunk.id == item.hit.chunk.id)

    def _support(self, sentence: str, n: int) -> tuple[Evidence, float] | None:
        return self.evidence.best_in(sentence, self.sources[n - 1].chunk.id)

    def verify(self, text: str) -> Verified:
        cited: dict[int, Citation] = {}
        out: list[str] = []
        unsupported: list[str] = []
        claims = 0
        for sentence in split_answer(text):
            plain = MARKER.sub("", sentence).strip()
            if len(content_words(plain)) < 2:  # "Yes." / connective fragments: not claims
                out.append(MARKER.sub("", sentence))
                continue
            claims += 1
            markers = [int(n) for n in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(markers) if 1 <= n <= len(self.sources)]
            supported = [
                (n, s) for n in valid if (s := self._support(plain, n)) and s[1] >= self.threshold
            ]
            if supported:
                kept = "".join(f" [{n}]" for n, _ in supported)
                body = MARKER.sub("", sentence).rstrip()
                end = body[-1] if body and body[-1] in ".!?。！？" else ""
                out.append(f"{body[:-1] if end else body}{kept}{end}")
                for n, (item, score) in supported:
                    cited.setdefault(n, make_citation(n, item, score))
                continue
            ranked = self.evidence.rank(plain, paraphrase=True)
            if ranked and ranked[0][1] >= self.threshold:
                item, score = ranked[0]
                n = self._number_of(item)
                out.append(_place_marker(sentence, n))
                cited.setdefault(n, make_citation(n, item, score))
            else:
                out.append(MARKER.sub("", sentence))
                unsupported.append(plain)
        grounded = 1.0 if claims == 0 else (claims - len(unsupported)) / claims
        citations = [cited[n] for n in sorted(cited)]
        return Verified(" ".join(out), citations, round(grounded, 3), unsupported)
