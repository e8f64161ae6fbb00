"""Resolve the catalog's written references (`*_ref`) into foreign keys, catalog-wide.

Every unresolved reference whose target now exists gets its key, whichever source declared
either side: a new interface resolves the consumers that named it long ago. Each kind of
reference is one `UPDATE ... WHERE key IS NULL AND EXISTS (...)` statement, so the cost does
not grow with the number of documents in a sync. Keys of deleted targets are cleared by the
foreign keys' `SET_NULL`, which keeps the written id.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connection, models
from django.db.models import Exists, OuterRef, Subquery
from django.db.models.functions import Substr

from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Ownership,
    Person,
    Product,
    Team,
)
from productize.catalog.services.bulk import insert_rows

PERSON_PREFIX = "person:"
TEAM_PREFIX = "team:"


def _resolve(
    queryset: models.QuerySet[Any], key: str, target: models.QuerySet[Any], match: Any
) -> int:
    """Point `key` at the `target` row whose slug equals `match`, where one exists."""
    found = target.filter(slug=match)
    return queryset.filter(Exists(found)).update(**{key: Subquery(found.values("id")[:1])})


def resolve_references() -> int:
    """Fill every unresolved key whose target exists; return the number of rows changed."""
    changed = 0
    changed += _resolve(
        Product.objects.filter(loop__isnull=True).exclude(loop_ref=""),
        "loop",
        Loop.objects.all(),
        OuterRef("loop_ref"),
    )
    changed += _resolve(
        Product.objects.filter(part_of__isnull=True).exclude(part_of_ref=""),
        "part_of",
        Product.objects.all(),
        OuterRef("part_of_ref"),
    )
    changed += _resolve(
        Loop.objects.filter(parent__isnull=True).exclude(parent_ref=""),
        "parent",
        Loop.objects.all(),
        OuterRef("parent_ref"),
    )
    changed += _resolve(
        Team.objects.filter(parent__isnull=True).exclude(parent_ref=""),
        "parent",
        Team.objects.all(),
        OuterRef("parent_ref"),
    )
    interface = Interface.objects.filter(ref=OuterRef("interface_ref"))
    changed += (
        Consumption.objects.filter(interface__isnull=True)
        .filter(Exists(interface))
        .update(interface=Subquery(interface.values("id")[:1]))
    )
    changed += _resolve_owners()
    return changed


def _resolve_owners() -> int:
    """`person:x` names a person, `team:x` a team, and a bare `x` a person first, else a team."""
    open_ = Ownership.objects.filter(person__isnull=True, team__isnull=True)
    changed = _resolve(
        open_.filter(ref__startswith=PERSON_PREFIX),
        "person",
        Person.objects.all(),
        Substr(OuterRef("ref"), len(PERSON_PREFIX) + 1),
    )
    changed += _resolve(
        open_.filter(ref__startswith=TEAM_PREFIX),
        "team",
        Team.objects.all(),
        Substr(OuterRef("ref"), len(TEAM_PREFIX) + 1),
    )
    bare = open_.exclude(ref__contains=":")
    changed += _resolve(bare, "person", Person.objects.all(), OuterRef("ref"))
    changed += _resolve(bare, "team", Team.objects.all(), OuterRef("ref"))
    return changed


def _declared(model: type[Person] | type[Team], column: str) -> list[tuple[int, str, list[str]]]:
    """(id, slug, declared list) of every row, read without the ORM's per-row overhead."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, slug, {quote(column)} FROM {table}")  # noqa: S608
        rows = cursor.fetchall()
    # PostgreSQL hands back decoded JSON, SQLite the text.
    return [
        (pk, slug, refs if isinstance(refs, list) else json.loads(refs)) for pk, slug, refs in rows
    ]


def sync_memberships() -> tuple[int, int]:
    """Make `Membership` hold every pair a team's `members` or a person's `teams` declares.

    Returns (added, removed). Runs only when teams or people changed; it reads the id and the
    declared lists of every team and person, which stays small beside the product catalog.
    """
    people = _declared(Person, "team_refs")
    teams = _declared(Team, "member_refs")
    person_ids = {slug: pk for pk, slug, _ in people}
    team_ids = {slug: pk for pk, slug, _ in teams}
    wanted: set[tuple[int, int]] = set()
    for team_id, _, refs in teams:
        wanted.update((team_id, person_ids[ref]) for ref in refs if ref in person_ids)
    for person_id, _, refs in people:
        wanted.update((team_ids[ref], person_id) for ref in refs if ref in team_ids)
    have = {
        (team_id, person_id): pk
        for pk, team_id, person_id in Membership.objects.values_list("id", "team_id", "person_id")
    }
    stale = [pk for pair, pk in have.items() if pair not in wanted]
    for start in range(0, len(stale), 500):
        Membership.objects.filter(id__in=stale[start : start + 500]).delete()
    missing = sorted(wanted - have.keys())
    insert_rows(Membership, ("team", "person"), missing)
    return len(missing), len(stale)
