"""Discourse topics exports: `/latest.json` (`topic_list.topics`) or topics with their posts.

Accepted shapes: the `/latest.json` (or `/c/{slug}/{id}.json`) response; a list of topics as
`/t/{id}.json` returns them (with `post_stream.posts`); a single such topic; `{"topics": [...]}`.
The first post's `raw` Markdown is the text; without it the `cooked` HTML is turned into plain
text, then the `excerpt`, then the title.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from productize.domain.loop.importers.common import (
    MAX_SHORT,
    MAX_TEXT,
    MAX_URL,
    FeedbackInput,
    ImportResult,
    clean,
    json_documents,
    time_field,
)

_BLOCKS = {"p", "br", "div", "li", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}


class _TextOnly(HTMLParser):
    """Plain text from Discourse's cooked HTML (tags dropped, paragraphs kept apart)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str) -> str:
    """Text content of an HTML fragment, for `cooked` posts without `raw`."""
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _topics(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        topic_list = document.get("topic_list")
        if isinstance(topic_list, dict) and isinstance(topic_list.get("topics"), list):
            return list(topic_list["topics"])
        if isinstance(document.get("topics"), list):
            return list(document["topics"])
        if "post_stream" in document or "title" in document:
            return [document]
    return None


def _users(documents: list[Any]) -> dict[int, str]:
    users: dict[int, str] = {}
    for document in documents:
        listed = document.get("users") if isinstance(document, dict) else None
        for user in listed if isinstance(listed, list) else []:
            if isinstance(user, dict) and isinstance(user.get("id"), int) and user.get("username"):
                users[user["id"]] = str(user["username"])
    return users


def import_discourse_topics(
    data: bytes,
    *,
    source: str = "discourse",
    base_url: str | None = None,
    categories: Mapping[int, str] | None = None,
    max_text: int = MAX_TEXT,
) -> ImportResult:
    """Feedback from a Discourse topics export; `categories` maps category ids to products."""
    result = ImportResult()
    documents = json_documents(data, result)
    if documents is None:
        return result
    users = _users(documents)
    seen: dict[tuple[str, str], str] = {}
    for page, document in enumerate(documents, start=1):
        topics = _topics(document)
        prefix = f"page {page}, " if len(documents) > 1 else ""
        if topics is None:
            result.skip(f"{prefix}document", "no `topic_list.topics`, `topics` or topic found")
            continue
        for number, topic in enumerate(topics, start=1):
            where = f"{prefix}topic {number}"
            if not isinstance(topic, dict):
                result.skip(where, f"expected a topic object, found {type(topic).__name__}")
                continue
            if topic.get("id") is not None:
                where += f" (id {topic['id']})"
            item = _topic(topic, users, source, base_url, categories or {}, where, result, max_text)
            if item is not None:
                result.add(item, where, seen)
    return result


def _first_post(topic: dict[str, Any]) -> dict[str, Any]:
    stream = topic.get("post_stream")
    posts = stream.get("posts") if isinstance(stream, dict) else None
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and post.get("post_number", 1) == 1:
            return post
    return {}


def _original_poster(topic: dict[str, Any], users: Mapping[int, str]) -> str | None:
    posters = topic.get("posters")
    for poster in posters if isinstance(posters, list) else []:
        if isinstance(poster, dict) and "Original Poster" in str(poster.get("description", "")):
            user_id = poster.get("user_id")
            return users.get(user_id) if isinstance(user_id, int) else None
    return None


def _tags(topic: dict[str, Any]) -> tuple[str, ...]:
    tags = topic.get("tags")
    if not isinstance(tags, list):
        return ()
    names = [t.get("name") if isinstance(t, dict) else t for t in tags if t]
    return tuple(str(name)[:MAX_SHORT] for name in names if isinstance(name, str) and name)


def _topic(
    topic: dict[str, Any],
    users: Mapping[int, str],
    source: str,
    base_url: str | None,
    categories: Mapping[int, str],
    where: str,
    result: ImportResult,
    max_text: int,
) -> FeedbackInput | None:
    title = clean(topic.get("title"), limit=MAX_SHORT, where=where, name="title", result=result)
    if title and title.startswith("About the ") and title.endswith(" category"):
        # Discourse creates one such pinned topic per category to describe it.
        result.skip(where, "a category description topic, not feedback")
        return None
    post = _first_post(topic)
    raw = post.get("raw")
    if not raw and isinstance(post.get("cooked"), str):
        raw = html_to_text(post["cooked"])
    raw = raw or topic.get("excerpt")
    body = clean(raw, limit=max_text, where=where, name="text", result=result)
    if not body and not title:
        result.skip(where, "no title and no text")
        return None
    author = post.get("username") or _original_poster(topic, users)
    topic_id = topic.get("id")
    url = None
    if base_url and topic_id is not None:
        url = f"{base_url.rstrip('/')}/t/{topic.get('slug') or 'topic'}/{topic_id}"
    category = topic.get("category_id")
    return FeedbackInput(
        source=source,
        external_id=str(topic_id) if topic_id is not None else None,
        text=body or title or "",
        title=title,
        author=clean(author, limit=MAX_SHORT, where=where, name="author", result=result),
        author_contact=None,  # Discourse exports no e-mail; a reply on the topic reaches them
        created_at=time_field(
            post.get("created_at") or topic.get("created_at"),
            where=where,
            name="created_at",
            result=result,
        ),
        product_hint=categories.get(category) if isinstance(category, int) else None,
        url=clean(url, limit=MAX_URL, where=where, name="url", result=result),
        labels=_tags(topic),
    )
