"""Error pages in the site's style; under /api/ the API's JSON error shape instead."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.template import loader

from productize.api.errors import error_response

logger = logging.getLogger("productize.web")

TITLES = {
    400: ("Bad request", "The address or the form could not be understood."),
    403: ("Not allowed", "You may not see this page."),
    404: ("Not found", "Nothing lives at this address."),
    500: ("Something broke", "The error has been logged. Please try again in a moment."),
}
API_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "internal_error"}


def _page(request: HttpRequest, status: int, detail: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return error_response(status, API_CODES[status], detail or TITLES[status][1])
    title, message = TITLES[status]
    body: str
    try:
        body = loader.render_to_string(
            "web/error.html",
            {"status": status, "title": title, "message": message, "detail": detail},
            request=request if status != 500 else None,
        )
    except Exception:  # the error page itself must not fail
        logger.exception("could not render the %s page", status)
        body = f"<!doctype html><title>{status}</title><h1>{title}</h1><p>{message}</p>"
    return HttpResponse(body, status=status)


def _detail(exception: Exception | None) -> str:
    # Only the messages our own views raise (Http404("No product ...")) are shown.
    text = str(exception.args[0]) if exception and exception.args else ""
    return text if text.startswith("No ") else ""


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400."""
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403."""
    return _page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404, naming what was looked for when a view said so."""
    return _page(request, 404, _detail(exception))


def server_error(request: HttpRequest) -> HttpResponse:
    """500, rendered without the request context (which may be what broke)."""
    return _page(request, 500)
