"""Request ids, the Content-Security-Policy header, and sign-in required for pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from productize.accounts.permissions import anonymous_read, public_feedback

Handler = Callable[[HttpRequest], HttpResponse]
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Reachable without signing in: the sign-in and password reset pages, health, static files,
# the admin (its own sign-in) and the API (which answers 401 in its own error shape).
PUBLIC_PREFIXES = ("/accounts/", "/healthz", "/static/", "/admin/", "/api/", "/favicon")
# The public per-product feedback form, open when PRODUCTIZE_PUBLIC_FEEDBACK=1.
PUBLIC_FEEDBACK_PREFIX = "/feedback/public/"


def request_id(request: HttpRequest) -> str:
    """The id of this request (from the middleware), for `Actor.request_id`."""
    return str(getattr(request, "request_id", ""))


class RequestIdMiddleware:
    """Give every request an id (a well-formed incoming X-Request-ID is kept) and echo it."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = rid
        return response


class ContentSecurityPolicyMiddleware:
    """Send a Content-Security-Policy that forbids inline scripts (unless a view set its own)."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.policy = str(getattr(settings, "CONTENT_SECURITY_POLICY", DEFAULT_CSP))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class SignInRequiredMiddleware:
    """Send people who are not signed in to the sign-in page, unless anonymous read is on."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            anonymous_read()
            or request.path.startswith(PUBLIC_PREFIXES)
            or request.user.is_authenticated
            or (public_feedback() and request.path.startswith(PUBLIC_FEEDBACK_PREFIX))
        ):
            return self.get_response(request)
        return redirect_to_login(request.get_full_path())
