"""The plain pipeline an RGB report compares the product with: the same index, embedder and
LLM, the top 5 passages by dense cosine alone, RGB's own instruction prompt in the question's
language (config/instruction.yaml of github.com/chen700564/RGB), no verification and no
citations. A reply that says the documents are insufficient is its refusal."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rag.evaluation.rgb_data import RgbItem, RgbItemResult, answer_matches, passage_id
from rag.llm.base import Message, complete
from rag.models import Weights
from rag.retrieve.retriever import Retriever
from rag.text.language import language_of

if TYPE_CHECKING:
    from rag.assistant import Assistant

TOP_K = 5
PROMPTS = {
    "en": (
        "You are an accurate and reliable AI assistant that can answer questions with the help "
        "of external documents. Please note that external documents may contain noisy or "
        "factually incorrect information. If the information in the document contains the "
        "correct answer, you will give an accurate answer. If the information in the document "
        "does not contain the answer, you will generate ’I can not answer the question because "
        "of the insufficient information in documents.‘. If there are inconsistencies with the "
        "facts in some of the documents, please generate the response 'There are factual "
        "errors in the provided documents.' and provide the correct answer.",
        "Document:\n{DOCS} \n\nQuestion:\n{QUERY}",
    ),
    "zh": (
        "你是一个准确和可靠的人工智能助手，能够借助外部文档回答问题，请注意外部文档可能存在噪声事实性错误。"
        "如果文档中的信息包含了正确答案，你将进行准确的回答。如果文档中的信息不包含答案，你将生成“文档信息"
        "不足，因此我无法基于提供的文档回答该问题。”。如果部分文档中存在与事实不一致的错误，请先生成“提供"
        "文档的文档存在事实性错误。”，并生成正确答案。",
        "文档：\n{DOCS} \n\n问题：\n{QUERY}",
    ),
}
# RGB's rejection check (evalue.py) looks for these phrases
REFUSAL = re.compile(r"insufficient information|can ?not answer|信息不足|无法基于提供的文档", re.I)


def plain_answer(assistant: Assistant, question: str) -> tuple[str, list[str]]:
    """The plain pipeline's reply and the article ids of the passages it was given."""
    llm = assistant.llm
    if llm is None:
        raise ValueError("the plain baseline needs an LLM backend")
    dense = Retriever(assistant.index, assistant.embedder, Weights(1.0, 0.0, 0.0), TOP_K)
    hits = dense.search(question, TOP_K)
    system, user = PROMPTS[language_of(question)]
    docs = "\n".join(h.chunk.text for h in hits)
    messages: list[Message] = [
        {"role": "system", "content": system},
        {"role": "user", "content": user.replace("{DOCS}", docs).replace("{QUERY}", question)},
    ]
    text = complete(llm, messages, max_tokens=assistant.settings.llm_max_tokens)
    return text.strip(), [h.chunk.article_id for h in hits]


def ask_plain(
    assistant: Assistant,
    items: Sequence[RgbItem],
    withheld: set[int],
    tick: Callable[[int], None] | None = None,
) -> list[RgbItemResult]:
    """Every question through the plain pipeline, scored as the product's answers are."""
    from rag.errors import RagError

    results = []
    for item in items:
        started = time.perf_counter()
        try:
            text, given = plain_answer(assistant, item.query)
        except RagError as exc:
            held = item.id in withheld
            results.append(
                RgbItemResult(
                    id=item.id, query=item.query, gold=item.answer, withheld=held, error=str(exc)
                )
            )
            continue
        refused = bool(REFUSAL.search(text))
        held_back = item.id in withheld
        found = bool({passage_id(p) for p in item.positive} & set(given))
        results.append(
            RgbItemResult(
                id=item.id,
                query=item.query,
                gold=item.answer,
                withheld=held_back,
                answer=text,
                refused=refused,
                correct=not refused and answer_matches(text, item.answer),
                repeats_fake=(
                    answer_matches(text, item.fakeanswer) and not refused
                    if item.fakeanswer
                    else None
                ),
                retrieved_positive=None if held_back else found,
                context_positive=None if held_back else found,
                total_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        )
        if tick:
            tick(1)
    return results
