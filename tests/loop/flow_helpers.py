"""Shared set-up for the intake, importer, suggestion and feedback API tests (loopflow)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.loop.models import FeedbackChannel
from tests.web import factories

SYSTEM = Actor.system("tests")


def catalog() -> dict[str, Any]:
    """The shared small catalog (orders, payments, ledger, ...)."""
    return factories.demo_catalog()


def channel(
    name: str = "support desk",
    *,
    kind: str = "support",
    product: Product | None = None,
    rules: list[dict[str, Any]] | None = None,
    default_product: Product | None = None,
    secret: str = "",
) -> FeedbackChannel:
    """A channel row (channels are loopcore's; tests build the exact row they need)."""
    return FeedbackChannel.objects.create(
        name=name,
        kind=kind,
        product=product,
        routing_rules=rules or [],
        default_product=default_product,
        inbound_secret=secret,
    )


def member(username: str = "mia") -> Any:
    """A signed-in member with no ownership."""
    return get_user_model().objects.create_user(username, email=f"{username}@example.com")


def admin(username: str = "root") -> Any:
    """An admin account."""
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.com", is_staff=True, is_superuser=True
    )
