"""Chinese (any CJK) questions about English articles with an English-only embedder.

A multilingual embedder (multilingual-e5-small) places a Chinese question near the English
passage that answers it, so nothing is translated. With an English-only embedder and an LLM
backend, the question is first translated into English by the local model (one short
completion) and the translation is used for retrieval; the answer notice shows it. Without
either, the refusal's notice says what to switch.
"""

from __future__ import annotations

from rag.errors import LLMError
from rag.llm.base import LLM, Message, complete
from rag.text.language import Note, is_cjk

TRANSLATE_PROMPT = (
    "Translate the user's question into English. Keep names, numbers and product names. "
    "Reply with the English question only."
)
# Embedders that match a Chinese question to English text without translating it.
CROSS_LINGUAL_EMBEDDERS = frozenset({"multilingual-e5-small"})


def needs_translation(question: str) -> bool:
    """The question is written (mostly) in Chinese, Japanese or Korean."""
    return is_cjk(question)


def translate_question(llm: LLM, question: str) -> str | None:
    """An English rendering of `question`, or None when the model fails or answers oddly."""
    messages: list[Message] = [
        {"role": "system", "content": TRANSLATE_PROMPT},
        {"role": "user", "content": question},
    ]
    try:
        lines = complete(llm, messages, max_tokens=64).strip().splitlines()
    except LLMError:
        return None
    candidate = lines[0].strip().strip("\"“”'") if lines else ""
    if not candidate or is_cjk(candidate) or len(candidate) > 4 * len(question) + 40:
        return None
    return candidate


def untranslated_note(question: str, embedding_model: str) -> Note | None:
    """Why a refused, untranslated CJK question may have an answer after all (None when the
    question is English or the embedder is cross-lingual)."""
    if is_cjk(question) and embedding_model not in CROSS_LINGUAL_EMBEDDERS:
        return Note("untranslated")
    return None
