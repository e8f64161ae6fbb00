"""`{% load loop_markdown %}` then `{{ text|markdown }}`: sanitised Markdown for loop text."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from productize.loop.render import markdown_safe

register = template.Library()


@register.filter(name="markdown")
def markdown(value: object) -> SafeString:
    """Render Markdown through the sanitiser (productize.loop.render.markdown_safe)."""
    return markdown_safe("" if value is None else str(value))
