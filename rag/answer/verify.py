"""Citation verification: every answer sentence must be supported by the passage it cites.

For each sentence of a generated answer: markers pointing at no source are removed; a
cited passage must contain a sentence similar enough (cosine + word overlap, threshold
in Settings); a missing or wrong marker is replaced by the passage that clearly supports
the sentence, if any; otherwise the sentence is flagged unsupported.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rag.answer.evidence import Evidence, EvidenceSet, make_citation
from rag.models import Citation, Hit
from rag.text.dates import digits, rewrite_dates, whole_dates_in
from rag.text.sentences import ABBREVIATION as _ABBREVIATION
from rag.text.sentences import HAN
from rag.text.words import content_words

MARKER = re.compile(r"\s*\[(\d+)\]")
SENTENCE = re.compile(r".+?(?:[.!?。！？](?:\s*\[\d+\])*(?=\s|$)|$)", re.DOTALL)


@dataclass
class Verified:
    text: str
    citations: list[Citation]
    grounded: float
    unsupported: list[str] = field(default_factory=list)


def split_answer(text: str) -> list[str]:
    """Answer sentences, each keeping the markers that follow its final punctuation (no
    break after an abbreviation such as "U.S.")."""
    out: list[str] = []
    for m in SENTENCE.finditer(text.strip()):
        piece = m.group(0).strip()
        if not piece:
            continue
        if out and _ABBREVIATION.search(out[-1][-12:]):
            out[-1] = f"{out[-1]} {piece}"
        else:
            out.append(piece)
    return out


CLAUSE = re.compile(r"[，；;]|,\s+(?:and|while|but)\s+|\s+and\s+(?=[A-Z\d])")
SHORT_CLAIM = 30  # characters: "Germany", "2017年3月3日", "Simona Halep", "10.48‰"


def canonical(text: str) -> str:
    """Text compared character for character: width and case folded, dates written one way
    ("2020年11月24日", "2020-11-24", "Nov 24, 2020" → "20201124"), no spaces or punctuation."""
    text = rewrite_dates(unicodedata.normalize("NFKC", text), digits).lower()
    return re.sub(r"[\W_]+", "", text)


def is_short(claim: str) -> bool:
    """A bare answer (a name, a figure, a date) rather than a sentence."""
    return len(claim.rstrip(".。!！")) <= SHORT_CLAIM and len(claim.split()) <= 5


_NOT_ANSWERS = frozenset("yes no ok sure 是 否 是的 不是 对 不对".split())


def is_answer(claim: str) -> bool:
    """A short text that can be an answer (not "Yes.", not punctuation)."""
    key = canonical(claim)
    return key not in _NOT_ANSWERS and (
        len(key) >= 2 or bool(re.search(r"\d|[\u4e00-\u9fff]", key))
    )


def contains_claim(claim: str, passage: str) -> bool:
    """A short answer is supported by a passage that states it (dates in any format)."""
    wanted = canonical(claim)
    return bool(wanted) and wanted in canonical(passage)


LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")


def same_script(claim: str, sentence: str) -> bool:
    """Names a claim writes in Latin letters are written so in a Chinese sentence that
    supports it: "James Cameron" is not what a Chinese passage says (詹姆斯·卡梅隆),
    however close their vectors are. (A Chinese claim may restate an English sentence.)"""
    if not HAN.search(sentence):
        return True
    written = sentence.lower()
    return all(word.lower() in written for word in LATIN_WORD.findall(claim))


def whole_dates(text: str) -> set[str]:
    """The whole dates (day, month and year) a text states, each written one way."""
    return {digits(*d) for d in whole_dates_in(unicodedata.normalize("NFKC", text))}


def _with_markers(sentence: str, numbers: list[int]) -> str:
    """The sentence without its markers, then `numbers` before its final punctuation."""
    kept = "".join(f" [{n}]" for n in numbers)
    body = MARKER.sub("", sentence).rstrip()
    end = body[-1] if body and body[-1] in ".!?。！？" else ""
    return f"{body[:-1] if end else body}{kept}{end}"


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

    def _stated_by(
        self, claim: str, numbers: list[int], others: bool = True
    ) -> list[tuple[int, Evidence]]:
        """The cited sources with a sentence that states a short answer; when none of them
        does (and `others`), the first other source that does."""

        def states(n: int) -> Evidence | None:
            chunk_id = self.sources[n - 1].chunk.id
            return next(
                (
                    e
                    for e in self.evidence.items
                    if e.hit.chunk.id == chunk_id and contains_claim(claim, e.sentence)
                ),
                None,
            )

        found = [(n, e) for n in numbers if (e := states(n)) is not None]
        if found or not others:
            return found
        for n in range(1, len(self.sources) + 1):
            if (e := states(n)) is not None:
                return [(n, e)]
        return []

    def _supports(
        self, claim: str, cited: list[int], others: bool = True
    ) -> list[tuple[int, Evidence, float]]:
        """Who supports a claim: the cited sources that state it word for word or say it in
        other words (score ≥ threshold), else (`others`) the best other source that does;
        [] if none."""
        if is_answer(claim):
            stated = self._stated_by(claim, cited, others)
            if stated:  # dates compared in any format
                return [(n, item, 1.0) for n, item in stated]
        if len(content_words(claim)) < 2:
            return []
        found = [
            (n, s[0], s[1])
            for n in cited
            if (s := self._support(claim, n))
            and s[1] >= self.threshold
            and same_script(claim, s[0].sentence)
        ]
        if found or not others:
            return found
        ranked = self.evidence.rank(claim, paraphrase=True)
        if ranked and ranked[0][1] >= self.threshold and same_script(claim, ranked[0][0].sentence):
            item, score = ranked[0]
            return [(self._number_of(item), item, score)]
        return self._dated(claim, ranked)

    def _dated(
        self, claim: str, ranked: list[tuple[Evidence, float]]
    ) -> list[tuple[int, Evidence, float]]:
        """A sentence that gives a whole date ("… is August 22, 2021.") is supported by the
        sentence closest to it that states that date, when that sentence is on the same
        subject (half the threshold): "premiered on August 22, 2021" words it otherwise."""
        dates = whole_dates(claim)
        if not dates:
            return []
        for item, score in ranked:
            if score < self.threshold / 2:
                break
            if dates <= whole_dates(item.sentence):
                return [(self._number_of(item), item, score)]
        return []

    def _supports_parts(self, claim: str, cited: list[int]) -> list[tuple[int, Evidence, float]]:
        """A compound sentence ("网易营收965亿元，腾讯营收5545亿元") is supported when each of
        its clauses is, possibly by different sources."""
        clauses = [c for c in CLAUSE.split(claim) if c.strip()]
        if len(clauses) < 2:
            return []
        found: list[tuple[int, Evidence, float]] = []
        for clause in clauses:
            mine = self._supports(clause.strip(), cited)
            if not mine and (is_answer(clause) or len(content_words(clause)) >= 2):
                return []
            found += mine
        return found

    def verify(self, text: str) -> Verified:
        cited: dict[int, Citation] = {}
        out: list[str] = []
        unsupported: list[str] = []
        claims = 0
        for sentence in split_answer(text):
            plain = MARKER.sub("", sentence).strip()
            markers = [int(n) for n in MARKER.findall(sentence)]
            valid = [n for n in dict.fromkeys(markers) if 1 <= n <= len(self.sources)]
            bare = is_short(plain) and is_answer(plain)
            if (len(content_words(plain)) < 2 and not bare) or plain.endswith(("?", "？")):
                out.append(MARKER.sub("", sentence))  # "Yes." / connectives / questions: not claims
                continue
            claims += 1
            # the cited sources first; then each clause on its own (a compound sentence may
            # join two sources); only then the one other source closest to the whole
            found = (
                self._supports(plain, valid, others=False)
                or self._supports_parts(plain, valid)
                or self._supports(plain, valid)
            )
            if not found:
                out.append(MARKER.sub("", sentence))
                unsupported.append(plain)
                continue
            numbers = list(dict.fromkeys(n for n, _, _ in found))
            out.append(_with_markers(sentence, numbers))
            for n, item, score in found:
                cited.setdefault(n, make_citation(n, item, score))
        grounded = 1.0 if claims == 0 else (claims - len(unsupported)) / claims
        citations = [cited[n] for n in sorted(cited)]
        return Verified(" ".join(out), citations, round(grounded, 3), unsupported)
