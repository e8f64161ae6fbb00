"""Facet counts: each filter's values with the number of products they would give."""

from __future__ import annotations

import pytest

from productize.catalog.selectors import Facet, ProductFilters, product_facets
from tests.web import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return f.demo_catalog()


def counts(filters: ProductFilters, name: str, limit: int = 12) -> dict[str, int]:
    facet = _facet(filters, name, limit)
    return {o.value: o.count for o in facet.options}


def _facet(filters: ProductFilters, name: str, limit: int = 12) -> Facet:
    return next(x for x in product_facets(filters, limit=limit) if x.name == name)


def test_facets_come_in_display_order(demo):
    names = [x.name for x in product_facets(ProductFilters())]
    assert names == [
        "loop", "stage", "owner", "alignment", "interface_kind", "tag", "level", "failing"
    ]  # fmt: skip


def test_unfiltered_counts(demo):
    none = ProductFilters()
    assert counts(none, "loop") == {"market": 3, "operations": 1, "none": 1}
    assert counts(none, "stage") == {
        "idea": 1, "prototype": 1, "established": 1, "growing": 1, "maintained": 1, "retired": 0,
    }  # fmt: skip
    assert counts(none, "alignment") == {"direct": 2, "indirect": 1, "none": 2}
    assert counts(none, "tag") == {"money": 2, "api": 2, "care": 1, "hub": 1, "insight": 1}
    assert counts(none, "interface_kind") == {"api": 2, "event": 1, "none": 3}


def test_owner_counts_include_what_a_persons_teams_own(demo):
    owners = counts(ProductFilters(), "owner")
    # Alice: orders directly, payments through her team; Bob: ledger, and both through it.
    assert owners["person:alice"] == 2
    assert owners["person:bob"] == 3
    assert owners["team:payments"] == 2
    assert owners["person:carol"] == 1
    assert owners["none"] == 1


def test_counts_reflect_the_other_filters_but_not_their_own(demo):
    filters = ProductFilters.build(loop=["market"], stage=["growing"])
    # The stage facet ignores the stage filter: it shows what each stage gives in `market`.
    assert counts(filters, "stage")["established"] == 1
    assert counts(filters, "stage")["growing"] == 1
    assert counts(filters, "stage")["maintained"] == 0
    # The loop facet ignores the loop filter: growing products per loop.
    assert counts(filters, "loop") == {"market": 1}
    # Other facets apply both.
    assert counts(filters, "tag") == {"money": 1, "api": 1}


def test_counts_follow_the_search(demo):
    filters = ProductFilters.build(q="money")
    assert counts(filters, "stage")["growing"] == 1  # payments: "Take money ..."
    assert counts(filters, "stage")["maintained"] == 1  # ledger: "... where the money went"
    assert counts(filters, "stage")["idea"] == 0


def test_chosen_values_stay_listed_and_marked(demo):
    filters = ProductFilters.build(tag=["care"], loop=["operations"])
    tag = _facet(filters, "tag")
    care = next(o for o in tag.options if o.value == "care")
    assert care.selected and care.count == 0  # no `care` product in operations
    loop = _facet(filters, "loop")
    assert [o.value for o in loop.options if o.selected] == ["operations"]


def test_long_facets_are_truncated_to_the_largest(demo):
    tag = _facet(ProductFilters(), "tag", limit=2)
    assert tag.truncated
    assert [o.value for o in tag.options] == ["api", "money"]


def test_labels_name_people_teams_and_empty_buckets(demo):
    owner = {o.value: o.label for o in _facet(ProductFilters(), "owner").options}
    assert owner["person:alice"] == "Alice Archer"
    assert owner["team:payments"] == "Payments Team (team)"
    assert owner["none"] == "No owner"
    loop = {o.value: o.label for o in _facet(ProductFilters(), "loop").options}
    assert loop == {"market": "Market", "operations": "Operations", "none": "No loop"}


def test_facets_are_cached_until_the_catalog_changes(demo, django_assert_num_queries):
    product_facets(ProductFilters())
    with django_assert_num_queries(1):  # the catalog version only
        product_facets(ProductFilters())
    f.product("new", stage="retired")
    assert counts(ProductFilters(), "stage")["retired"] == 1
