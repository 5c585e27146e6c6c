"""Optional LLM judge of faithfulness: is every claim of an answer stated in its cited quotes?

Only used with `rag eval --judge` on an `openai` backend (a model served elsewhere, ideally
larger than the one answering). The product verifier's `grounded` stays the main metric.
"""

from __future__ import annotations

import re

from rag.errors import LLMError
from rag.llm.base import LLM, Message, complete

JUDGE_PROMPT = (
    "You check answers against sources. Reply YES if every factual claim in the ANSWER is "
    "stated in the SOURCES, otherwise reply NO. Reply with one word."
)
VERDICT = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


def judge_messages(answer: str, quotes: list[str]) -> list[Message]:
    """The judge prompt for one answer and its cited quotes."""
    sources = "\n".join(f"- {q}" for q in quotes) or "- (none)"
    user = f"SOURCES:\n{sources}\n\nANSWER:\n{answer}\n\nAre all claims supported? YES or NO."
    return [{"role": "system", "content": JUDGE_PROMPT}, {"role": "user", "content": user}]


def judge_faithful(llm: LLM, answer: str, quotes: list[str]) -> float | None:
    """1.0 (supported), 0.0 (not), or None when the judge fails or replies off-format."""
    try:
        reply = complete(llm, judge_messages(answer, quotes), max_tokens=4)
    except LLMError:
        return None
    found = VERDICT.search(reply)
    if not found:
        return None
    return 1.0 if found.group(1).lower() == "yes" else 0.0
