"""Whole-page caching of anonymous reads, per catalog version.

A product page or a catalog page is the same for every anonymous reader until the catalog
changes, and rendering it costs several milliseconds of CPU (queries compiled by the ORM and
a few hundred template nodes) — at 100,000 products and 8 concurrent readers on two cores,
more than the time budget of a request. So the HTML is kept in Django's cache under the
catalog version (`catalog_version` changes with every audited write, so a change is visible on
the very next request), the full path and the htmx header the page varies on.

Only anonymous requests without a session or pending messages use it (a signed-in reader's
page carries their name and a CSRF token), only GET, only 200 responses that set no cookie.
Entries live `PAGE_SECONDS` at most, which bounds how stale a relative time ("updated
3 hours ago") can get.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from productize.catalog.selectors.caching import READ_SECONDS, read_version

PAGE_SECONDS = READ_SECONDS
_KEPT_HEADERS = ("Content-Type", "Vary")


def _cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve an anonymous GET of `view` from the cache of the current catalog version."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        hx = [request.headers.get(h, "") for h in ("HX-Request", "HX-History-Restore-Request")]
        raw = "\n".join([request.get_full_path(), *hx])
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
        version = read_version()
        # The catalog version leads it: the view need not ask the database again.
        request.catalog_version = int(version.split(".", 1)[0])  # type: ignore[attr-defined]
        key = f"productize:page:{version}:{digest}"
        found = cache.get(key)
        if found is not None:
            content, headers = found
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = view(request, *args, **kwargs)
        if (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        ):
            headers = [(h, response[h]) for h in _KEPT_HEADERS if response.has_header(h)]
            cache.set(key, (response.content, headers), PAGE_SECONDS)
        return response

    return wrapper
