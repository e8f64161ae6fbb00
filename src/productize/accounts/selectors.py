"""Reads about users: which catalog person a user is, and their tokens."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from productize.accounts.models import ApiToken, UserProfile
from productize.catalog.models import Person


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
