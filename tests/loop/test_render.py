"""The sanitised Markdown renderer against hostile input, and its template filter."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from productize.loop.render import MAX_CHARS, markdown_safe

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    "[click](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<div onclick="alert(1)">x</div>',
    "<svg/onload=alert(1)>",
    '[x](https://ok.example "t" onmouseover="alert(1)")',
    "<<script>script>alert(1)<</script>/script>",
]


class _Tags(HTMLParser):
    """Every element and attribute in a piece of HTML, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_yields_no_active_content(text: str) -> None:
    tags = _tags(str(markdown_safe(text)))
    for tag, attrs in tags:
        assert tag in {"p", "a", "em", "strong", "code"}, tag
        assert not any(name.startswith("on") for name in attrs), attrs
        href = attrs.get("href") or ""
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        assert scheme in {"", "http", "https", "mailto"}, href
        if tag == "a":
            assert attrs.get("rel") == "nofollow noopener noreferrer"


def test_markdown_renders_with_safe_links() -> None:
    html = markdown_safe("**bold** and [docs](https://example.com/a?b=1&c=2)\n\n- one\n- two")
    assert isinstance(html, SafeString)
    assert "<strong>bold</strong>" in html
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">' in html
    assert "<li>one</li>" in html


def test_typed_tags_show_as_text() -> None:
    assert "&lt;b&gt;hi&lt;/b&gt;" in markdown_safe("<b>hi</b>")


def test_images_become_links_that_load_nothing() -> None:
    html = markdown_safe("![screenshot](https://example.com/s.png)")
    assert "<img" not in html
    assert '<a href="https://example.com/s.png"' in html and ">screenshot</a>" in html


def test_huge_text_is_cut_with_a_note() -> None:
    html = markdown_safe("a" * (MAX_CHARS + 10))
    assert "shortened" in html
    assert html.count("a") < MAX_CHARS + 100


def test_empty_and_none() -> None:
    assert markdown_safe("") == "" and markdown_safe(None) == ""


def test_template_filter_escapes_nothing_twice_and_sanitises() -> None:
    out = Template("{% load loop_markdown %}{{ text|markdown }}").render(
        Context({"text": "*hi* <script>x</script>"})
    )
    assert "<em>hi</em>" in out and "<script>" not in out and "&amp;lt;" not in out
