"""Follow-up questions before retrieval: one that refers back ("When will it ship?") is
rewritten into a standalone question (by the LLM when there is one, else by a rule); one
that names its own subject is searched as it is."""

from __future__ import annotations

import re

from rag.errors import LLMError
from rag.llm.base import LLM, Message, complete
from rag.models import Turn
from rag.text.language import is_cjk
from rag.text.sentences import HAN
from rag.text.words import content_words

REFERRING = re.compile(
    r"\b(it|its|it's|they|their|them|there|that|this|these|those|he|his|she|her|the company|"
    r"the same|else|also|more)\b|^(and|what about|how about)\b",
    re.IGNORECASE,
)
# 它/他们 (it, they), 其/该/此 (its, the said, this), 这/那 (this, that), 上述 (the above),
# 还有/那么 opening a follow-up, 呢 closing one ("那份额呢？": and the share?)
ZH_REFERRING = re.compile(r"[它他她]|其|该|此|这|那|上述|前者|后者|^(还有|那么)|呢[？?]?$")
ZH_STANDALONE_CHARS = 6  # "雷军掉了多少粉丝" names its subject; "排名第几？" does not
CONDENSE_PROMPT = (
    "You rewrite follow-up questions; you never answer them. Rewrite the follow-up question "
    "as one standalone question that names the people, companies, places and topics it refers "
    "to, in the language of the follow-up question. Reply with the rewritten question only."
    "\n\n"
    "Example:\nUser: What did Apple announce in Paris?\nFollow-up question: When will it ship?\n"
    "Standalone question: When will the product Apple announced in Paris ship?"
)


def rule_based_condense(question: str, history: list[Turn]) -> str:
    """Prefix a follow-up that refers back (pronouns, very short) with the previous question."""
    if not history:
        return question
    if not _names_itself(question):
        return f"{history[-1].question} {question}"
    return question


def _names_itself(question: str) -> bool:
    """No word referring back, and long enough to name a subject (five words, or six
    Chinese characters)."""
    if is_cjk(question):
        return not ZH_REFERRING.search(question) and len(HAN.findall(question)) >= (
            ZH_STANDALONE_CHARS
        )
    return not REFERRING.search(question) and len(question.split()) >= 5


NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w'’-]*")  # a capitalised word past the start


def stands_alone(question: str) -> bool:
    """A follow-up that needs no rewrite: no word referring back, at least five words, and a
    name of its own ("How many followers did Lei Jun lose?"); in Chinese, no word referring
    back and six characters or more ("小米在非洲的战略是什么？"; "它什么时候发布？" and
    "排名第几？" are rewritten). "What share does the leader hold?" is rewritten: nothing
    cheap tells which leader."""
    if is_cjk(question):
        return _names_itself(question)
    return _names_itself(question) and any(
        m.group() != "I" for m in NAME.finditer(question.strip())
    )


def looks_like_rewrite(candidate: str, question: str) -> bool:
    """Small models sometimes answer instead of rewriting: accept only a question that keeps
    most of the follow-up's words."""
    words = content_words(question)
    kept = len(words & content_words(candidate)) / len(words) if words else 1.0
    return (
        candidate.endswith(("?", "？"))
        and is_cjk(candidate) == is_cjk(question)  # asked in Chinese, answered in Chinese
        and (kept > 0 if is_cjk(question) else kept >= 0.5)  # (a follow-up's 那/呢 go)
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
