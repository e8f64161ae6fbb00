"""Test-only rows for the read side (selectors, API, pages), written straight to the tables.

Product code writes only through services; tests of the read side may build the exact rows
they need instead, which keeps each test's catalog small and its expectations obvious. Every
helper also writes an audit record, as the services do, so that anything keyed on the catalog
version (the facet cache) sees the change.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from productize.audit.models import Action, ActorKind, ChangeRecord
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Organization,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)
from productize.ingest.models import IngestProblem, IngestRun, RunStatus, Source, SourceKind

_counter = itertools.count(1)


def _audit(object_type: str, object_id: str) -> None:
    ChangeRecord.objects.create(
        at=timezone.now(),
        actor_kind=ActorKind.SYSTEM,
        actor_label="tests",
        action=Action.CREATE,
        object_type=object_type,
        object_id=object_id,
    )


def organization(
    slug: str = "acme", name: str = "Acme", mission: str = "Make good things."
) -> Organization:
    """The organisation."""
    _audit("organization", slug)
    return Organization.objects.create(slug=slug, name=name, mission=mission)


def loop(slug: str, name: str | None = None, *, mission: str = "", parent: Loop | None = None,
         owners: Sequence[str] = ()) -> Loop:  # fmt: skip
    """A loop, with owners given as `person:x` / `team:x` refs."""
    row = Loop.objects.create(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        mission=mission,
        parent=parent,
        parent_ref=parent.slug if parent else "",
    )
    for position, ref in enumerate(owners):
        Ownership.objects.create(loop=row, position=position, **_owner(ref))
    _audit("loop", slug)
    return row


def person(slug: str, name: str | None = None, *, email: str = "") -> Person:
    """A person."""
    _audit("person", slug)
    return Person.objects.create(
        slug=slug, name=name or slug.replace("-", " ").title(), email=email
    )


def team(slug: str, name: str | None = None, *, members: Iterable[Person] = (),
         parent: Team | None = None) -> Team:  # fmt: skip
    """A team with its members."""
    members = list(members)
    row = Team.objects.create(
        slug=slug,
        name=name or slug.replace("-", " ").title(),
        parent=parent,
        parent_ref=parent.slug if parent else "",
        member_refs=[m.slug for m in members],
    )
    Membership.objects.bulk_create([Membership(team=row, person=m) for m in members])
    _audit("team", slug)
    return row


def _owner(ref: str) -> dict[str, Any]:
    kind, _, slug = ref.rpartition(":")
    found: dict[str, Any] = {"ref": ref}
    if kind in ("", "person"):
        found["person"] = Person.objects.filter(slug=slug).first()
    if kind in ("", "team") and found.get("person") is None:
        found["team"] = Team.objects.filter(slug=slug).first()
    return found


def search_text(name: str, slug: str, mission: str, does: Sequence[str],
                does_not: Sequence[str], tags: Sequence[str]) -> str:  # fmt: skip
    """What the services store as `Product.search_text`."""
    parts = [slug, name, mission, *does, *does_not, *tags]
    return "\n".join(p for p in parts if p).lower()


def product(
    slug: str,
    name: str | None = None,
    *,
    mission: str = "",
    stage: str = "idea",
    loop: Loop | None = None,
    loop_ref: str = "",
    alignment: str = "",
    alignment_why: str = "",
    owners: Sequence[str] = (),
    tags: Sequence[str] = (),
    does: Sequence[str] = (),
    does_not: Sequence[str] = (),
    provides: Sequence[tuple[str, str] | tuple[str, str, str]] = (),
    consumes: Sequence[str] = (),
    part_of: Product | None = None,
    source: Source | None = None,
    source_path: str = "",
    **extra: Any,
) -> Product:
    """A product with owners, tags, interfaces it provides (name, kind[, stability]) and
    interfaces it consumes (`product/interface` refs, resolved when the interface exists)."""
    name = name or slug.replace("-", " ").title()
    row = Product.objects.create(
        slug=slug,
        name=name,
        mission=mission,
        stage=stage,
        loop=loop,
        loop_ref=loop.slug if loop else loop_ref,
        alignment=alignment,
        alignment_why=alignment_why,
        tags=list(tags),
        does=list(does),
        does_not=list(does_not),
        part_of=part_of,
        part_of_ref=part_of.slug if part_of else "",
        source=source,
        source_path=source_path or f"{slug}/product.yaml",
        search_text=search_text(name, slug, mission, does, does_not, tags),
        **extra,
    )
    for position, ref in enumerate(owners):
        Ownership.objects.create(product=row, position=position, **_owner(ref))
    ProductTag.objects.bulk_create([ProductTag(product=row, tag=t) for t in tags])
    for position, spec in enumerate(provides):
        iname, kind, *rest = spec
        Interface.objects.create(
            product=row,
            name=iname,
            kind=kind,
            stability=rest[0] if rest else "stable",
            ref=f"{slug}/{iname}",
            position=position,
            description=f"The {iname} of {name}.",
        )
    for position, ref in enumerate(consumes):
        Consumption.objects.create(
            consumer=row,
            interface_ref=ref,
            interface=Interface.objects.filter(ref=ref).first(),
            position=position,
        )
    _audit("product", slug)
    return row


def source(name: str = "main", *, location: str = "/srv/catalog") -> Source:
    """A directory source."""
    _audit("source", name)
    return Source.objects.create(name=name, kind=SourceKind.DIRECTORY, location=location)


def run(src: Source, *, status: str = RunStatus.SUCCEEDED, errors: int = 0,
        started_at: datetime | None = None) -> IngestRun:  # fmt: skip
    """A finished ingest run of a source."""
    started = started_at or timezone.now() - timedelta(minutes=next(_counter))
    return IngestRun.objects.create(
        source=src,
        location=src.location,
        status=status,
        started_at=started,
        finished_at=started + timedelta(seconds=3),
        files_seen=10,
        files_changed=2,
        files_skipped=8,
        created=1,
        updated=1,
        errors=errors,
    )


def problem(ingest_run: IngestRun, *, path: str = "x/product.yaml", line: int = 3,
            column: int = 1, message: str = "unknown field `owner`",
            hint: str = "did you mean `owners`?", product_slug: str = "",
            severity: str = "error", current: bool = True) -> IngestProblem:  # fmt: skip
    """A problem found by a run."""
    return IngestProblem.objects.create(
        run=ingest_run,
        source=ingest_run.source,
        path=path,
        line=line,
        column=column,
        severity=severity,
        code="unknown-field",
        message=message,
        hint=hint,
        product_slug=product_slug,
        current=current,
    )


def demo_catalog() -> dict[str, Any]:
    """A small, varied catalog that most read-side tests share."""
    org = organization(mission="Get food from small farms to the people who live near them.")
    alice, bob, carol = person("alice", "Alice Archer"), person("bob", "Bob Baker"), person("carol")
    payments_team = team("payments", "Payments Team", members=[alice, bob])
    market = loop("market", "Market", mission="Sell boxes to households.", owners=["alice"])
    ops = loop("operations", "Operations", mission="Keep the company running.")
    src = source()
    payments = product(
        "payments", "Payments", mission="Take money from customers safely.",
        stage="growing", loop=market, alignment="direct", alignment_why="Every order is paid.",
        owners=["team:payments"], tags=["money", "api"],
        does=["Charge cards", "Refund orders"], does_not=["Decide prices"],
        provides=[("charges-api", "api"), ("payment-events", "event")], source=src,
    )  # fmt: skip
    orders = product(
        "orders", "Orders", mission="Keep track of every box someone has ordered.",
        stage="established", loop=market, alignment="direct", owners=["alice", "team:payments"],
        tags=["hub", "api"], does=["Record orders"], does_not=["Take payments"],
        provides=[("orders-api", "api")], consumes=["payments/charges-api"], source=src,
    )  # fmt: skip
    ledger = product(
        "ledger", "Ledger", mission="Write down where the money went for the accountants.",
        stage="maintained", loop=ops, alignment="indirect", owners=["bob"], tags=["money"],
        consumes=["payments/payment-events", "billing/invoices"], source=src,
    )  # fmt: skip
    idea = product(
        "price-watch", "Price Watch", mission="Show growers what others charge.",
        stage="idea", owners=["nobody"], tags=["insight"],
    )  # fmt: skip
    refunds = product(
        "refund-desk", "Refund Desk", mission="Help care staff give money back.",
        stage="prototype", loop=market, part_of=payments, owners=["carol"], tags=["care"],
        consumes=["payments/charges-api"], source=src,
    )  # fmt: skip
    ingest_run = run(src, status=RunStatus.PARTIAL, errors=1)
    bad = problem(ingest_run, path="orders/product.yaml", line=12, column=5, product_slug="orders")
    return {
        "org": org, "alice": alice, "bob": bob, "carol": carol, "payments_team": payments_team,
        "market": market, "ops": ops, "source": src, "run": ingest_run, "problem": bad,
        "payments": payments, "orders": orders, "ledger": ledger, "idea": idea,
        "refunds": refunds,
    }  # fmt: skip
