"""Whole JSON responses of catalog-wide reads, kept per catalog version as encoded bytes.

A page of the catalog, a search, a count of facets or a page of interfaces is the same for
every caller allowed to read the catalog at all (none of them shows a per-user field), and it
changes only when a service writes, which always leaves an audit record (ARCHITECTURE rule 1):
the newest record's id is the catalog version. So the bytes served are kept per (endpoint,
catalog version, path and query string). A repeated read costs one `SELECT MAX(id)`, one
cache lookup and the way through Django and Ninja's parameter checks: no ORM rows, no
pydantic, no JSON encoding. A write shows in the very next response, since the version it is
keyed on has changed.

The body is encoded here rather than by Ninja, whose response validation (pydantic over every
item: ~1-2 ms for a page of 25 products) would run on every miss. Each endpoint still declares
its shape for OpenAPI, and the tests check served bodies against those shapes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from ninja.responses import NinjaJSONEncoder

from productize.catalog.selectors.stats import catalog_version

CONTENT_TYPE = "application/json; charset=utf-8"
# Entries of older versions are never read again; the timeout only bounds their stay.
CACHE_SECONDS = 600


def json_bytes(body: Any) -> bytes:
    """A response body as compact UTF-8 JSON; dates and the like encoded as Ninja encodes them."""
    return json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )


def cached_json(
    request: HttpRequest, kind: str, compute: Callable[[int], dict[str, Any]]
) -> HttpResponse:
    """The response for this request's path and query string at the current catalog version.

    `compute(version)` builds the body on a miss; it raises (an `ApiError`) for a bad request
    or an unknown object, and nothing is stored then. Two spellings of one query (parameter
    order) are two entries.
    """
    version = catalog_version()
    address = f"{request.path}?{request.META.get('QUERY_STRING', '')}"
    digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:32]
    key = f"productize:json:{kind}:{version}:{digest}"
    body = cache.get(key)
    if body is None:
        body = json_bytes(compute(version))
        cache.set(key, body, CACHE_SECONDS)
    return HttpResponse(body, content_type=CONTENT_TYPE)
