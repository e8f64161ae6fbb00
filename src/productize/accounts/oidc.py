"""Sign-in with an OpenID Connect provider, through mozilla-django-oidc; on only when configured.

The library does the authorization-code flow (state, nonce, PKCE). What is added here:

* endpoints are discovered from the issuer (`/.well-known/openid-configuration`) unless given,
  lazily, so nothing is fetched at start-up or on a password sign-in;
* the id_token's audience, issuer and expiry are checked (the library checks only signature and
  nonce), and the userinfo must be about the same subject;
* people are matched by their *verified* email: an account with that email, else the account
  linked to the catalog person with that email, else (PRODUCTIZE_OIDC_CREATE_USERS) a new member
  account, linked to that catalog person when there is one — created through the audited service;
* every refusal ends on the sign-in page with a message, never on an error page.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from productize.audit.services import Actor

LOGGER = logging.getLogger(__name__)
DISCOVERY_PATH = "/.well-known/openid-configuration"
DISCOVERY_TTL_SECONDS = 3600
# Library setting -> discovery document key.
ENDPOINTS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}

_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read."""


def enabled() -> bool:
    """Whether sign-in with a provider is configured (a client id, and an issuer or endpoints)."""
    if not getattr(settings, "OIDC_RP_CLIENT_ID", ""):
        return False
    if getattr(settings, "OIDC_ISSUER", ""):
        return True
    return all(getattr(settings, name, "") for name in ENDPOINTS)


def provider_name() -> str:
    """What the sign-in button calls the provider."""
    return str(getattr(settings, "OIDC_PROVIDER_NAME", "") or "single sign-on")


def discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document (cached for an hour; a failure is not cached)."""
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(issuer)
        if cached is not None and now - cached[0] < DISCOVERY_TTL_SECONDS:
            return cached[1]
    try:
        response = requests.get(
            issuer + DISCOVERY_PATH, timeout=getattr(settings, "OIDC_TIMEOUT", 10)
        )
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"cannot read {issuer}{DISCOVERY_PATH}: {exc}") from exc
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        # OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was read from.
        raise ProviderUnavailable(f"{issuer}{DISCOVERY_PATH} names another issuer")
    with _lock:
        _discovered[issuer] = (now, document)
    return document


def setting(name: str, *default: Any) -> Any:
    """A library setting; an endpoint left empty comes from the issuer's discovery document."""
    if name in ENDPOINTS:
        value = getattr(settings, name, "")
        if value:
            return value
        issuer = getattr(settings, "OIDC_ISSUER", "")
        if not issuer:
            raise ImproperlyConfigured(f"set PRODUCTIZE_OIDC_ISSUER or the endpoint for {name}")
        found = discovery(issuer).get(ENDPOINTS[name])
        if not found:
            raise ProviderUnavailable(f"the provider does not announce `{ENDPOINTS[name]}`")
        return str(found)
    return import_from_settings(name, *default)


def _sign_in_page(problem: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse('accounts:login')}?oidc={problem}")


def email_is_verified(claims: dict[str, Any]) -> bool:
    """The provider vouches for the email (`email_verified` true; some send the string)."""
    verified = claims.get("email_verified")
    return bool(claims.get("email")) and (verified is True or str(verified).lower() == "true")


_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]+")


