"""What the API returns: documented shapes, and the functions that fill them from selectors.

Products, loops, teams and people are named by their descriptor id (`id`, the slug written in
the YAML files); sources and runs, which exist only in productize, by a number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from productize.catalog.models import Consumption, Interface, Loop, Ownership, Person, Product, Team
from productize.catalog.selectors import (
    Facet,
    LoopDetail,
    LoopNode,
    Page,
    PersonDetail,
    ProductDetail,
    TeamDetail,
)
from productize.catalog.selectors.facets import FacetCounts
from productize.ingest.models import IngestProblem, IngestRun, Source
from productize.ingest.redact import redact_url

# --- shared pieces -------------------------------------------------------------------------


class PageMeta(Schema):
    """Where a page sits in the whole list."""

    total: int = Field(description="How many items the whole list has.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Items per page.")
    pages: int = Field(description="How many pages the whole list has (0 when empty).")


def page_meta(page: Page[Any]) -> dict[str, int]:
    """The paging fields of a list response."""
    return {
        "total": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "pages": page.pages,
    }


class Ref(Schema):
    """A link to another catalog entity."""

    id: str = Field(description="Its descriptor id.")
    name: str


class OwnerOut(Schema):
    """A custodian as the descriptor names it, resolved to a person or team when one exists."""

    ref: str = Field(description="As written: `alice`, `team:payments`.")
    kind: str | None = Field(description="`person` or `team`; null when nothing matches.")
    id: str | None = Field(description="The person's or team's id, when resolved.")
    name: str | None = Field(description="Their name, when resolved.")
    resolved: bool = Field(description="False when the descriptor names someone unknown.")


def owner_out(ownership: Ownership) -> dict[str, Any]:
    """One owner."""
    if ownership.person_id is not None and ownership.person is not None:
        kind, entity = "person", ownership.person
    elif ownership.team_id is not None and ownership.team is not None:
        kind, entity = "team", ownership.team  # type: ignore[assignment]
    else:
        return {"ref": ownership.ref, "kind": None, "id": None, "name": None, "resolved": False}
    return {
        "ref": ownership.ref,
        "kind": kind,
        "id": entity.slug,
        "name": entity.name,
        "resolved": True,
    }


def ref(entity: Product | Loop | Team | Person | None) -> dict[str, str] | None:
    """A small reference to an entity, or None."""
    return None if entity is None else {"id": entity.slug, "name": entity.name}


class Links(Schema):
    """Where the entity lives in the web UI and in this API."""

    web: str = Field(description="Its page in the web UI.")
    api: str = Field(description="Its resource in this API.")


# --- products ------------------------------------------------------------------------------


class ProductSummary(Schema):
    """A product as the catalog lists it."""

    id: str = Field(description="The descriptor id.")
    name: str
    mission: str = Field(description="What it is for, in plain words ('' when not written).")
    stage: str = Field(description="idea, prototype, established, growing, maintained, retired.")
    alignment: str | None = Field(description="`direct`, `indirect`, or null when not stated.")
    loop: Ref | None = Field(description="The loop it belongs to, when that loop exists.")
    owners: list[OwnerOut]
    tags: list[str]
    links: Links


def product_links(slug: str) -> dict[str, str]:
    """Web and API addresses of a product."""
    return {
        "web": reverse("web:product", args=[slug]),
        "api": reverse("api-v1:product", args=[slug]),
    }


def product_link_maker() -> Callable[[str], dict[str, str]]:
    """`product_links` for many products: the addresses are resolved once, then filled in.

    A product id is `[a-z0-9-]` only (the descriptor's id pattern), so it needs no quoting and
    putting it where a placeholder id sat gives what `reverse` would (two `reverse` per
    product were a tenth of a page's cost).
    """
    marker = "0"
    web_before, _, web_after = reverse("web:product", args=[marker]).rpartition(marker)
    api_before, _, api_after = reverse("api-v1:product", args=[marker]).rpartition(marker)

    def links(slug: str) -> dict[str, str]:
        return {"web": f"{web_before}{slug}{web_after}", "api": f"{api_before}{slug}{api_after}"}

    return links


def product_summary(
    product: Product, links: Callable[[str], dict[str, str]] = product_links
) -> dict[str, Any]:
    """A product in a list (expects its loop and owners prefetched).

    `links` makes its addresses: pass one `product_link_maker()` for a whole list.
    """
    return {
        "id": product.slug,
        "name": product.name,
        "mission": product.mission,
        "stage": product.stage,
        "alignment": product.alignment or None,
        "loop": ref(product.loop),
        "owners": [owner_out(o) for o in product.ownerships.all()],
        "tags": list(product.tags or []),
        "links": links(product.slug),
    }


class FacetOptionOut(Schema):
    """One value of a filter and how many products it would give with the other filters."""

    value: str = Field(description="What to pass as the filter parameter.")
    label: str
    count: int
    selected: bool = Field(description="Whether this value is among the current filters.")


class ProductPage(PageMeta):
    """A page of products; `facets` when asked for with `facets=true`."""

    items: list[ProductSummary]
    facets: dict[str, list[FacetOptionOut]] | None = Field(
        None,
        description="Per filter (loop, stage, owner, alignment, interface_kind, tag, level, "
        "failing): its values with counts under all the other filters. Long facets list the "
        "largest values. `/product-facets` answers the same without the page.",
    )


def _options_out(facet: Facet) -> list[dict[str, Any]]:
    return [
        {"value": o.value, "label": o.label, "count": o.count, "selected": o.selected}
        for o in facet.options
    ]


def facets_out(facets: list[Facet]) -> dict[str, list[dict[str, Any]]]:
    """Facets keyed by filter name."""
    return {facet.name: _options_out(facet) for facet in facets}


class FacetOut(Schema):
    """One filter's values, each with the number of products it would give."""

    label: str = Field(description="The filter's name for people.")
    truncated: bool = Field(
        description="True when the filter has more values than `limit`: the largest are "
        "listed (and any selected one)."
    )
    options: list[FacetOptionOut]


class ProductFacets(Schema):
    """Per filter, its values with counts under all the other filters, and the total."""

    total: int = Field(description="How many products match every filter and the search.")
    facets: dict[str, FacetOut] = Field(
        description="Keyed by filter name (loop, stage, owner, alignment, interface_kind, tag, "
        "level, failing), the ones asked for in that order. A value's count is what choosing "
        "it (too) would give: each facet is counted under all the other filters."
    )


def product_facets_out(counts: FacetCounts) -> dict[str, Any]:
    """The total and the facets, keyed by filter name."""
    return {
        "total": counts.total,
        "facets": {
            facet.name: {
                "label": facet.label,
                "truncated": facet.truncated,
                "options": _options_out(facet),
            }
            for facet in counts.facets
        },
    }


class Scope(Schema):
    """What the product does and, as important, what it does not do."""

    does: list[str]
    does_not: list[str]


class Alignment(Schema):
    """How the product serves the organisation's mission."""

    kind: str = Field(description="`direct` or `indirect`.")
    why: str = Field(description="The one-line chain of reasoning.")


class InterfaceRef(Schema):
    """An interface named by reference."""

    ref: str = Field(description="`product-id/interface-name`.")
    product: Ref
    name: str
    kind: str
    stability: str


class ConsumerOut(Schema):
    """A product that consumes an interface, and what for."""

    product: Ref
    stage: str
    why: str = Field(description="What it uses the interface for ('' when not said).")


class ProvidedInterfaceOut(Schema):
    """An interface the product provides, with who consumes it."""

    ref: str
    name: str
    kind: str
    stability: str
    description: str
    spec: str = Field(description="Path of its specification file, relative to the descriptor.")
    docs: str = Field(description="Link to its documentation.")
    consumer_count: int
    consumers: list[ConsumerOut] = Field(
        description="The first consumers (up to 25); all of them at "
        "`/interfaces/{product}/{name}/consumers` or `/products?consumes=product/name`."
    )


class ConsumedInterfaceOut(Schema):
    """An interface of another product that this one uses."""

    interface: str = Field(description="The reference as the descriptor writes it.")
    resolved: bool = Field(description="False when no product declares that interface.")
    provider: InterfaceRef | None = Field(description="The interface, when it exists.")
    why: str


class SourceBrief(Schema):
    """A link to an ingest source."""

    id: int
    name: str


def source_brief(source: Source | None) -> dict[str, Any] | None:
    """A small reference to a source, or None."""
    return None if source is None else {"id": source.id, "name": source.name}


class SourceRef(Schema):
    """Where a descriptor was read from."""

    id: int
    name: str
    path: str = Field(description="The file, within the source.")
    line: int = Field(description="The line where its document starts (0 when unknown).")


class ProblemOut(Schema):
    """A problem ingest found in a descriptor file, located to the character."""

    path: str
    line: int
    column: int
    severity: str = Field(description="`error` or `warning`.")
    code: str
    message: str
    hint: str = Field(description="How to fix it ('' when there is no suggestion).")
    field: str
    product: str | None = Field(description="The product it belongs to, when known.")
    source: SourceBrief | None
    run_id: int
    current: bool = Field(description="Still the latest word on that file.")
    related_source: SourceBrief | None = Field(
        description="For an id claimed by two sources: the other one."
    )


def problem_out(problem: IngestProblem) -> dict[str, Any]:
    """One ingest problem (expects its source prefetched)."""
    source = problem.source
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "severity": problem.severity,
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
        "field": problem.field,
        "product": problem.product_slug or None,
        "source": source_brief(source),
        "run_id": problem.run_id,
        "current": problem.current,
        "related_source": source_brief(problem.related_source),
    }


class ProductOut(Schema):
    """Everything the catalog knows about one product."""

    id: str
    name: str
    display_name: str | None = Field(description="The brand name, when it differs.")
    mission: str
    vision: str
    scope: Scope
    stage: str
    alignment: Alignment | None
    loop: Ref | None
    loop_ref: str = Field(description="The loop id as written ('' when none).")
    owners: list[OwnerOut]
    audience: list[str]
    part_of: Ref | None
    part_of_ref: str
    parts: list[Ref] = Field(description="Sub-products (up to 50).")
    part_count: int
    interfaces_provided: list[ProvidedInterfaceOut]
    interfaces_consumed: list[ConsumedInterfaceOut]
    links: dict[str, Any] = Field(description="repository, docs, website, community, chat, ...")
    feedback: list[dict[str, Any]] = Field(description="Feedback channels: kind, url, name.")
    brand: dict[str, Any]
    resourcing: dict[str, Any]
    steady_state: dict[str, Any]
    tags: list[str]
    annotations: dict[str, Any]
    unresolved: list[str] = Field(description="References that name nothing in the catalog.")
    origin: str = Field(description="`descriptor` or `ui`: where it is edited.")
    source: SourceRef | None
    problems: list[ProblemOut] = Field(description="Current ingest problems (up to 50).")
    problem_count: int
    updated_at: datetime
    web_url: str


def _interface_ref(interface: Interface) -> dict[str, Any]:
    return {
        "ref": interface.ref,
        "product": ref(interface.product),
        "name": interface.name,
        "kind": interface.kind,
        "stability": interface.stability,
    }


def consumer_out(consumption: Consumption) -> dict[str, Any]:
    """A consumer of an interface (expects the consumer prefetched)."""
    return {
        "product": ref(consumption.consumer),
        "stage": consumption.consumer.stage,
        "why": consumption.why,
    }


def product_out(detail: ProductDetail) -> dict[str, Any]:
    """One product in full, built from the detail's plain rows (no further query)."""
    p = detail.product
    links = dict(p.links or {})
    feedback = links.pop("feedback", []) or []
    source = p.source
    return {
        "id": p.slug,
        "name": p.name,
        "display_name": (p.brand or {}).get("display_name"),
        "mission": p.mission,
        "vision": p.vision,
        "scope": {"does": list(p.does or []), "does_not": list(p.does_not or [])},
        "stage": p.stage,
        "alignment": {"kind": p.alignment, "why": p.alignment_why} if p.alignment else None,
        "loop": ref(p.loop),
        "loop_ref": p.loop_ref,
        "owners": [
            {"ref": o.ref, "kind": o.kind, "id": o.slug, "name": o.name, "resolved": o.resolved}
            for o in detail.owners
        ],
        "audience": list(p.audience or []),
        "part_of": ref(p.part_of),
        "part_of_ref": p.part_of_ref,
        "parts": [{"id": part.slug, "name": part.name} for part in detail.parts],
        "part_count": detail.part_count,
        "interfaces_provided": [
            {
                "ref": item.interface.ref,
                "name": item.interface.name,
                "kind": item.interface.kind,
                "stability": item.interface.stability,
                "description": item.interface.description,
                "spec": item.interface.spec_path,
                "docs": item.interface.docs_url,
                "consumer_count": item.consumer_count,
                "consumers": [
                    {
                        "product": {"id": c.consumer.slug, "name": c.consumer.name},
                        "stage": c.stage,
                        "why": c.why,
                    }
                    for c in item.consumers
                ],
            }
            for item in detail.provides
        ],
        "interfaces_consumed": [
            {
                "interface": c.interface_ref,
                "resolved": c.interface is not None,
                "provider": None
                if c.interface is None
                else {
                    "ref": c.interface.ref,
                    "product": {"id": c.interface.product.slug, "name": c.interface.product.name},
                    "name": c.interface.name,
                    "kind": c.interface.kind,
                    "stability": c.interface.stability,
                },
                "why": c.why,
            }
            for c in detail.consumes
        ],
        "links": links,
        "feedback": list(feedback),
        "brand": dict(p.brand or {}),
        "resourcing": dict(p.resourcing or {}),
        "steady_state": dict(p.steady_state or {}),
        "tags": list(p.tags or []),
        "annotations": dict(p.annotations or {}),
        "unresolved": detail.unresolved,
        "origin": p.origin,
        "source": (
            {"id": source.id, "name": source.name, "path": p.source_path, "line": p.source_line}
            if source is not None
            else None
        ),
        "problems": [
            {
                "path": x.path,
                "line": x.line,
                "column": x.column,
                "severity": x.severity,
                "code": x.code,
                "message": x.message,
                "hint": x.hint,
                "field": x.field,
                "product": x.product_slug or None,
                "source": None if x.source is None else {"id": x.source.id, "name": x.source.name},
                "run_id": x.run_id,
                "current": x.current,
                "related_source": (
                    None
                    if x.related_source is None
                    else {"id": x.related_source.id, "name": x.related_source.name}
                ),
            }
            for x in detail.problems
        ],
        "problem_count": detail.problem_count,
        "updated_at": p.updated_at,
        "web_url": reverse("web:product", args=[p.slug]),
    }


# --- interfaces ----------------------------------------------------------------------------


class InterfaceOut(Schema):
    """An interface: where a product meets the outside world."""

    ref: str = Field(description="`product-id/interface-name`: how consumers name it.")
    product: Ref
    name: str
    kind: str = Field(description="api, ui, cli, library, event, data, document, process, ...")
    stability: str = Field(description="experimental, stable or deprecated.")
    description: str
    spec: str
    docs: str
    consumer_count: int


def interface_out(interface: Interface) -> dict[str, Any]:
    """One interface (expects its product prefetched and `consumer_count` annotated)."""
    return {
        **_interface_ref(interface),
        "description": interface.description,
        "spec": interface.spec_path,
        "docs": interface.docs_url,
        "consumer_count": getattr(interface, "consumer_count", 0),
    }


class InterfacePage(PageMeta):
    """A page of interfaces, by reference."""

    items: list[InterfaceOut]


class ConsumerPage(PageMeta):
    """A page of the products consuming an interface, by name."""

    items: list[ConsumerOut]


# --- organisation, loops, teams, people ------------------------------------------------------


class OrganizationOut(Schema):
    """The organisation and its one mission."""

    id: str
    name: str
    mission: str


class LoopOut(Schema):
    """A loop: products grouped around a shared mission and its customers."""

    id: str
    name: str
    mission: str
    customers: list[str]
    parent: Ref | None
    depth: int = Field(description="0 for a top-level loop, 1 for its children, ...")
    product_count: int = Field(description="Products directly in this loop.")


def loop_out(node: LoopNode) -> dict[str, Any]:
    """A loop in the loop list."""
    loop = node.loop
    return {
        "id": loop.slug,
        "name": loop.name,
        "mission": loop.mission,
        "customers": list(loop.customers or []),
        "parent": ref(loop.parent) if loop.parent_id else None,
        "depth": node.depth,
        "product_count": node.product_count,
    }


class LoopList(PageMeta):
    """A page of loops, parents before their children."""

    items: list[LoopOut]


class LoopDetailOut(LoopOut):
    """A loop with its owners, sub-loops and products by stage."""

    owners: list[OwnerOut]
    children: list[LoopOut]
    products_by_stage: dict[str, int]
    products: str = Field(description="Where to list its products: `/products?loop=ID`.")


def loop_detail_out(detail: LoopDetail) -> dict[str, Any]:
    """One loop in full."""
    return {
        **loop_out(LoopNode(detail.loop, detail.products.total, 0)),
        "depth": 0,
        "owners": [owner_out(o) for o in detail.owners],
        "children": [loop_out(child) for child in detail.children],
        "products_by_stage": {s.stage: s.count for s in detail.stages},
        "products": reverse("api-v1:products") + f"?loop={detail.loop.slug}",
    }


class TeamOut(Schema):
    """A team: people who own products together."""

    id: str
    name: str
    parent: Ref | None
    member_count: int
    product_count: int = Field(description="Products the team owns.")


def team_out(team: Team) -> dict[str, Any]:
    """A team in the team list (expects the counts annotated)."""
    return {
        "id": team.slug,
        "name": team.name,
        "parent": ref(team.parent) if team.parent_id else None,
        "member_count": getattr(team, "member_count", 0),
        "product_count": getattr(team, "product_count", 0),
    }


class TeamPage(PageMeta):
    """A page of teams, by name."""

    items: list[TeamOut]


class TeamDetailOut(Schema):
    """A team with its members and what it owns."""

    id: str
    name: str
    parent: Ref | None
    children: list[Ref]
    members: list[Ref]
    loops: list[Ref] = Field(description="Loops the team owns.")
    products: list[Ref] = Field(description="The first products it owns, by name.")
    product_count: int
    all_products: str = Field(description="Where to list all of them.")


def team_detail_out(detail: TeamDetail) -> dict[str, Any]:
    """One team in full."""
    team = detail.team
    return {
        "id": team.slug,
        "name": team.name,
        "parent": ref(team.parent) if team.parent_id else None,
        "children": [ref(t) for t in detail.children],
        "members": [ref(p) for p in detail.members],
        "loops": [ref(loop) for loop in detail.loops],
        "products": [ref(p) for p in detail.products.items],
        "product_count": detail.products.total,
        "all_products": reverse("api-v1:products") + f"?owner=team:{team.slug}",
    }


class PersonOut(Schema):
    """A product builder."""

    id: str
    name: str
    email: str
    team_count: int
    product_count: int = Field(description="Products they own directly.")


def person_out(person: Person) -> dict[str, Any]:
    """A person in the people list (expects the counts annotated)."""
    return {
        "id": person.slug,
        "name": person.name,
        "email": person.email,
        "team_count": getattr(person, "team_count", 0),
        "product_count": getattr(person, "product_count", 0),
    }


class PersonPage(PageMeta):
    """A page of people, by name."""

    items: list[PersonOut]


class TeamOwnership(Schema):
    """What a person owns through one of their teams."""

    team: Ref
    products: list[Ref] = Field(description="The first ones, by name.")
    product_count: int


class PersonDetailOut(Schema):
    """A person, their teams, and what they own directly and through each team."""

    id: str
    name: str
    email: str
    teams: list[Ref]
    loops: list[Ref] = Field(description="Loops they own, directly or through a team.")
    owns_directly: list[Ref] = Field(description="The first products they own themselves.")
    owns_directly_count: int
    owns_through_teams: list[TeamOwnership]
    all_products: str = Field(description="Where to list everything they own.")


def person_detail_out(detail: PersonDetail) -> dict[str, Any]:
    """One person in full."""
    person = detail.person
    return {
        "id": person.slug,
        "name": person.name,
        "email": person.email,
        "teams": [ref(t) for t in detail.teams],
        "loops": [ref(loop) for loop in detail.loops],
        "owns_directly": [ref(p) for p in detail.direct.items],
        "owns_directly_count": detail.direct.total,
        "owns_through_teams": [
            {
                "team": ref(v.team),
                "products": [ref(p) for p in v.products],
                "product_count": v.count,
            }
            for v in detail.via_teams
        ],
        "all_products": reverse("api-v1:products") + f"?owner=person:{person.slug}",
    }


# --- sources and runs ------------------------------------------------------------------------


class RunSummary(Schema):
    """An ingest run in brief."""

    id: int
    status: str = Field(description="running, succeeded, partial (with errors) or failed.")
    started_at: datetime
    finished_at: datetime | None


class SourceOut(Schema):
    """A directory or git repository whose descriptors feed the catalog."""

    id: int
    name: str
    kind: str = Field(description="`directory` or `git`.")
    location: str = Field(description="Path or URL; credentials are never shown.")
    branch: str
    subpath: str
    schedule_minutes: int = Field(description="How often the worker refreshes it; 0 = never.")
    enabled: bool
    last_commit: str
    problem_count: int = Field(description="Current problems in its files.")
    last_run: RunSummary | None


def run_summary(run: IngestRun | None) -> dict[str, Any] | None:
    """A run in brief, or None."""
    if run is None:
        return None
    return {
        "id": run.id,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
    }


def source_out(source: Source, last_run: IngestRun | None = None) -> dict[str, Any]:
    """A source (expects `problem_count` annotated)."""
    return {
        "id": source.id,
        "name": source.name,
        "kind": source.kind,
        "location": redact_url(source.location),
        "branch": source.branch,
        "subpath": source.subpath,
        "schedule_minutes": source.schedule_minutes,
        "enabled": source.enabled,
        "last_commit": source.last_commit,
        "problem_count": getattr(source, "problem_count", 0),
        "last_run": run_summary(last_run),
    }


class SourcePage(PageMeta):
    """A page of sources, by name."""

    items: list[SourceOut]


class RunOut(Schema):
    """One pass over a source: what was seen, what changed, what was wrong."""

    id: int
    source: SourceBrief | None
    location: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    commit: str
    commit_message: str
    files_seen: int
    files_changed: int
    files_skipped: int
    created: int
    updated: int
    removed: int
    errors: int
    warnings: int
    message: str = Field(description="Why the run failed as a whole ('' otherwise).")


def run_out(run: IngestRun) -> dict[str, Any]:
    """One run (expects its source prefetched)."""
    return {
        "id": run.id,
        "source": source_brief(run.source),
        "location": redact_url(run.location),
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "commit": run.commit,
        "commit_message": run.commit_message,
        "files_seen": run.files_seen,
        "files_changed": run.files_changed,
        "files_skipped": run.files_skipped,
        "created": run.created,
        "updated": run.updated,
        "removed": run.removed,
        "errors": run.errors,
        "warnings": run.warnings,
        "message": run.message,
    }


class RunPage(PageMeta):
    """A page of runs, newest first."""

    items: list[RunOut]


class ProblemPage(PageMeta):
    """A page of ingest problems, by file and position."""

    items: list[ProblemOut]


class RefreshOut(Schema):
    """A refresh was asked for; the worker runs it on its next pass."""

    status: str = Field(description="`queued`.")
    source: SourceBrief
