"""Links written in descriptors: only web addresses become links (never `javascript:`)."""

from __future__ import annotations

from urllib.parse import urlsplit


def external_url(value: object) -> str | None:
    """The value when it is an http(s) URL that is safe to put in an href, else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return text
