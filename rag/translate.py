"""Chinese (any CJK) questions about English articles: translate them for retrieval.

With the default English embedder a Chinese question scores low against English passages.
When an LLM backend is configured, the question is first translated into English by the
local model (one short completion) and the translation is used for retrieval and context
selection; the answer notice shows it. Without an LLM, use the multilingual embedder
(`RAG_EMBEDDING_MODEL=multilingual-e5-small`) instead.
"""

from __future__ import annotations

import re

from rag.errors import LLMError
from rag.llm.base import LLM, Message, complete

TRANSLATE_PROMPT = (
    "Translate the user's question into English. Keep names, numbers and product names. "
    "Reply with the English question only."
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")


def needs_translation(question: str) -> bool:
    """The question is written (mostly) in Chinese, Japanese or Korean."""
    letters = [c for c in question if c.isalpha()]
    return bool(letters) and sum(bool(_CJK.match(c)) for c in letters) > len(letters) / 2


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
    if not candidate or _CJK.search(candidate) or len(candidate) > 4 * len(question) + 40:
        return None
    return candidate


# Embedders that match a Chinese question to English text without translating it.
CROSS_LINGUAL_EMBEDDERS = frozenset({"multilingual-e5-small"})
UNTRANSLATED = (
    "The question is not in English and there is no language model to translate it; the "
    "English embedding model matches it poorly. Use an LLM backend, or "
    "RAG_EMBEDDING_MODEL=multilingual-e5-small (then `rag ingest --rebuild`)."
)


def untranslated_notice(question: str, embedding_model: str) -> str | None:
    """Why a refused, untranslated CJK question may have an answer after all (None when the
    question is English or the embedder is cross-lingual)."""
    if needs_translation(question) and embedding_model not in CROSS_LINGUAL_EMBEDDERS:
        return UNTRANSLATED
    return None
