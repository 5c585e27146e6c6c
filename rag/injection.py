"""Passages that address the assistant instead of the reader are kept out of the prompt.

An article is data. Text in it that gives orders to an AI ("ignore previous instructions",
"reply only with…", "reveal your system prompt", "忽略之前的指令") is no news: a passage that
holds such an instruction is left out of the context and the extractive answer, whatever
its score, and the answer's notice says so. This is a structural defence beside the
prompt's fencing and the citation verifier: a small model need not resist the instruction
if it never sees it.
"""

from __future__ import annotations

import re

from rag.models import Hit

_EN = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.\n]{0,40}\b(previous|prior|above|earlier|all|any|"
    r"your|the)\b[^.\n]{0,20}\b(instructions?|rules?|prompts?|directions?|guidelines?)\b"
    r"|\byou are now\b|\b(system|developer) (prompt|message)\b"
    r"|\b(reveal|print|show|repeat|output|disclose)\b[^.\n]{0,30}\b(your|the)\s+(prompt|"
    r"instructions|rules)\b"
    r"|\b(reply|respond|answer)\s+only\s+with\b|\bdebug mode\b"
    r"|\b(assistants?|ai|chatbots?|language models?|llms?)\b[^.\n]{0,30}\b(must|should|shall)\s+"
    r"(always|only|never|cite|answer|reply|say)\b"
    r"|\b(always|only)\s+cite\s+(this|source|\[)",
    re.IGNORECASE,
)
_ZH = re.compile(
    r"(忽略|无视|忘记|忘掉)(之前|以上|前面|上述|所有|全部|你的)?的?(指令|指示|规则|提示|要求)"
    r"|你现在是|系统提示|(只|仅)(能|可以)?(回答|回复|输出)[“\"']"
    r"|(助手|人工智能|AI|模型)(必须|应该|只能)(回答|引用|回复|说)"
)


def addresses_assistant(text: str) -> bool:
    """The text holds an instruction to an AI assistant (English or Chinese)."""
    return bool(_EN.search(text) or _ZH.search(text))


def quarantine(hits: list[Hit]) -> tuple[list[Hit], list[Hit]]:
    """(hits to answer from, hits left out because they address the assistant), ranks kept
    consecutive in the first."""
    kept = [h for h in hits if not addresses_assistant(f"{h.chunk.title}\n{h.chunk.text}")]
    left_out = [h for h in hits if h not in kept]
    return [h.model_copy(update={"rank": n}) for n, h in enumerate(kept, start=1)], left_out
