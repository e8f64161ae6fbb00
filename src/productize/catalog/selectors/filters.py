"""The catalog's product filters: what each one accepts and the queryset it narrows to.

One set of rules for the web catalog and the API: within a filter the chosen values combine
with OR (stage = growing or maintained), and the filters combine with AND. `none` picks the
products that lack the thing (no loop, no alignment, no owner that exists, no interface).

`level` and `failing` read the assessment tables (one indexed row per product, one per gap):
`level=none` is the assessed level "none"; `level=unassessed` picks products not assessed yet.
`failing=KEY` picks products where characteristic KEY is not (or partly) met where expected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)
from productize.catalog.search import SearchQuery, parse_query
from productize.domain.assessment import LEVEL_ORDER
from productize.domain.descriptors import (
    ID_PATTERN,
    INTERFACE_REF_PATTERN,
    AlignmentKind,
    InterfaceKind,
    Stage,
)

NONE = "none"
UNASSESSED = "unassessed"
FACETS: tuple[str, ...] = (
    "loop", "stage", "owner", "alignment", "interface_kind", "tag", "level", "failing",
)  # fmt: skip
MAX_VALUES = 20
MAX_QUERY_LENGTH = 200

_ID = re.compile(ID_PATTERN)
_TAG = re.compile(r"^[a-z0-9][a-z0-9.+_-]{0,62}$")
_OWNER = re.compile(r"^(person|team):([a-z0-9]+(?:-[a-z0-9]+)*)$")
_INTERFACE_REF = re.compile(INTERFACE_REF_PATTERN)

STAGES: tuple[str, ...] = tuple(stage.value for stage in Stage)
ALIGNMENTS: tuple[str, ...] = tuple(kind.value for kind in AlignmentKind)
INTERFACE_KINDS: tuple[str, ...] = tuple(kind.value for kind in InterfaceKind)
LEVELS: tuple[str, ...] = tuple(level.value for level in LEVEL_ORDER)
LEVEL_VALUES: tuple[str, ...] = (*LEVELS, UNASSESSED)


class FilterError(ValueError):
    """A filter value that cannot be used; names the parameter and says what was expected."""

    def __init__(self, field: str, value: str, message: str) -> None:
        super().__init__(f"{field}={value!r}: {message}")
        self.field = field
        self.value = value
        self.message = message


def _check_loop(value: str) -> str:
    if value == NONE or _ID.match(value):
        return value
    raise FilterError("loop", value, "expected a loop id (lower-case words joined by -) or none")


def _check_stage(value: str) -> str:
    if value in STAGES:
        return value
    raise FilterError("stage", value, f"expected one of {', '.join(STAGES)}")


def _check_owner(value: str) -> str:
    if value == NONE or _OWNER.match(value):
        return value
    if _ID.match(value):
        raise FilterError(
            "owner", value, f"say whose: person:{value} or team:{value} (or none for no owner)"
        )
    raise FilterError("owner", value, "expected person:ID, team:ID or none")


def _check_alignment(value: str) -> str:
    if value == NONE or value in ALIGNMENTS:
        return value
    raise FilterError("alignment", value, f"expected one of {', '.join(ALIGNMENTS)} or none")


def _check_interface_kind(value: str) -> str:
    if value == NONE or value in INTERFACE_KINDS:
        return value
    raise FilterError(
        "interface_kind", value, f"expected one of {', '.join(INTERFACE_KINDS)} or none"
    )


def _check_tag(value: str) -> str:
    if _TAG.match(value):
        return value
    raise FilterError("tag", value, "expected a tag: lower-case letters, digits and . + _ -")


def _check_level(value: str) -> str:
    if value in LEVEL_VALUES:
        return value
    raise FilterError("level", value, f"expected one of {', '.join(LEVEL_VALUES)}")


def characteristic_keys() -> list[str]:
    """The keys of the characteristics that apply (the organisation's file or the defaults)."""
    from productize.assessment.characteristics import active_characteristics

    return [c.key for c in active_characteristics()[0].characteristics]


def _check_failing(value: str) -> str:
    if _ID.match(value):
        keys = characteristic_keys()
        if value in keys:
            return value
        close = difflib.get_close_matches(value, keys, n=1)
        hint = f"did you mean `{close[0]}`?" if close else "expected one of " + ", ".join(keys)
        raise FilterError("failing", value, f"no such characteristic; {hint}")
    raise FilterError("failing", value, "expected a characteristic key (e.g. owned)")


CHECKS = {
    "loop": _check_loop,
    "stage": _check_stage,
    "owner": _check_owner,
    "alignment": _check_alignment,
    "interface_kind": _check_interface_kind,
    "tag": _check_tag,
    "level": _check_level,
    "failing": _check_failing,
}


@dataclass(frozen=True, slots=True)
class ProductFilters:
    """What the catalog is narrowed to: a search and any number of facet values."""

    q: str = ""
    loop: tuple[str, ...] = ()
    stage: tuple[str, ...] = ()
    owner: tuple[str, ...] = ()
    alignment: tuple[str, ...] = ()
    interface_kind: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    level: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()
    consumes: str = ""

    @classmethod
    def build(cls, *, q: str = "", consumes: str = "", **facets: Iterable[str]) -> ProductFilters:
        """Validated filters: raises FilterError on the first value that cannot be used."""
        unknown = set(facets) - set(FACETS)
        if unknown:
            raise TypeError(f"unknown filters: {', '.join(sorted(unknown))}")
        q = q.strip()
        if len(q) > MAX_QUERY_LENGTH:
            raise FilterError("q", q[:20] + "...", f"at most {MAX_QUERY_LENGTH} characters")
        consumes = consumes.strip()
        if consumes and not _INTERFACE_REF.match(consumes):
            raise FilterError("consumes", consumes, "expected product-id/interface-name")
        values: dict[str, tuple[str, ...]] = {}
        for name, raw in facets.items():
            checked = [CHECKS[name](value.strip()) for value in raw if value.strip()]
            if len(checked) > MAX_VALUES:
                raise FilterError(name, checked[MAX_VALUES], f"at most {MAX_VALUES} values")
            values[name] = tuple(dict.fromkeys(checked))
        return cls(q=q, consumes=consumes, **values)

    @classmethod
    def lenient(cls, params: Mapping[str, list[str]]) -> tuple[ProductFilters, list[FilterError]]:
        """Filters from a web page's URL: values that cannot be used are dropped and reported."""
        problems: list[FilterError] = []
        facets: dict[str, list[str]] = {}
        for name in FACETS:
            kept = []
            for value in params.get(name, []):
                try:
                    CHECKS[name](value.strip())
                except FilterError as error:
                    problems.append(error)
                else:
                    kept.append(value)
            facets[name] = kept[:MAX_VALUES]
        q = " ".join(params.get("q", [])).strip()[:MAX_QUERY_LENGTH]
        consumes = (params.get("consumes") or [""])[0].strip()
        if consumes and not _INTERFACE_REF.match(consumes):
            problems.append(FilterError("consumes", consumes, "expected product/interface"))
            consumes = ""
        return cls.build(q=q, consumes=consumes, **facets), problems

    def without(self, facet: str) -> ProductFilters:
        """The same filters with one facet cleared (to count that facet's options)."""
        cleared: dict[str, Any] = {facet: ()}
        return replace(self, **cleared)

    def values(self, facet: str) -> tuple[str, ...]:
        """The chosen values of one facet."""
        result: tuple[str, ...] = getattr(self, facet)
        return result

    @property
    def search(self) -> SearchQuery:
        """The search text, parsed into word prefixes."""
        return parse_query(self.q)

    @property
    def active(self) -> bool:
        """Whether anything narrows the catalog at all."""
        return any(getattr(self, f.name) for f in fields(self))

    def cache_key(self) -> str:
        """A stable text naming exactly these filters."""
        parts = [f"{f.name}={','.join(sorted(v)) if isinstance(v, tuple) else v}"
                 for f in fields(self) if (v := getattr(self, f.name))]  # fmt: skip
        return "&".join(parts)

    def as_params(self) -> list[tuple[str, str]]:
        """The filters as URL query parameters, in a stable order."""
        params: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for facet in FACETS:
            params.extend((facet, value) for value in self.values(facet))
        if self.consumes:
            params.append(("consumes", self.consumes))
        return params


def _owner_condition(value: str) -> Q:
    if value == NONE:
        resolved = Ownership.objects.filter(product=OuterRef("pk")).filter(
            Q(person__isnull=False) | Q(team__isnull=False)
        )
        return ~Q(Exists(resolved))
    kind, slug = value.split(":", 1)
    if kind == "team":
        ownerships = Ownership.objects.filter(team__in=Team.objects.filter(slug=slug))
    else:
        # A person owns what they own directly and what any team of theirs owns. Subqueries
        # on the person's id and team ids let both ownership indexes drive the lookup.
        teams = Membership.objects.filter(person__slug=slug).values("team_id")
        ownerships = Ownership.objects.filter(
            Q(person__in=Person.objects.filter(slug=slug)) | Q(team__in=teams)
        )
    return Q(id__in=ownerships.filter(product__isnull=False).values("product_id"))


def _any_of(conditions: Iterable[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined |= condition
    return combined


RARE = 2000  # fewer matching assessment rows than this: sorting them beats walking by name


def _rare_or_common(rows: QuerySet[Any], *, counting: bool) -> Q:
    """Products having one of these assessment rows, in the shape SQLite runs fastest.

    A COUNT, or a page when few rows match, reads the rows through their index (IN, then sorts
    the few products by name). A page when many match walks the name index and probes each
    product's row through EXISTS, stopping after a page. Telling the two apart is an index-only
    count that stops at `RARE`.
    """
    if counting or rows.order_by()[:RARE].count() < RARE:
        return Q(id__in=rows.values("product_id"))
    return Q(Exists(rows.filter(product_id=OuterRef("pk"))))


def narrow(
    queryset: QuerySet[Product], filters: ProductFilters, *, counting: bool = False
) -> QuerySet[Product]:
    """Apply every facet filter (not the search) to a product queryset.

    `counting` picks the shape SQLite runs fastest for a COUNT over the whole match rather
    than for the first page in name order (see the interface kind filter).
    """
    if filters.loop:
        slugs = [v for v in filters.loop if v != NONE]
        # Loop ids as literals let the (loop, name) index drive; behind a subquery SQLite
        # would rather walk the stage index when both filters are set.
        ids = list(Loop.objects.filter(slug__in=slugs).values_list("id", flat=True))
        condition = Q(loop_id__in=ids)
        if NONE in filters.loop:
            condition |= Q(loop__isnull=True)
        queryset = queryset.filter(condition)
    if filters.stage:
        queryset = queryset.filter(stage__in=filters.stage)
    if filters.alignment:
        kinds = [v if v != NONE else "" for v in filters.alignment]
        queryset = queryset.filter(alignment__in=kinds)
    if filters.owner:
        queryset = queryset.filter(_any_of(_owner_condition(v) for v in filters.owner))
    if filters.interface_kind:
        # A kind covers a large share of the catalog: for a page in name order EXISTS stops
        # after a few index probes, while a COUNT is cheaper from the kind index through IN.
        interfaces = Interface.objects.filter(product=OuterRef("pk"))
        kinds = [v for v in filters.interface_kind if v != NONE]
        if counting:
            of_kind = Interface.objects.filter(kind__in=kinds).values("product_id")
            condition = Q(id__in=of_kind)
        else:
            condition = Q(Exists(interfaces.filter(kind__in=kinds)))
        if NONE in filters.interface_kind:
            condition |= ~Q(Exists(interfaces))
        queryset = queryset.filter(condition)
    if filters.tag:
        tagged = ProductTag.objects.filter(tag__in=filters.tag).values("product_id")
        queryset = queryset.filter(id__in=tagged)
    if filters.consumes:
        consumers = Consumption.objects.filter(interface_ref=filters.consumes)
        queryset = queryset.filter(id__in=consumers.values("consumer_id"))
    if filters.level:
        ranks = [LEVELS.index(v) for v in filters.level if v != UNASSESSED]
        assessed = ProductAssessment.objects.filter(level_rank__in=ranks)
        condition = _rare_or_common(assessed, counting=counting)
        if UNASSESSED in filters.level:
            condition |= ~Q(Exists(ProductAssessment.objects.filter(product_id=OuterRef("pk"))))
        queryset = queryset.filter(condition)
    if filters.failing:
        # Gap rows exist only where the characteristic is expected (before its stage the shown
        # status is `not-expected`), so the (characteristic, product) index answers alone.
        gaps = AssessmentGap.objects.filter(characteristic__in=filters.failing)
        queryset = queryset.filter(_rare_or_common(gaps, counting=counting))
    return queryset
