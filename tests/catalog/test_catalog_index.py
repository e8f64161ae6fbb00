"""The catalog index gives the same facets, counts and pages as the database asked directly.

A varied catalog (loops, people and teams owning directly and through membership, unresolved
owners, tags, interfaces of several kinds, consumers, assessed levels and gaps, names that tie)
and many filter combinations; the oracle is `sql_oracle`, the per-facet SQL that the index
replaced. Runs on SQLite and PostgreSQL like the rest of the suite.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.cache import cache

from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.catalog.models import Product
from productize.catalog.selectors import (
    PageRequest,
    ProductFilters,
    catalog_version,
    product_count,
    product_facets,
    product_page,
)
from productize.catalog.selectors.catalog_index import built_index, catalog_index
from productize.catalog.selectors.filters import LEVELS, characteristic_keys
from tests.catalog import sql_oracle
from tests.web import factories as f

pytestmark = pytest.mark.django_db

WORDS = ("ledger", "payments", "pay", "search", "stock", "route", "invoice", "care")
KINDS = ("api", "event", "ui", "cli", "library", "data")
TAGS = ("money", "core", "internal", "hub", "care", "legacy")
STAGES = ("idea", "prototype", "established", "growing", "maintained", "retired")


def _assess(product: Product, rng: random.Random, keys: list[str]) -> None:
    rank = rng.randrange(len(LEVELS))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ProductAssessment.objects.create(
        product=product, assessed_at=now, changed_at=now, level=LEVELS[rank], level_rank=rank,
        score=rank * 10, result={},
    )  # fmt: skip
    for key in rng.sample(keys, rng.randrange(4)):
        AssessmentGap.objects.create(product=product, characteristic=key, status="not-met")


def varied_catalog(seed: int, size: int = 45) -> dict[str, Any]:
    """Products with a bit of everything, drawn from a seeded random generator."""
    rng = random.Random(seed)
    loops = [f.loop(slug) for slug in ("market", "operations", "platform", "empty")]
    people = [f.person(f"p{i}", f"Person {i % 5}") for i in range(9)]
    teams = [
        f.team("t-one", "Team One", members=people[:3]),
        f.team("t-two", "Team Two", members=people[2:6]),
        f.team("t-solo", "Team Solo"),
    ]
    owner_refs = [f"person:{p.slug}" for p in people] + [f"team:{t.slug}" for t in teams]
    owner_refs += ["person:ghost", "team:phantom"]  # unresolved: name no one
    keys = characteristic_keys()
    products: list[Product] = []
    for i in range(size):
        words = rng.sample(WORDS, 2)
        provides = [(f"if{k}", rng.choice(KINDS)) for k in range(rng.randrange(3))]
        earlier = [f"{p.slug}/if0" for p in products if p.interfaces.filter(name="if0").exists()]
        consumes = rng.sample(earlier, min(len(earlier), rng.randrange(3)))
        product = f.product(
            f"prod-{i:03d}",
            # Names repeat: ties in the name order are broken by id.
            f"{words[0].title()} {words[1]} {i % 7}",
            mission=f"Keep the {rng.choice(WORDS)} right for {rng.choice(WORDS)} people.",
            stage=rng.choice(STAGES),
            loop=rng.choice([*loops[:3], None]),
            alignment=rng.choice(["direct", "indirect", ""]),
            owners=rng.sample(owner_refs, rng.randrange(3)),
            tags=rng.sample(TAGS, rng.randrange(3)),
            provides=provides,
            consumes=consumes,
        )
        if rng.random() < 0.7:
            _assess(product, rng, keys)
        products.append(product)
    return {"products": products, "keys": keys, "interface": products[0].slug + "/if0"}


def filter_sets(catalog: dict[str, Any]) -> list[ProductFilters]:
    keys = catalog["keys"]
    build = ProductFilters.build
    return [
        build(),
        build(q="pay"),
        build(q="payments ledger"),
        build(q="x"),  # active search without a usable word: nothing
        build(q="zzzz"),
        build(loop=["market"]),
        build(loop=["market", "none"], stage=["growing", "idea"]),
        build(loop=["nowhere"]),
        build(stage=["retired"], alignment=["none"]),
        build(alignment=["direct", "indirect"], interface_kind=["api"]),
        build(interface_kind=["none", "event"], tag=["money"]),
        build(owner=["person:p2"]),
        build(owner=["team:t-one", "person:p7"], stage=["growing", "maintained", "idea"]),
        build(owner=["none"]),
        build(owner=["person:ghost", "team:t-solo"]),
        build(tag=["care", "hub"], q="ledger"),
        build(level=["unassessed"]),
        build(level=[LEVELS[0], LEVELS[2]], failing=[keys[0]]),
        build(failing=keys[:2], loop=["operations"]),
        build(q="stock", level=["unassessed", LEVELS[1]], owner=["team:t-two"]),
        build(consumes=catalog["interface"]),
        build(consumes="nothing/here"),
        build(q="route", consumes=catalog["interface"], stage=["growing"]),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_facets_counts_and_pages_equal_the_database(seed):
    catalog = varied_catalog(seed)
    version = catalog_version()
    for filters in filter_sets(catalog):
        for limit in (3, 12):  # 3: truncation, where ties at the cut must fall the same way
            got = product_facets(filters, limit=limit, version=version)
            assert got == sql_oracle.sql_facets(filters, limit), (filters, limit)
        assert product_count(filters, version=version) == sql_oracle.sql_count(filters), filters
        for sort in ("relevance", "name"):
            for page in (1, 2, 4):
                request = PageRequest(page, 7)
                shown = product_page(filters, request, sort=sort, version=version)  # type: ignore[arg-type]
                expected = sql_oracle.sql_page_ids(filters, request.offset, 7, sort)
                assert [p.id for p in shown.items] == expected, (filters, sort, page)
                assert shown.total == sql_oracle.sql_count(filters)


def test_a_count_alone_does_not_build_the_index_but_uses_a_built_one():
    varied_catalog(3, size=20)
    version = catalog_version()
    filters = ProductFilters.build(owner=["person:p1"])
    assert product_count(filters, version=version) == sql_oracle.sql_count(filters)
    assert built_index(version) is None  # a person's page pays for no index
    catalog_index(version)
    other = ProductFilters.build(owner=["team:t-one"], q="pay")
    assert product_count(other, version=version) == sql_oracle.sql_count(other)
    assert built_index(version) is not None


def test_the_index_follows_the_catalog_and_the_cache():
    varied_catalog(4, size=10)
    first = catalog_index(catalog_version())
    assert catalog_index(catalog_version()) is first  # built once per version
    f.product("zz-new", stage="retired", tags=["fresh"])
    index = catalog_index(catalog_version())
    assert index is not first and index.n == first.n + 1
    tag = next(x for x in product_facets(ProductFilters()) if x.name == "tag")
    assert "fresh" in {o.value for o in tag.options}
    # Tests roll back and reuse version numbers; they clear the cache, which drops the index.
    cache.clear()
    assert built_index(catalog_version()) is None
    assert catalog_index(catalog_version()) is not index


def test_searches_are_ranked_once_per_text(django_assert_max_num_queries):
    varied_catalog(5, size=30)
    index = catalog_index(catalog_version())
    query = ProductFilters.build(q="ledger").search
    ranked = index.ranked_matches(query)
    with django_assert_max_num_queries(0):
        assert index.ranked_matches(query) is ranked
    assert len(ranked) == sql_oracle.sql_count(ProductFilters.build(q="ledger"))
