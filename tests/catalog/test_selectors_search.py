"""Search: partial words across name, tags, mission and scope, ranked, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection

from productize.catalog.models import Product
from productize.catalog.search import (
    drop_search_index,
    ensure_search_index,
    parse_query,
    search_index_present,
)
from productize.catalog.selectors import (
    PageRequest,
    ProductFilters,
    catalog_version,
    product_page,
)
from productize.catalog.selectors.catalog_index import catalog_index
from tests.web import factories as f

pytestmark = pytest.mark.django_db


def found(q: str, **filters: list[str]) -> list[str]:
    page = product_page(ProductFilters.build(q=q, **filters), PageRequest(1, 50))
    return [p.slug for p in page.items]


@pytest.fixture
def ranked():
    """Four products that each mention `ledger` in a different place."""
    f.product("scope-only", "Money Desk", mission="Help people.", does=["Keep the ledger tidy"])
    f.product("in-mission", "Books", mission="Keep a ledger of every sale.")
    f.product("in-tag", "Cash Tools", mission="Count cash.", tags=["ledger"])
    f.product("in-name", "Ledger", mission="Write things down.")


def test_name_beats_tag_beats_mission_beats_scope(ranked):
    assert found("ledger") == ["in-name", "in-tag", "in-mission", "scope-only"]


def test_partial_words_match_as_prefixes(ranked):
    assert found("ledg") == ["in-name", "in-tag", "in-mission", "scope-only"]
    assert found("led") == found("ledger")
    assert found("edger") == []  # prefixes of words, not any substring


def test_every_word_must_match(ranked):
    assert found("ledger tidy") == ["scope-only"]
    assert found("ledger sale") == ["in-mission"]
    assert found("ledger unicorn") == []


def test_plural_words_find_the_singular():
    f.product("boxes", "Box Builder", mission="Decide what goes in each box.")
    f.product("policies", "Policy Library", mission="One policy per page.")
    assert found("boxes") == ["boxes"]
    assert found("policies") == ["policies"]
    assert found("payments") == []


def test_search_is_case_insensitive_and_matches_the_product_id():
    f.product("ops-kit", "Operations Toolkit", mission="Tools for the warehouse.")
    assert found("WAREHOUSE") == ["ops-kit"]
    assert found("ops-kit") == ["ops-kit"]


def test_search_combines_with_filters():
    f.product("a", "Alpha Ledger", stage="growing", tags=["money"])
    f.product("b", "Beta Ledger", stage="idea", tags=["money"])
    f.product("c", "Gamma", stage="growing", mission="Not about it.")
    assert found("ledger", stage=["growing"]) == ["a"]
    assert found("ledger", tag=["money"]) == ["a", "b"]


def test_sorting_search_results_by_name():
    f.product("z", "Zeta", tags=["ledger"])
    f.product("a", "Alpha", mission="A ledger.")
    f.product("l", "Ledger")
    by_rank = product_page(ProductFilters.build(q="ledger"), PageRequest(1, 10))
    by_name = product_page(ProductFilters.build(q="ledger"), PageRequest(1, 10), sort="name")
    assert [p.slug for p in by_rank.items] == ["l", "z", "a"]
    assert [p.slug for p in by_name.items] == ["a", "l", "z"]


def test_search_results_page_with_a_total():
    for i in range(7):
        f.product(f"ledger-{i}", f"Ledger {i}")
    f.product("other", "Other")
    first = product_page(ProductFilters.build(q="ledger"), PageRequest(1, 3))
    last = product_page(ProductFilters.build(q="ledger"), PageRequest(3, 3))
    assert (first.total, first.pages, len(first.items), len(last.items)) == (7, 3, 3, 1)
    seen = {p.slug for n in (1, 2, 3) for p in product_page(
        ProductFilters.build(q="ledger"), PageRequest(n, 3)).items}  # fmt: skip
    assert len(seen) == 7


@pytest.mark.parametrize(
    "text", ['"ledger', "ledger*", "NEAR(a b)", "a OR b", "x:y", "'; DROP TABLE x; --", "-(", "&|!"]
)
def test_search_syntax_in_the_text_is_just_text(text):
    f.product("l", "Ledger")
    page = product_page(ProductFilters.build(q=text), PageRequest(1, 10))
    assert page.total in (0, 1)


def test_single_letters_alone_find_nothing_rather_than_everything():
    f.product("l", "Ledger")
    assert parse_query("a b").terms == ()
    assert found("a") == []
    assert found("l ledger") == ["l"]  # the letter is dropped, the word still counts


def test_the_index_follows_renames_and_deletions():
    product = f.product("l", "Ledger")
    assert found("ledger") == ["l"]
    product.name = "Journal"
    product.search_text = "l\njournal"
    product.save()
    f.organization()  # any write moves the catalog version on, as services do
    assert found("ledger") == []
    assert found("journ") == ["l"]
    Product.objects.filter(pk=product.pk).delete()
    f.person("someone")
    assert found("journal") == []


def test_the_search_index_is_present_after_migrations():
    assert search_index_present(connection)
    assert ensure_search_index(connection) is False  # nothing to repair


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers on rebuild")
def test_a_lost_index_is_rebuilt_with_the_existing_products():
    f.product("l", "Ledger")
    drop_search_index(connection)
    assert not search_index_present(connection)
    assert ensure_search_index(connection) is True
    assert found("ledger") == ["l"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite drops triggers on rebuild")
def test_migrate_repairs_an_index_a_table_rebuild_dropped():
    from django.core.management import call_command

    f.product("l", "Ledger")
    with connection.cursor() as cursor:  # what SQLite's table rebuild does to triggers
        cursor.execute("DROP TRIGGER catalog_product_fts_insert")
    assert not search_index_present(connection)
    call_command("migrate", verbosity=0)
    assert search_index_present(connection)
    f.product("j", "Journal")
    assert found("journ") == ["j"]
    assert found("ledger") == ["l"]


def test_a_search_page_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    for i in range(40):
        f.product(f"ledger-{i}", f"Ledger {i}", owners=["team:x"])
    cache.clear()
    catalog_index(catalog_version())  # built once per catalog version (see test_selectors)
    # version, ranked ids (of every match: the index keeps them), rows, owners
    with django_assert_max_num_queries(4):
        page = product_page(ProductFilters.build(q="ledger"), PageRequest(1, 25))
        owners = [o.ref for p in page.items for o in p.ownerships.all()]
    assert len(owners) == 25
