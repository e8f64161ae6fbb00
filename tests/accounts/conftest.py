"""Personas for access tests: admin, owner, other owner, member, anonymous, and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from productize.accounts.models import ApiToken, UserProfile
from productize.accounts.services import token_create
from productize.audit.services import Actor
from tests.web import factories

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _signed_in_only(settings: Any) -> None:
    # These tests check the access rules themselves: anonymous read is off, as by default.
    settings.ANONYMOUS_READ = False
    # Argon2 is the production hasher (tested in test_sign_in); a fast one keeps these quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


def make_user(username: str, *, email: str = "", admin: bool = False, person: str = "") -> Any:
    """A user with the shared test password (and a profile link when `person` is given)."""
    user = get_user_model().objects.create_user(
        username, email=email, password=PASSWORD, is_staff=admin, is_superuser=admin
    )
    if person:
        UserProfile.objects.create(user=user, person_slug=person)
    return user


@dataclass
class World:
    """The demo catalog and one user per role."""

    catalog: dict[str, Any]
    admin: Any
    owner: Any  # alice: orders directly, payments via her team, refund-desk via the market loop
    other_owner: Any  # carol: refund-desk only
    member: Any  # nobody in the catalog


@pytest.fixture
def world(db: Any) -> World:
    """The shared catalog with the personas."""
    return build_world()


def build_world() -> World:
    """The shared catalog with the personas (for fixtures with their own database access)."""
    catalog = factories.demo_catalog()
    alice = catalog["alice"]
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    return World(
        catalog=catalog,
        admin=make_user("root", admin=True),
        owner=make_user("alice", email="Alice@Example.com"),
        other_owner=make_user("carol", person="carol"),
        member=make_user("mia", email="mia@example.com"),
    )


def bearer_client(token: str) -> Client:
    """A client that sends a bearer token on every request."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def session_client(user: Any) -> Client:
    """A signed-in browser client (CSRF checks enforced, as in a real browser)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def new_token(user: Any, *, scope: str = "read", expired: bool = False) -> str:
    """A token's secret for `user` (already expired, if asked)."""
    made = token_create(
        actor=Actor.system("tests"),
        user=user,
        name=f"t-{scope}-{ApiToken.objects.count()}",
        scope=scope,
    )
    if expired:
        ApiToken.objects.filter(pk=made.token.pk).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    return made.secret
