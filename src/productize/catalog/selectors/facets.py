"""Facet counts for the catalog: for each filter, how many products each of its values would give.

Each facet is counted under all the *other* active filters (and the search), so the numbers
answer "what do I get if I also pick this?". The products each filter keeps are worked out
once per request over the catalog index (`catalog_index`: compact arrays of every product's
values, built once per catalog version), and each facet is one `bincount` over the products
the other filters keep. The results are cached per catalog version (the newest audit record),
because the catalog changes only when something is written, and every write leaves an audit
record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from productize.catalog.selectors.caching import version_cached
from productize.catalog.selectors.catalog_index import CatalogIndex, Mask, catalog_index
from productize.catalog.selectors.filters import (
    ALIGNMENTS,
    FACETS,
    INTERFACE_KINDS,
    LEVEL_VALUES,
    LEVELS,
    NONE,
    STAGES,
    UNASSESSED,
    ProductFilters,
)
from productize.catalog.selectors.stats import catalog_version
from productize.domain.assessment import LEVEL_TITLES, Level

FACET_LABELS = {
    "loop": "Loop",
    "stage": "Stage",
    "owner": "Owner",
    "alignment": "Alignment",
    "interface_kind": "Interface kind",
    "tag": "Tag",
    "level": "Assessed level",
    "failing": "Failing",
}
NONE_LABELS = {
    "loop": "No loop",
    "owner": "No owner",
    "alignment": "Not stated",
    "interface_kind": "No interfaces",
}
DEFAULT_LIMIT = 12


@dataclass(frozen=True, slots=True)
class FacetOption:
    """One value of a facet, with the number of products it would give."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True, slots=True)
class Facet:
    """One filter's values with their counts; `truncated` when only the largest are listed."""

    name: str
    label: str
    options: list[FacetOption]
    truncated: bool = False


def _options(
    name: str,
    counts: dict[str, int],
    labels: dict[str, str],
    chosen: tuple[str, ...],
    *,
    order: tuple[str, ...] | None = None,
    limit: int,
) -> tuple[list[FacetOption], bool]:
    """Options by the fixed order (all shown) or by count (the largest `limit`), plus chosen."""
    if order is not None:
        values = list(order)
        truncated = False
    else:
        ranked = sorted(
            (v for v, n in counts.items() if n > 0 and v != NONE),
            key=lambda v: (-counts[v], (labels.get(v) or v).lower()),
        )
        truncated = len(ranked) > limit
        values = ranked[:limit]
        values.extend(v for v in chosen if v not in values and v != NONE)
        if counts.get(NONE) or NONE in chosen:
            values.append(NONE)
    options = [
        FacetOption(
            value=value,
            label=labels.get(value) or NONE_LABELS.get(name, value) if value == NONE
            else labels.get(value, value),
            count=counts.get(value, 0),
            selected=value in chosen,
        )
        for value in values
    ]  # fmt: skip
    return options, truncated


def _present(counts: np.ndarray, values: list[str]) -> dict[str, int]:
    """{value: count} for the values counted at least once (as a GROUP BY gives them)."""
    return {values[code]: int(counts[code]) for code in np.flatnonzero(counts)}


def _top(counts: np.ndarray, n: int) -> list[int]:
    """Codes of the n largest non-zero counts, ties by code (the database's order)."""
    codes = np.flatnonzero(counts)
    order = np.lexsort((codes, -counts[codes]))
    return [int(code) for code in codes[order[:n]]]


def _codes_counts(
    index: CatalogIndex, codes: np.ndarray, scope: Mask | None, size: int
) -> np.ndarray:
    """How many products in scope have each code of a one-value-per-product attribute."""
    chosen = codes if scope is None else codes[scope]
    return np.bincount(chosen[chosen >= 0], minlength=size)


def _stage_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    values = index.stages.values
    counts = _present(_codes_counts(index, index.stage, scope, len(values)), values)
    labels = {stage: stage.capitalize() for stage in STAGES}
    options, _ = _options("stage", counts, labels, filters.stage, order=STAGES, limit=limit)
    return Facet("stage", FACET_LABELS["stage"], options)


def _alignment_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    values = index.alignments.values
    by_value = _present(_codes_counts(index, index.alignment, scope, len(values)), values)
    counts = {(value or NONE): n for value, n in by_value.items()}
    order = (*ALIGNMENTS, NONE)
    labels = {kind: kind.capitalize() for kind in ALIGNMENTS}
    options, _ = _options("alignment", counts, labels, filters.alignment, order=order, limit=limit)
    return Facet("alignment", FACET_LABELS["alignment"], options)


def _loop_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    loops = index.loops
    by_code = _codes_counts(index, index.loop, scope, len(loops.values))
    in_scope = index.count(scope)
    counts: dict[str, int] = {NONE: in_scope - int(by_code.sum())}
    labels: dict[str, str] = {}
    shown = {int(code) for code in np.flatnonzero(by_code)}
    shown.update(loops.code_list(filters.loop))
    for code in sorted(shown):  # in id order, which options with equal counts and names keep
        counts[loops.values[code]] = int(by_code[code])
        labels[loops.values[code]] = loops.labels[code]
    options, truncated = _options("loop", counts, labels, filters.loop, limit=limit)
    return Facet("loop", FACET_LABELS["loop"], options, truncated)


