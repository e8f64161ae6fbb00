"""API authentication: bearer tokens for machines, the session (with CSRF) for the browser.

Every endpoint requires one of them unless PRODUCTIZE_ANONYMOUS_READ=1 lets anonymous callers
read (GET/HEAD). A token's scope narrows what it may do: a `read` token may not call a method
that writes (403). Per-object rules are checked by the services through `Actor.can`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from productize.accounts.middleware import request_id
from productize.accounts.models import ApiToken, Scope
from productize.accounts.permissions import anonymous_read
from productize.accounts.tokens import token_for_secret
from productize.audit.services import Actor

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Anonymous:
    """The caller of an endpoint when anonymous read is allowed and nobody signed in."""

    user: AnonymousUser


def _check_scope(request: HttpRequest, scope: str) -> None:
    if scope == Scope.READ and request.method not in SAFE_METHODS:
        raise HttpError(403, "this token has the read scope; writing needs a write token")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer pz_...`: a personal API token, not expired nor revoked."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        """The token for this secret, with its user, or None (401)."""
        found = token_for_secret(token)
        if found is None:
            # A bad token is an error even where anonymous read would let the call through.
            raise HttpError(401, "the API token is unknown, expired or revoked")
        _check_scope(request, found.scope)
        # Services ask `Actor.can`, which narrows the user's rights by this scope.
        found.user._productize_token_scope = found.scope  # type: ignore[attr-defined]
        request.user = found.user
        return found


class SessionCsrfAuth(SessionAuth):
    """The browser's session; Ninja checks the CSRF token on writes."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """The signed-in user, or None."""
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def anonymous_reader(request: HttpRequest) -> Anonymous | None:
    """Let anonymous callers read when the organisation allows it."""
    if anonymous_read() and request.method in SAFE_METHODS:
        return Anonymous(AnonymousUser())
    return None


API_AUTH: list[Callable[[HttpRequest], Any]] = [TokenAuth(), SessionCsrfAuth(), anonymous_reader]


def actor_for(request: HttpRequest) -> Actor:
    """The audit actor behind an authenticated API request."""
    auth = getattr(request, "auth", None)
    rid = request_id(request)
    if isinstance(auth, ApiToken):
        return Actor.for_token(auth.name, auth.user, request_id=rid)
    return Actor.for_user(getattr(request, "user", AnonymousUser()), request_id=rid)


def unauthenticated(request: HttpRequest) -> None:
    """The last resort: say how to authenticate (401)."""
    raise HttpError(401, "sign in, or send a personal API token as `Authorization: Bearer pz_...`")


API_AUTH.append(unauthenticated)
# Endpoints that authenticate in their own way (the push webhook's shared secret).
OWN_AUTH_URL_NAMES = frozenset({"source-refresh", "channel-inbound"})


def exempt_own_auth(routers: list[Any]) -> None:
    """Leave the endpoints in OWN_AUTH_URL_NAMES to their own checks (call before `api.urls`)."""
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if operation.url_name in OWN_AUTH_URL_NAMES:
                    operation.auth_param = None
                    operation.auth_callbacks = []
