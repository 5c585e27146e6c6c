"""Write an Article as Markdown with YAML front matter (the corpus/ format)."""

from __future__ import annotations

import yaml

from rag.models import Article


def article_to_markdown(article: Article) -> str:
    """The corpus file for an article: front matter, then the text."""
    meta: dict[str, object] = {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "language": article.language,
    }
    if article.url:
        meta["url"] = article.url
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False).strip()
    return f"---\n{front}\n---\n\n{article.text.strip()}\n"
