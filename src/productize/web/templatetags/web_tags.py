"""Template helpers for the web UI: owner links, safe external links, small labels."""

from __future__ import annotations

import functools
import re
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from productize.catalog.models import Ownership
from productize.web.links import external_url

register = template.Library()

_SLOT = "0slot0"  # a valid slug that no real id is compared with: only its position matters


@functools.cache
def _url_pattern(name: str) -> tuple[str, str]:
    # Reversing once per URL name and filling in the slug is several times cheaper than
    # `reverse()` per link, which adds up on a catalog page with a hundred links.
    before, _, after = reverse(name, args=[_SLOT]).partition(_SLOT)
    return before, after


def entity_url(name: str, slug: str) -> str:
    """The URL of `web:<name>` for a descriptor id (ids are URL-safe: a-z, 0-9 and -)."""
    before, after = _url_pattern(f"web:{name}")
    return f"{before}{slug}{after}"


@register.filter
def product_url(slug: str) -> str:
    """The product page of this product id."""
    return entity_url("product", slug)


@register.filter
def loop_url(slug: str) -> str:
    """The loop page of this loop id."""
    return entity_url("loop", slug)


@register.filter
def ext_url(value: Any) -> str | None:
    """The value if it is an http(s) address (safe for href), else None."""
    return external_url(value)


@register.simple_tag
def owner(ownership: Ownership) -> str:
    """An owner as a link to their person or team page, or flagged when it names no one."""
    if ownership.person_id is not None and ownership.person is not None:
        return format_html(
            '<a class="owner owner-person" href="{}">{}</a>',
            entity_url("person", ownership.person.slug),
            ownership.person.name,
        )
    if ownership.team_id is not None and ownership.team is not None:
        return format_html(
            '<a class="owner owner-team" href="{}">{}<span class="owner-kind"> team</span></a>',
            entity_url("team", ownership.team.slug),
            ownership.team.name,
        )
    return format_html(
        '<span class="owner owner-unresolved" title="No person or team with this id is in the '
        'catalog">{} <span class="flag">unknown</span></span>',
        ownership.ref,
    )


STAGE_HINTS = {
    "idea": "A need has been identified; not yet clear it should be a product.",
    "prototype": "A hypothesis written down, a prototype being tested.",
    "established": "The loop exists: owner, mission, scope, interfaces, a feedback channel.",
    "growing": "Roadmap, documented interfaces, tests and releases.",
    "maintained": "Feature complete; maintenance only.",
    "retired": "No longer offered; kept for the record.",
}


@register.simple_tag
def stage(value: str) -> str:
    """A stage as a labelled chip (its meaning in the tooltip)."""
    return format_html(
        '<span class="chip stage stage-{}" title="{}">{}</span>',
        value,
        STAGE_HINTS.get(value, ""),
        value,
    )


_TICKS = re.compile(r"`([^`\n]{1,200})`")


@register.filter
def ticks(value: object) -> str:
    """Text with `backticked` words shown as code; everything else escaped."""
    escaped = conditional_escape(str(value))
    return mark_safe(_TICKS.sub(r"<code>\1</code>", escaped))


@register.filter
def display_url(value: object) -> str:
    """A web address as people read it: no scheme, no trailing slash."""
    text = str(value or "")
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    return text.rstrip("/")


@register.filter
def kind_label(value: str) -> str:
    """An interface kind as people say it (API, UI, CLI upper-case)."""
    return value.upper() if value in {"api", "ui", "cli"} else value


NAV_SECTIONS = {
    "home": ("home",),
    "catalog": ("catalog", "product", "products"),
    "loops": ("loops", "loop"),
    "teams": ("teams", "team"),
    "people": ("people", "person"),
    "sources": ("sources", "source", "runs", "run"),
}


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, section: str, label: str) -> str:
    """A main-navigation link, marked as the current page's section when it is."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = bool(match) and match.url_name in NAV_SECTIONS.get(section, ())  # type: ignore[union-attr]
    if current:
        return format_html(
            '<a href="{}" aria-current="page">{}</a>', reverse(f"web:{section}"), label
        )
    return format_html('<a href="{}">{}</a>', reverse(f"web:{section}"), label)


@register.filter
def redacted(value: str) -> str:
    """A source location with any credentials removed."""
    from productize.ingest.redact import redact_url

    return redact_url(value or "")
