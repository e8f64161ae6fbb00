"""Reading the organisation around the products: its mission, loops, teams and people."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber

from productize.catalog.models import (
    Loop,
    Membership,
    Organization,
    Ownership,
    Person,
    Product,
    Team,
)
from productize.catalog.selectors.filters import STAGES
from productize.catalog.selectors.paging import Page, PageRequest, paginate
from productize.catalog.selectors.products import owners_prefetch, products_owned
from productize.catalog.selectors.stats import StageCount

VIA_TEAM_SHOWN = 10


def organization() -> Organization | None:
    """The organisation (a catalog has one), or None before anything is ingested."""
    return Organization.objects.order_by("id").first()


def _count_of(queryset: QuerySet, field: str) -> Subquery:
    """A correlated COUNT(*) subquery: cheaper than joining and grouping several relations."""
    counted = queryset.order_by().values(field).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))  # type: ignore[return-value]


# --- loops ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoopNode:
    """A loop with its product count and its depth in the loop tree (0 for top-level loops)."""

    loop: Loop
    product_count: int
    depth: int


def loop_tree() -> list[LoopNode]:
    """Every loop with its direct product count, parents before their children (two queries)."""
    loops = list(Loop.objects.order_by("name"))
    counts = dict(
        Product.objects.order_by()
        .filter(loop__isnull=False)
        .values_list("loop_id")
        .annotate(n=Count("id"))
        .values_list("loop_id", "n")
    )
    children: dict[int | None, list[Loop]] = {}
    ids = {loop.id for loop in loops}
    for loop in loops:
        parent = loop.parent_id if loop.parent_id in ids else None
        children.setdefault(parent, []).append(loop)
    result: list[LoopNode] = []
    seen: set[int] = set()

    def walk(parent: int | None, depth: int) -> None:
        for loop in children.get(parent, []):
            if loop.id in seen:  # a parent cycle in the descriptors must not loop forever
                continue
            seen.add(loop.id)
            result.append(LoopNode(loop, counts.get(loop.id, 0), depth))
            walk(loop.id, depth + 1)

    walk(None, 0)
    # Loops caught in a parent cycle have no top: list them at the top level.
    for loop in loops:
        if loop.id not in seen:
            seen.add(loop.id)
            result.append(LoopNode(loop, counts.get(loop.id, 0), 0))
    return result


@dataclass(frozen=True, slots=True)
class LoopDetail:
    """A loop's page: owners, parent and children, its products by stage and a page of them."""

    loop: Loop
    owners: list[Ownership]
    children: list[LoopNode]
    stages: list[StageCount]
    products: Page[Product]


def loop_detail(slug: str, request: PageRequest) -> LoopDetail | None:
    """A loop with what its page shows, or None when unknown."""
    loop = Loop.objects.select_related("parent").filter(slug=slug).first()
    if loop is None:
        return None
    owners = list(loop.ownerships.select_related("person", "team"))
    children = [
        LoopNode(child, child.product_count, 1)
        for child in Loop.objects.filter(parent=loop)
        .annotate(product_count=_count_of(Product.objects.filter(loop=OuterRef("pk")), "loop"))
        .order_by("name")
    ]
    rows = Product.objects.filter(loop=loop).order_by().values("stage").annotate(n=Count("id"))
    by_stage = {row["stage"]: row["n"] for row in rows}
    stages = [StageCount(stage, by_stage.get(stage, 0)) for stage in STAGES]
    products = products_owned(Q(loop=loop), request)
    return LoopDetail(loop, owners, children, stages, products)


# --- teams ---------------------------------------------------------------------------------


def team_page(request: PageRequest) -> Page[Team]:
    """One page of teams by name, each with its member and product counts."""
    teams = Team.objects.select_related("parent").annotate(
        member_count=_count_of(Membership.objects.filter(team=OuterRef("pk")), "team"),
        product_count=_count_of(
            Ownership.objects.filter(team=OuterRef("pk"), product__isnull=False), "team"
        ),
    )
    return paginate(teams.order_by("name", "id"), request, counted=Team.objects.all())


