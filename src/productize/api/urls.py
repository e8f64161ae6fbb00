"""URL patterns of the API under /api/v1/, with JSON answers for unknown paths and methods."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, URLPattern, path, re_path, resolve, reverse

from productize.api.app import api
from productize.api.docs import docs_asset
from productize.api.errors import error_response


def _json_method_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a plain-text 405; answer in the API's error shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            allowed = response.get("Allow", "")
            return error_response(
                405,
                "method_not_allowed",
                f"{request.method} is not allowed here; allowed: {allowed}",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


def _api_patterns() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, _json_method_errors(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return wrapped, app_name, namespace


def api_index(request: HttpRequest) -> HttpResponse:
    """/api/v1/ itself: where the description and the docs are."""
    if request.method not in {"GET", "HEAD"}:
        return error_response(405, "method_not_allowed", "GET only", headers={"Allow": "GET"})
    return JsonResponse(
        {
            "name": "productize",
            "version": "1",
            "openapi": reverse("api-v1:openapi-json"),
            "docs": reverse("api-v1:openapi-view"),
            "products": reverse("api-v1:products"),
        }
    )


def api_not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other path under /api/: a JSON 404 (with a hint for a trailing slash)."""
    message = f"no API endpoint at {request.path}"
    if request.path.endswith("/") and request.path != "/api/v1/":
        try:
            resolve(request.path.rstrip("/"))
        except Resolver404:
            pass
        else:
            message += f"; did you mean {request.path.rstrip('/')} (no trailing slash)?"
    elif not request.path.startswith("/api/v1/"):
        message += "; this server speaks /api/v1/"
    return error_response(404, "not_found", message)


urlpatterns = [
    path("api/v1/docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    # Before Ninja's own root view, which only ever answers 404.
    path("api/v1/", api_index, name="api-index"),
    path("api/v1/", _api_patterns()),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
]
