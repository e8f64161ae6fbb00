"""Reads about users: which catalog person a user is, and their tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from productize.accounts.models import ApiToken, UserProfile
from productize.catalog.models import Person
from productize.catalog.selectors import Page, PageRequest
from productize.catalog.selectors.paging import paginate

TOKEN_STATES = ("active", "expired", "revoked")


def person_for_user(user: Any) -> Person | None:
    """The catalog person a user is: the profile's explicit link, else the same email."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_productize_person"):
        cached: Person | None = user._productize_person
        return cached
    profile = UserProfile.objects.filter(user=user).first()
    person: Person | None = None
    if profile is not None and profile.person_slug:
        person = Person.objects.filter(slug=profile.person_slug).first()
    elif user.email:
        person = Person.objects.filter(email__iexact=user.email).order_by("id").first()
    user._productize_person = person
    return person


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    """A user's tokens, by name."""
    return ApiToken.objects.filter(user=user).order_by("name")


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    """`revoked`, `expired` or `active`."""
    if token.revoked:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= (now or timezone.now()):
        return "expired"
    return "active"


@dataclass(frozen=True, slots=True)
class TokenRow:
    """A token as a list shows it: the token and its state."""

    token: ApiToken
    state: str


def token_rows(user: Any) -> list[TokenRow]:
    """A user's tokens with their states: active ones first, then by name."""
    now = timezone.now()
    rows = [TokenRow(t, token_state(t, now)) for t in tokens_of(user).select_related("user")]
    return sorted(rows, key=lambda row: (row.state != "active", row.token.name.lower()))


def token_page(*, username: str = "", state: str = "", page: PageRequest) -> Page[TokenRow]:
    """Every user's tokens (for admins), filtered by username and state, newest first."""
    now = timezone.now()
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    if username:
        tokens = tokens.filter(user__username__iexact=username)
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    if state == "active":
        tokens = tokens.filter(unexpired, revoked=False)
    elif state == "expired":
        tokens = tokens.filter(revoked=False).exclude(unexpired)
    elif state == "revoked":
        tokens = tokens.filter(revoked=True)
    found = paginate(tokens, page)
    rows = [TokenRow(t, token_state(t, now)) for t in found.items]
    return Page(items=rows, total=found.total, page=found.page, page_size=found.page_size)
