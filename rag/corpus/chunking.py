"""Article → Chunks with llama-index's sentence-aware splitter.

Sizes are counted in the embedding model's own word pieces (title included), so no chunk
is silently truncated by the model's window. Chunk ids are derived from the article's
content hash and the chunk's offsets: the same article content always gives the same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from rag.models import Article, Chunk

Tokenize = Callable[[str], list[str]]


def make_splitter(chunk_size: int, chunk_overlap: int, tokenize: Tokenize):  # type: ignore[no-untyped-def]
    """A llama-index SentenceSplitter counting tokens with `tokenize`."""
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        tokenizer=tokenize,
        paragraph_separator="\n\n",
        include_metadata=True,
        include_prev_next_rel=False,
    )


def chunk_id(article: Article, start: int, end: int) -> str:
    key = f"{article.id}\x1f{article.content_hash}\x1f{start}:{end}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def embedding_text(chunk: Chunk) -> str:
    """What is embedded for a chunk: its article title, then its text."""
    return f"{chunk.title}\n{chunk.text}"


def chunk_article(article: Article, splitter) -> list[Chunk]:  # type: ignore[no-untyped-def]
    """Split one article into chunks that keep its metadata and their character offsets."""
    from llama_index.core import Document

    document = Document(
        text=article.text,
        metadata={"title": article.title},
        metadata_template="{value}",
        text_template="{metadata_str}\n{content}",
    )
    nodes = splitter.get_nodes_from_documents([document])
    chunks: list[Chunk] = []
    cursor = 0
    for node in nodes:
        text = node.get_content()
        start = node.start_char_idx
        if start is None:  # the library could not place it; find it ourselves
            found = article.text.find(text, cursor)
            start = found if found >= 0 else cursor
        end = node.end_char_idx if node.end_char_idx is not None else start + len(text)
        cursor = start
        chunks.append(
            Chunk(
                id=chunk_id(article, start, end),
                article_id=article.id,
                text=text,
                start=start,
                end=end,
                title=article.title,
                source=article.source,
                published=article.published,
                url=article.url,
                owner=article.owner,
            )
        )
    return chunks
