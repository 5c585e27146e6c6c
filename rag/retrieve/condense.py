"""Follow-up questions before retrieval: one that refers back ("When will it ship?") is
rewritten into a standalone question (by the LLM when there is one, else by a rule); one
that names its own subject is searched as it is."""

from __future__ import annotations

import re

from rag.errors import LLMError
from rag.llm.base import LLM, Message, complete
from rag.models import Turn
from rag.text.words import content_words

REFERRING = re.compile(
    r"\b(it|its|it's|they|their|them|there|that|this|these|those|he|his|she|her|the company|"
    r"the same|else|also|more)\b|^(and|what about|how about)\b",
    re.IGNORECASE,
)
CONDENSE_PROMPT = (
    "You rewrite follow-up questions; you never answer them. Rewrite the follow-up question "
    "as one standalone question that names the people, companies, places and topics it refers "
    "to. Reply with the rewritten question only.\n\n"
    "Example:\nUser: What did Apple announce in Paris?\nFollow-up question: When will it ship?\n"
    "Standalone question: When will the product Apple announced in Paris ship?"
)


def rule_based_condense(question: str, history: list[Turn]) -> str:
    """Prefix a follow-up that refers back (pronouns, very short) with the previous question."""
    if not history:
        return question
    if REFERRING.search(question) or len(question.split()) < 5:
        return f"{history[-1].question} {question}"
    return question


NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]*")  # a capitalised word past the start


def stands_alone(question: str) -> bool:
    """A follow-up that needs no rewrite: no word referring back, at least five words, and a
    name of its own ("How many followers did Lei Jun lose?"). Chinese questions, and "What
    share does the leader hold?", are rewritten: nothing cheap tells what they refer to."""
    return (
        not REFERRING.search(question)
        and len(question.split()) >= 5
        and any(m.group() != "I" for m in NAME.finditer(question.strip()))
    )


def looks_like_rewrite(candidate: str, question: str) -> bool:
    """Small models sometimes answer instead of rewriting: accept only a question that keeps
    most of the follow-up's words."""
    words = content_words(question)
    kept = len(words & content_words(candidate)) / len(words) if words else 1.0
    return (
        candidate.endswith(("?", "？"))
        and kept >= 0.5
        and len(candidate) <= 4 * len(question) + 200
    )


def condense_with_llm(llm: LLM, question: str, history: list[Turn]) -> str:
    """The LLM's standalone rewrite of the follow-up, or the rule's when the model fails or
    answers instead of rewriting."""
    recent = history[-2:]
    convo = "\n".join(f"User: {t.question}\nAssistant: {t.answer[:300]}" for t in recent)
    messages: list[Message] = [
        {"role": "system", "content": CONDENSE_PROMPT},
        {
            "role": "user",
            "content": f"{convo}\nFollow-up question: {question}\nStandalone question:",
        },
    ]
    try:
        rewritten = complete(llm, messages, max_tokens=48).strip().strip('"').splitlines()
    except LLMError:
        return rule_based_condense(question, history)
    candidate = rewritten[0].strip() if rewritten else ""
    if not looks_like_rewrite(candidate, question):
        return rule_based_condense(question, history)
    return candidate