def _owner_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    """Products per owner for the largest owners and the chosen ones.

    A person's count includes what their teams own, as the owner filter does. The candidates
    are the teams that own most, the people who own most directly, and the owners chosen.
    """
    chosen = filters.owner
    teams, people = index.teams, index.people
    team_counts = index.team_owned.counts(scope)
    team_codes = set(_top(team_counts, limit + 1))
    team_codes.update(teams.code_list(v.split(":", 1)[1] for v in chosen if v.startswith("team:")))
    direct = index.person_direct.counts(scope)
    person_codes = set(_top(direct, limit + 1))
    person_codes.update(
        people.code_list(v.split(":", 1)[1] for v in chosen if v.startswith("person:"))
    )
    person_counts = index.person_owned.counts(scope) if person_codes else direct
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    # In id order: where counts and labels tie, the options keep it.
    for code in sorted(team_codes):
        counts[f"team:{teams.values[code]}"] = int(team_counts[code])
        labels[f"team:{teams.values[code]}"] = f"{teams.labels[code]} (team)"
    for code in sorted(person_codes):
        counts[f"person:{people.values[code]}"] = int(person_counts[code])
        labels[f"person:{people.values[code]}"] = people.labels[code]
    unowned = ~index.owned if scope is None else scope & ~index.owned
    counts[NONE] = int(np.count_nonzero(unowned))
    options, truncated = _options("owner", counts, labels, chosen, limit=limit)
    return Facet("owner", FACET_LABELS["owner"], options, truncated)


def _interface_kind_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    counts = _present(index.interfaces.counts(scope), index.kinds.values)
    without = ~index.has_interface if scope is None else scope & ~index.has_interface
    counts[NONE] = int(np.count_nonzero(without))
    labels = {
        kind: kind.upper() if kind in {"api", "ui", "cli"} else kind.capitalize()
        for kind in INTERFACE_KINDS
    }
    options, truncated = _options(
        "interface_kind", counts, labels, filters.interface_kind, limit=limit
    )
    return Facet("interface_kind", FACET_LABELS["interface_kind"], options, truncated)


def _tag_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    tags = index.tags
    by_code = index.tagged.counts(scope)
    codes = set(_top(by_code, limit + 1))
    codes.update(code for code in tags.code_list(filters.tag) if by_code[code])
    counts = {tags.values[code]: int(by_code[code]) for code in codes}
    options, truncated = _options("tag", counts, {}, filters.tag, limit=limit)
    return Facet("tag", FACET_LABELS["tag"], options, truncated)


def _level_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    # Ranks 0..n-1, and -1 for products not assessed yet (shifted by one to count them).
    by_rank = _codes_counts(index, index.level + 1, scope, len(LEVELS) + 1)
    counts = {level: int(by_rank[rank + 1]) for rank, level in enumerate(LEVELS)}
    counts[UNASSESSED] = int(by_rank[0])
    labels = {level: LEVEL_TITLES[Level(level)] for level in LEVELS}
    labels[UNASSESSED] = "Not assessed yet"
    options, _ = _options("level", counts, labels, filters.level, order=LEVEL_VALUES, limit=limit)
    return Facet("level", FACET_LABELS["level"], options)


def _failing_facet(
    index: CatalogIndex, scope: Mask | None, filters: ProductFilters, limit: int
) -> Facet:
    from productize.assessment.characteristics import active_characteristics

    # Gap rows exist only where the characteristic is expected (see the failing filter).
    counts = _present(index.gaps.counts(scope), index.characteristics.values)
    labels = {c.key: c.title for c in active_characteristics()[0].characteristics}
    order = tuple(labels)
    options, _ = _options("failing", counts, labels, filters.failing, order=order, limit=limit)
    return Facet("failing", FACET_LABELS["failing"], options)


BUILDERS = {
    "loop": _loop_facet,
    "stage": _stage_facet,
    "owner": _owner_facet,
    "alignment": _alignment_facet,
    "interface_kind": _interface_kind_facet,
    "tag": _tag_facet,
    "level": _level_facet,
    "failing": _failing_facet,
}


@dataclass(frozen=True, slots=True)
class FacetCounts:
    """How many products match the filters, and the facets asked for under them."""

    total: int
    facets: list[Facet]


def _count_facets(
    filters: ProductFilters, limit: int, version: int, names: tuple[str, ...] = FACETS
) -> FacetCounts:
    index = catalog_index(version)
    masks = index.masks(filters)
    facets = [
        BUILDERS[name](index, index.scope(masks, without=name), filters, limit)
        for name in FACETS
        if name in names
    ]
    return FacetCounts(total=index.count(index.scope(masks)), facets=facets)


def product_facets(
    filters: ProductFilters, *, limit: int = DEFAULT_LIMIT, version: int | None = None
) -> list[Facet]:
    """Every facet of the catalog under these filters, in display order (cached per version)."""
    return product_facet_counts(filters, limit=limit, version=version).facets


def product_facet_counts(
    filters: ProductFilters,
    *,
    names: tuple[str, ...] = FACETS,
    limit: int = DEFAULT_LIMIT,
    version: int | None = None,
) -> FacetCounts:
    """The total and the facets `names` (in display order) under these filters.

    Counting only the facets asked for keeps a question such as "how many per stage?" to one
    `bincount`; the result is cached per catalog version.
    """
    unknown = set(names) - set(FACETS)
    if unknown:
        raise ValueError(f"unknown facets: {sorted(unknown)}")
    if version is None:
        version = catalog_version()
    chosen = tuple(name for name in FACETS if name in names)
    return version_cached(
        "facets",
        version,
        f"{limit}|{','.join(chosen)}|{filters.cache_key()}",
        lambda: _count_facets(filters, limit, version, chosen),
    )
