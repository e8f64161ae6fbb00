"""`product_facet_counts`: only the facets asked for, and the total, under the filters."""

from __future__ import annotations

import pytest

from productize.catalog.selectors import ProductFilters, product_count, product_facets
from productize.catalog.selectors.facets import product_facet_counts
from productize.catalog.selectors.stats import catalog_version
from tests.web import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "filters",
    [
        ProductFilters(),
        ProductFilters.build(loop=["market"]),
        ProductFilters.build(q="money"),
        ProductFilters.build(stage=["growing", "idea"], tag=["api"]),
    ],
)
def test_the_facets_asked_for_are_those_of_the_whole_set(filters):
    f.demo_catalog()
    whole = {facet.name: facet for facet in product_facets(filters)}
    some = product_facet_counts(filters, names=("tag", "stage"))
    assert [facet.name for facet in some.facets] == ["stage", "tag"]  # display order
    for facet in some.facets:
        assert facet == whole[facet.name]
    assert some.total == product_count(filters)


def test_an_unknown_facet_is_refused(db):
    with pytest.raises(ValueError, match="colour"):
        product_facet_counts(ProductFilters(), names=("stage", "colour"))


def test_the_catalog_version_is_the_newest_audit_record(db):
    from productize.audit.models import ChangeRecord

    assert catalog_version() == 0
    f.product("one")
    assert catalog_version() == ChangeRecord.objects.latest("id").id > 0
