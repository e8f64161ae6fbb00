"""Roles mapped onto permissions: admin, owner (direct, team, loop), member, anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from productize.accounts import permissions as p
from productize.audit.services import CATALOG_WRITE, SOURCE_MANAGE, SOURCE_REFRESH, Actor
from tests.accounts.conftest import World

pytestmark = pytest.mark.django_db


def test_owner_permissions_follow_ownership_directly_via_team_and_via_loop(world: World) -> None:
    catalog = world.catalog
    alice = Actor.for_user(world.owner)
    carol = Actor.for_user(world.other_owner)
    for permission in sorted(p.OWNER_PERMISSIONS):
        assert alice.can(permission, catalog["orders"])  # named owner
        assert alice.can(permission, catalog["payments"])  # through her team
        assert alice.can(permission, catalog["refunds"])  # owner of its loop `market`
        assert not alice.can(permission, catalog["ledger"])
        assert carol.can(permission, catalog["refunds"])
        assert not carol.can(permission, catalog["orders"])
        assert not alice.can(permission)  # no object, no ownership


@pytest.mark.parametrize("role", ["admin", "owner", "other_owner", "member", "anonymous"])
def test_role_matrix(world: World, role: str, settings: Any) -> None:
    user = AnonymousUser() if role == "anonymous" else getattr(world, role)
    actor = Actor.for_user(user)
    orders = world.catalog["orders"]
    expected_owner = role in {"admin", "owner"}
    signed_in = role != "anonymous"
    assert actor.can(p.READ) is signed_in
    assert actor.can(p.FEEDBACK_GIVE) is signed_in
    assert actor.can(p.PROPOSE) is signed_in
    assert actor.can(p.ROADMAP_EDIT, orders) is expected_owner
    assert actor.can(p.FEEDBACK_TRIAGE, orders) is expected_owner
    for admin_only in (CATALOG_WRITE, SOURCE_MANAGE, SOURCE_REFRESH, p.ACCOUNTS_MANAGE):
        assert actor.can(admin_only) is (role == "admin")
    settings.ANONYMOUS_READ = True
    assert actor.can(p.READ)
    assert actor.can(p.FEEDBACK_GIVE) is signed_in  # anonymous read never means writing
    assert actor.can(p.AUDIT_READ) is signed_in


def test_system_and_ingest_actors(world: World) -> None:
    assert Actor.system().can(p.ACCOUNTS_MANAGE)
    ingest = Actor.for_ingest(7)
    assert ingest.can(CATALOG_WRITE) and ingest.can(SOURCE_REFRESH)
    assert not ingest.can(SOURCE_MANAGE) and not ingest.can(p.ROADMAP_EDIT, world.catalog["orders"])


def test_an_inactive_admin_is_nobody(world: World) -> None:
    world.admin.is_active = False
    assert not Actor.for_user(world.admin).can(p.READ)
    assert p.role_of(world.admin) == "anonymous"


def test_objects_of_a_product_are_owned_with_it(world: World) -> None:
    class Improvement:
        product = world.catalog["orders"]

    assert Actor.for_user(world.owner).can(p.IMPROVEMENT_EDIT, Improvement())
    assert not Actor.for_user(world.member).can(p.IMPROVEMENT_EDIT, Improvement())
    assert Actor.for_user(world.owner).can(p.LOOP_EDIT, world.catalog["market"])
    assert not Actor.for_user(world.other_owner).can(p.LOOP_EDIT, world.catalog["market"])