class OIDCBackend(OIDCAuthenticationBackend):
    """The library's backend, configured lazily, with stricter token checks and email matching."""

    get_settings = staticmethod(setting)
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The library reads (and so would discover) every endpoint here; Django builds the
        # backend on every password sign-in too, so everything is read when first used instead.
        self.UserModel = get_user_model()

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self) -> str:
        return str(setting("OIDC_OP_TOKEN_ENDPOINT"))

    @property
    def OIDC_OP_USER_ENDPOINT(self) -> str:
        return str(setting("OIDC_OP_USER_ENDPOINT"))

    @property
    def OIDC_OP_JWKS_ENDPOINT(self) -> str:
        return str(setting("OIDC_OP_JWKS_ENDPOINT"))

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(setting("OIDC_RP_CLIENT_ID"))

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:
        return str(setting("OIDC_RP_CLIENT_SECRET"))

    @property
    def OIDC_RP_SIGN_ALGO(self) -> str:
        return str(setting("OIDC_RP_SIGN_ALGO", "RS256"))

    def get_user(self, user_id: Any) -> Any:
        """The session's user, only while the account is active (the library skips that)."""
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> Any:
        """Finish the code flow; any refusal is logged and ends as "not signed in"."""
        if request is None or not enabled() or "code" not in request.GET:
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException) as exc:
            LOGGER.warning("sign-in with %s refused: %s", provider_name(), exc)
        except (ProviderUnavailable, KeyError, ValueError, TypeError) as exc:
            LOGGER.warning("sign-in with %s failed: %s", provider_name(), exc)
        return None

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """Check signature, algorithm, audience, issuer and expiry of the id_token."""
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"id_token signed with {algorithm!r}, expected another")
        issuer = getattr(settings, "OIDC_ISSUER", "") or None
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=issuer,
                options={"require": ["exp", "iat", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"id_token refused: {exc}") from exc
        return claims

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The userinfo claims over the id_token's, if both are about the same subject."""
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("userinfo is about another subject than the id_token")
        return {**payload, **userinfo}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """Only a verified email may sign in: it is how accounts and people are matched."""
        return email_is_verified(claims)

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Any]:
        """The account with that email, else the one linked to the catalog person with it."""
        from productize.catalog.models import Person

        email = str(claims.get("email", "")).strip()
        if not email:
            return self.UserModel.objects.none()
        users = self.UserModel.objects.filter(email__iexact=email)
        if users.exists():
            return users
        person = Person.objects.filter(email__iexact=email).order_by("id").first()
        if person is None:
            return users
        return self.UserModel.objects.filter(productize_profile__person_slug=person.slug)

    def get_username(self, claims: dict[str, Any]) -> str:
        """A free username: the catalog person's id, else the email's local part (numbered)."""
        from productize.catalog.models import Person

        email = str(claims.get("email", ""))
        person = Person.objects.filter(email__iexact=email).order_by("id").first()
        base = person.slug if person else email.split("@", 1)[0]
        base = _USERNAME_UNSAFE.sub("-", base).strip("-")[:140] or "user"
        taken = self.UserModel.objects.filter(username__iexact=base).exists
        candidate, number = base, 1
        while taken():
            number += 1
            candidate = f"{base}-{number}"
            taken = self.UserModel.objects.filter(username__iexact=candidate).exists
        return candidate

    def create_user(self, claims: dict[str, Any]) -> Any:
        """A new member account without a password, linked to its catalog person if any."""
        from productize.accounts.services import user_create
        from productize.catalog.models import Person

        email = str(claims["email"]).strip()
        person = Person.objects.filter(email__iexact=email).order_by("id").first()
        return user_create(
            actor=Actor.system(f"sign-in with {provider_name()}"),
            username=self.get_username(claims),
            password=None,
            email=email,
            person_slug=person.slug if person else "",
        )


class OIDCStartView(OIDCAuthenticationRequestView):
    """Send the browser to the provider (GET /accounts/oidc/start/?next=...)."""

    get_settings = staticmethod(setting)

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # endpoints are read when used, not here

    @property
    def OIDC_OP_AUTH_ENDPOINT(self) -> str:
        return str(setting("OIDC_OP_AUTHORIZATION_ENDPOINT"))

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:
        return str(setting("OIDC_RP_CLIENT_ID"))

    def get(self, request: HttpRequest) -> HttpResponse:
        """Redirect to the provider's authorization endpoint with state, nonce and PKCE."""
        if not enabled():
            raise Http404("sign-in with a provider is not configured")
        try:
            response: HttpResponse = super().get(request)
        except ProviderUnavailable as exc:
            LOGGER.warning("sign-in with %s unavailable: %s", provider_name(), exc)
            return _sign_in_page("unavailable")
        return response


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back (GET /accounts/oidc/callback/)."""

    get_settings = staticmethod(setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Finish the sign-in, or go back to the sign-in page saying it did not work."""
        if not enabled():
            raise Http404("sign-in with a provider is not configured")
        try:
            response: HttpResponse = super().get(request)
        except SuspiciousOperation as exc:  # an unknown or replayed `state`
            LOGGER.warning("sign-in with %s refused: %s", provider_name(), exc)
            return self.login_failure()
        return response

    def login_failure(self) -> HttpResponse:
        """Back to the sign-in page, with a message."""
        return _sign_in_page("failed")
