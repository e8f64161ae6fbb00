"""What the loop desk pages read: who owns what, the triage inbox, suggestions, My loop.

The triage buttons must appear exactly for the people the services accept, and asking
`actor.can(...)` for every row of a page would cost a few queries per row. So the desk reads
the user's ownership once (`Scope`: products owned directly or through a team, loops owned
with every loop inside them) and answers per row in Python, by the same rules as
`accounts.permissions.owns` (a test holds the two together).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.safestring import SafeString

from productize.accounts.permissions import MAX_LOOP_DEPTH, is_admin_user
from productize.accounts.selectors import person_for_user
from productize.catalog.models import Interface, Loop, Membership, Ownership, Person, Product
from productize.domain.loop.states import PatternStatus
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Pattern,
    PatternFeedback,
    Suggestion,
    SuggestionKind,
    SuggestionStatus,
)

CLOSED_PATTERNS = (PatternStatus.CLOSED_RESOLVED.value, PatternStatus.CLOSED_UNRESOLVED.value)
LINKABLE_LIMIT = 200  # patterns offered in a "link to" list, heaviest first
ROUTE_LIMIT = 300  # products offered in a "route to" list when the person may route anywhere
STATES = ("untriaged", "unrouted", "unpatterned")


def markdown_safe(text: str) -> SafeString:
    """Feedback text as sanitised HTML (the loop's one renderer)."""
    from productize.loop.render import markdown_safe as render

    return render(text)


# --- who owns what ----------------------------------------------------------------------------


def _loops_below(roots: set[int]) -> set[int]:
    """The loops `roots` and every loop nested inside them (bounded like the permission)."""
    if not roots:
        return set()
    children: dict[int, list[int]] = {}
    for pk, parent in Loop.objects.values_list("pk", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found = set(roots)
    frontier = set(roots)
    for _ in range(MAX_LOOP_DEPTH):
        frontier = {c for pk in frontier for c in children.get(pk, []) if c not in found}
        if not frontier:
            break
        found |= frontier
    return found


@dataclass(frozen=True, slots=True)
class Scope:
    """What a user may decide about in the loop: everything (admin) or what they own."""

    admin: bool = False
    person: Person | None = None
    product_ids: frozenset[int] = frozenset()  # owned directly or through a team
    loop_ids: frozenset[int] = frozenset()  # owned loops and the loops inside them

    @property
    def owns_anything(self) -> bool:
        """Whether the user owns at least one product or loop."""
        return bool(self.product_ids or self.loop_ids)

    def owns_product(self, product_id: int | None, loop_id: int | None) -> bool:
        """Whether the user owns this product (admins: every product)."""
        if self.admin:
            return True
        if product_id is None:
            return False
        return product_id in self.product_ids or (loop_id is not None and loop_id in self.loop_ids)

    def may_triage(self, item: Feedback) -> bool:
        """Whether the services let this user route or link `item` (FEEDBACK_TRIAGE on it)."""
        if self.admin:
            return True
        if item.product_id is not None:
            product = item.product
            return self.owns_product(item.product_id, product.loop_id if product else None)
        channel = item.channel
        if channel is None:
            return False
        if channel.product_id is not None:
            owner = channel.product
            return self.owns_product(channel.product_id, owner.loop_id if owner else None)
        return channel.loop_id is not None and channel.loop_id in self.loop_ids

    def may_route(self, item: Feedback) -> bool:
        """Whether the user may route `item` somewhere: its triagers, and for an unrouted item
        any product owner (who may claim it for a product of theirs)."""
        return self.may_triage(item) or (item.product_id is None and self.owns_anything)

    def products(self) -> Q:
        """A condition on Product: the products this user may decide about (admins: all)."""
        return Q() if self.admin else self.owned()

    def owned(self) -> Q:
        """A condition on Product: the products this user owns (admins too: their own)."""
        return Q(pk__in=self.product_ids) | Q(loop_id__in=self.loop_ids)

    def feedback(self) -> Q:
        """A condition on Feedback: the items this user may triage."""
        if self.admin:
            return Q()
        owned = Q(product_id__in=self.product_ids) | Q(product__loop_id__in=self.loop_ids)
        by_channel = (
            Q(channel__product_id__in=self.product_ids)
            | Q(channel__product__loop_id__in=self.loop_ids)
            | Q(channel__loop_id__in=self.loop_ids)
        )
        return owned | (Q(product__isnull=True) & by_channel)


def scope_for(user: Any) -> Scope:
    """The user's ownership (and whether they are an admin), read in a few small queries."""
    admin = is_admin_user(user)
    person = person_for_user(user)
    if person is None:
        return Scope(admin=admin)
    teams = Membership.objects.filter(person=person).values("team_id")
    rows = Ownership.objects.filter(Q(person=person) | Q(team_id__in=teams)).values_list(
        "product_id", "loop_id"
    )
    product_ids = {p for p, _ in rows if p is not None}
    loop_ids = _loops_below({loop for _, loop in rows if loop is not None})
    return Scope(admin, person, frozenset(product_ids), frozenset(loop_ids))


# --- the triage inbox -------------------------------------------------------------------------


def unpatterned() -> Q:
    """A condition on Feedback: no pattern claims the item yet."""
    return ~Q(Exists(PatternFeedback.objects.filter(feedback=OuterRef("pk"))))


@dataclass(frozen=True, slots=True)
class TriageFilters:
    """The inbox's filters, read leniently from the URL (unknown values show everything)."""

    state: str = "untriaged"  # untriaged (no pattern), unrouted, unpatterned (routed, no pattern)
    product: str = ""
    channel: int | None = None
    mine: bool = False

    @classmethod
    def from_query(cls, query: Any) -> TriageFilters:
        """Filters from request.GET."""
        state = query.get("state", "")
        channel = query.get("channel", "")
        return cls(
            state=state if state in STATES else "untriaged",
            product=str(query.get("product", ""))[:100].strip(),
            channel=int(channel) if str(channel).isdigit() else None,
            mine=query.get("mine") == "1",
        )

    def params(self) -> list[tuple[str, str]]:
        """The filters as query parameters (defaults left out)."""
        out: list[tuple[str, str]] = []
        if self.state != "untriaged":
            out.append(("state", self.state))
        if self.product:
            out.append(("product", self.product))
        if self.channel is not None:
            out.append(("channel", str(self.channel)))
        if self.mine:
            out.append(("mine", "1"))
        return out


def triage_queryset(filters: TriageFilters, scope: Scope) -> QuerySet[Feedback]:
    """The inbox: feedback no pattern claims yet, newest first, as filtered."""
    qs = Feedback.objects.filter(unpatterned())
    if filters.state == "unrouted":
        qs = qs.filter(product__isnull=True)
    elif filters.state == "unpatterned":
        qs = qs.filter(product__isnull=False)
    if filters.product:
        qs = qs.filter(product__slug=filters.product)
    if filters.channel is not None:
        qs = qs.filter(channel_id=filters.channel)
    if filters.mine:
        qs = qs.filter(scope.feedback()) if scope.owns_anything or scope.admin else qs.none()
    return qs.select_related("channel", "product", "interface").order_by("-created_at", "-id")


@dataclass(frozen=True, slots=True)
class Choice:
    """An option of a select: value and label."""

    value: str
    label: str


@dataclass(slots=True)
class TriageRow:
    """One inbox item and what this person may do with it."""

    item: Feedback
    html: SafeString
    may_route: bool
    may_link: bool
    route_by_id: bool  # too many products for a list: the form asks for the product id
    show_contact: bool
    route_choices: list[Choice] = field(default_factory=list)
    interface_choices: list[Choice] = field(default_factory=list)
    pattern_groups: list[tuple[str, list[Choice]]] = field(default_factory=list)


@dataclass(slots=True)
class TriageOptions:
    """The lists the inbox's forms offer, read once per page."""

    all_products: list[Choice]
    owned_products: list[Choice]
    patterns: list[tuple[int, str, list[int]]]  # (id, title, product ids), heaviest first
    owned_pattern_ids: set[int]
    interfaces: dict[int, list[Choice]]


def _product_choices(condition: Q) -> list[Choice]:
    rows = (
        Product.objects.filter(condition)
        .exclude(stage="retired")
        .order_by("name")
        .values_list("slug", "name")[: ROUTE_LIMIT + 1]
    )
    return [Choice(slug, name) for slug, name in rows]


def product_choices(condition: Q) -> list[Choice]:
    """Products matching `condition` for a select, by name (at most ROUTE_LIMIT)."""
    return _product_choices(condition)[:ROUTE_LIMIT]


def too_many(choices: list[Choice]) -> bool:
    """Whether a list of products was cut at ROUTE_LIMIT (the form then takes a typed id)."""
    return len(choices) > ROUTE_LIMIT


def triage_options(scope: Scope, items: list[Feedback]) -> TriageOptions:
    """Products to route to, patterns to link to and interfaces, for one page of the inbox."""
    everyone = _product_choices(Q())
    owned = everyone if scope.admin else _product_choices(scope.products())
    open_patterns = Pattern.objects.exclude(status__in=CLOSED_PATTERNS).order_by("-weight", "-id")
    patterns = list(open_patterns.values_list("pk", "title")[:LINKABLE_LIMIT])
    ids = [pk for pk, _ in patterns]
    products_of: dict[int, list[int]] = {pk: [] for pk in ids}
    for pattern_id, product_id in Pattern.products.through.objects.filter(
        pattern_id__in=ids
    ).values_list("pattern_id", "product_id"):
        products_of[pattern_id].append(product_id)
    owned_ids: set[int] = set()
    if not scope.admin:
        loops = dict(
            Product.objects.filter(pk__in={p for v in products_of.values() for p in v}).values_list(
                "pk", "loop_id"
            )
        )
        for pk, product_ids in products_of.items():
            if any(scope.owns_product(p, loops.get(p)) for p in product_ids):
                owned_ids.add(pk)
        if scope.person is not None:
            owned_ids |= set(
                open_patterns.filter(pk__in=ids, owner=scope.person).values_list("pk", flat=True)
            )
    interfaces: dict[int, list[Choice]] = {}
    routed = {i.product_id for i in items if i.product_id is not None}
    for product_id, name, ref in (
        Interface.objects.filter(product_id__in=routed)
        .order_by("position", "name")
        .values_list("product_id", "name", "ref")
    ):
        interfaces.setdefault(product_id, []).append(Choice(name, ref))
    return TriageOptions(
        all_products=everyone,
        owned_products=owned,
        patterns=[(pk, title, products_of[pk]) for pk, title in patterns],
        owned_pattern_ids=owned_ids,
        interfaces=interfaces,
    )


def triage_row(item: Feedback, scope: Scope, options: TriageOptions) -> TriageRow:
    """What the inbox shows for one item, with only the actions the services would accept."""
    triager = scope.may_triage(item)
    may_route = scope.may_route(item)
    if triager or scope.admin:
        linkable = options.patterns
    else:
        linkable = [p for p in options.patterns if p[0] in options.owned_pattern_ids]
    here = [
        Choice(str(pk), title) for pk, title, products in linkable if item.product_id in products
    ]
    elsewhere = [
        Choice(str(pk), title)
        for pk, title, products in linkable
        if item.product_id not in products
    ]
    groups = [
        (label, rows)
        for label, rows in (("On this product", here), ("Other open patterns", elsewhere))
        if rows
    ]
    return TriageRow(
        item=item,
        html=markdown_safe(item.text),
        may_route=may_route,
        may_link=triager or bool(options.owned_pattern_ids),
        show_contact=triager,
        route_by_id=too_many(options.all_products if triager else options.owned_products),
        route_choices=(options.all_products if triager else options.owned_products)[:ROUTE_LIMIT],
        interface_choices=options.interfaces.get(item.product_id or 0, []),
        pattern_groups=groups,
    )


FACET_LIMIT = 100


def triage_facets(filters: TriageFilters) -> tuple[list[Choice], list[Choice]]:
    """Products and channels with feedback waiting (and how much), for the inbox's filters."""
    waiting = Feedback.objects.filter(unpatterned())
    by_product = list(
        waiting.filter(product__isnull=False)
        .values("product_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "product_id")
        .values_list("product_id", "n")[:FACET_LIMIT]
    )
    names = dict(
        Product.objects.filter(pk__in=[pk for pk, _ in by_product]).values_list("pk", "slug")
    )
    labels = dict(
        Product.objects.filter(pk__in=[pk for pk, _ in by_product]).values_list("pk", "name")
    )
    products = sorted(
        (Choice(names[pk], f"{labels[pk]} ({n})") for pk, n in by_product if pk in names),
        key=lambda c: c.label.casefold(),
    )
    if filters.product and filters.product not in {c.value for c in products}:
        products.insert(0, Choice(filters.product, filters.product))
    counts = dict(
        waiting.values("channel_id").annotate(n=Count("pk")).values_list("channel_id", "n")
    )
    channels = [
        Choice(str(pk), f"{name} ({counts.get(pk, 0)})")
        for pk, name in FeedbackChannel.objects.values_list("pk", "name")
    ]
    return products, channels


# --- suggestions ------------------------------------------------------------------------------


@dataclass(slots=True)
class SuggestionRow:
    """A suggestion with its member feedback and whether this person may decide it."""

    suggestion: Suggestion
    members: list[tuple[Feedback, SafeString]]
    may_decide: bool

    @property
    def is_link(self) -> bool:
        """A proposed link to an existing pattern (rather than a new pattern)."""
        return self.suggestion.kind == SuggestionKind.LINK


def suggestion_rows(suggestions: list[Suggestion], scope: Scope) -> list[SuggestionRow]:
    """Rows for a page of suggestions, their members read in one query."""
    wanted = {int(m) for s in suggestions for m in s.member_ids}
    items = {
        f.pk: f for f in Feedback.objects.filter(pk__in=wanted).select_related("channel", "product")
    }
    rows = []
    for s in suggestions:
        members = [
            (items[int(m)], markdown_safe(items[int(m)].text))
            for m in s.member_ids
            if int(m) in items
        ]
        product = s.product
        may = scope.admin or (
            product is not None and scope.owns_product(product.pk, product.loop_id)
        )
        rows.append(SuggestionRow(s, members, may))
    return rows


def suggestions_queryset(
    *, status: str, product: str, scope: Scope, mine: bool
) -> QuerySet[Suggestion]:
    """Suggestions with this status (open by default), best first."""
    qs = Suggestion.objects.filter(status=status).select_related("product", "pattern")
    if product:
        qs = qs.filter(product__slug=product)
    if mine:
        qs = qs.filter(product__in=Product.objects.filter(scope.owned()))
    order = ("-score", "-id") if status == SuggestionStatus.OPEN else ("-decided_at", "-id")
    return qs.order_by(*order)