@dataclass(frozen=True, slots=True)
class TeamDetail:
    """A team's page: members, sub-teams, the loops and a page of the products it owns."""

    team: Team
    members: list[Person]
    children: list[Team]
    loops: list[Loop]
    products: Page[Product]


def team_detail(slug: str, request: PageRequest) -> TeamDetail | None:
    """A team with its members and what it owns, or None when unknown."""
    team = Team.objects.select_related("parent").filter(slug=slug).first()
    if team is None:
        return None
    members = list(Person.objects.filter(membership__team=team).order_by("name", "id"))
    children = list(Team.objects.filter(parent=team).order_by("name"))
    loops = list(Loop.objects.filter(ownerships__team=team).distinct().order_by("name"))
    owned = Ownership.objects.filter(team=team, product__isnull=False).values("product_id")
    products = products_owned(Q(id__in=owned), request)
    return TeamDetail(team, members, children, loops, products)


# --- people --------------------------------------------------------------------------------


def person_page(request: PageRequest, *, q: str = "") -> Page[Person]:
    """One page of people by name (optionally those whose name or id contains `q`)."""
    people = Person.objects.all()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(slug__icontains=q))
    annotated = people.annotate(
        team_count=_count_of(Membership.objects.filter(person=OuterRef("pk")), "person"),
        product_count=_count_of(
            Ownership.objects.filter(person=OuterRef("pk"), product__isnull=False), "person"
        ),
    )
    return paginate(annotated.order_by("name", "id"), request, counted=people)


@dataclass(frozen=True, slots=True)
class TeamProducts:
    """Products a person owns through one of their teams (the first few, and how many)."""

    team: Team
    products: list[Product]
    count: int


@dataclass(frozen=True, slots=True)
class PersonDetail:
    """A person's page: their teams, what they own directly and what through each team."""

    person: Person
    teams: list[Team]
    loops: list[Loop]
    direct: Page[Product]
    via_teams: list[TeamProducts]


def person_detail(slug: str, request: PageRequest) -> PersonDetail | None:
    """A person with what they own directly and through their teams, or None when unknown."""
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        return None
    teams = list(Team.objects.filter(membership__person=person).order_by("name", "id"))
    loops = list(
        Loop.objects.filter(Q(ownerships__person=person) | Q(ownerships__team__in=teams))
        .distinct()
        .order_by("name")
    )
    direct_ids = Ownership.objects.filter(person=person, product__isnull=False).values("product_id")
    direct = products_owned(Q(id__in=direct_ids), request)
    return PersonDetail(person, teams, loops, direct, _via_teams(teams))


def _via_teams(teams: list[Team]) -> list[TeamProducts]:
    """The first products each team owns, in one query (plus one for the counts)."""
    if not teams:
        return []
    counts = dict(
        Ownership.objects.filter(team__in=teams, product__isnull=False)
        .order_by()
        .values_list("team_id")
        .annotate(n=Count("product_id", distinct=True))
        .values_list("team_id", "n")
    )
    ranked = (
        Ownership.objects.filter(team__in=teams, product__isnull=False)
        .select_related("product__loop")
        .prefetch_related(owners_prefetch("product__ownerships"))
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("team_id")],
                order_by=[F("product__name").asc(), F("product_id").asc()],
            )
        )
        .filter(rank__lte=VIA_TEAM_SHOWN)
        .order_by("team_id", "rank")
    )
    products: dict[int, list[Product]] = {}
    for ownership in ranked:
        assert ownership.team_id is not None and ownership.product is not None
        products.setdefault(ownership.team_id, []).append(ownership.product)
    return [
        TeamProducts(team, products.get(team.id, []), counts.get(team.id, 0))
        for team in teams
        if counts.get(team.id)
    ]
