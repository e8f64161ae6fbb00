"""The one sanitised Markdown renderer for loop text (feedback, patterns, specifications).

Text is stored as people gave it; it becomes HTML only here. markdown-it-py renders
CommonMark with raw HTML turned off (tags people type show as text), then nh3 keeps only
an allow-list of tags and attributes, only http(s) and mailto links (a `javascript:` link
loses its target), and marks every link `rel="nofollow noopener noreferrer"`. Images become
plain links: a feedback item must not load things from elsewhere into the page.
"""

from __future__ import annotations

import functools
from html import escape
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {
        "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
        "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr",
        "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"
MAX_CHARS = 200_000  # longer text is cut (with a note) rather than rendered at length


def _image_as_link(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    # An image becomes a link to it (its alt text as the label): nothing loads by itself.
    token = tokens[idx]
    label = escape(token.content or token.attrGet("src") or "image")
    src = token.attrGet("src") or ""
    return f'<a href="{escape(src)}">{label}</a>' if src else label


@functools.cache
def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.add_render_rule("image", _image_as_link)
    return parser


def markdown_safe(text: str | None) -> SafeString:
    """Markdown to sanitised HTML, safe to put into a page as it is."""
    if not text:
        return mark_safe("")
    cut = len(text) > MAX_CHARS
    source = text[:MAX_CHARS] if cut else text
    html = _parser().render(source)
    if cut:
        html += "<p><em>(text shortened for display)</em></p>"
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(clean)  # sanitised by nh3 with the allow-list above
