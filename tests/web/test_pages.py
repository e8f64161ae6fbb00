"""Web pages: each answers, shows what it is for, stays safe with hostile text, and has no N+1."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.web import factories as f

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The response body with tags removed and whitespace collapsed."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home_shows_mission_loops_numbers_and_problems(client: Client, demo):
    response = client.get("/")
    assert response.status_code == 200
    body = text_of(response)
    assert "Get food from small farms" in body
    assert "Market" in body and "Sell boxes to households." in body
    assert "3 products" in body  # market's count
    assert "unknown field `owner`" not in body  # backticks become <code>
    assert "unknown field <code>owner</code>" in response.content.decode()
    assert "orders/product.yaml:12:5" in body
    # The stage chart is inline SVG whose bars open the catalog at that stage.
    assert '<svg class="bar-chart"' in response.content.decode()
    assert 'href="/catalog/?stage=growing"' in response.content.decode()


def test_home_on_an_empty_catalog_explains_what_to_do(client: Client, db):
    body = text_of(client.get("/"))
    assert "Nothing is in the catalog yet" in body
    assert "productize ingest" in body


def test_catalog_lists_filters_and_counts(client: Client, demo):
    response = client.get("/catalog/", {"loop": "market", "tag": "api"})
    assert response.status_code == 200
    body = text_of(response)
    assert "2 products" in body
    assert "Payments" in body and "Orders" in body and "Ledger" not in body
    html = response.content.decode()
    # The chosen filters are checked, and removable as chips.
    assert re.search(r'name="loop" value="market"\s+checked', html)
    assert 'aria-label="Remove filter Loop: Market"' in html
    # Without JavaScript the sidebar is a GET form with an apply button.
    assert '<form id="catalog-form"' in html and 'method="get"' in html
    assert "Apply filters" in html


def test_catalog_search_ranks_and_keeps_the_query_in_the_url(client: Client, demo):
    response = client.get("/catalog/", {"q": "money"})
    body = text_of(response)
    assert "matching “money”" in body
    # Payments has the word in its mission and tag; ledger only in its tag and mission too.
    assert body.index("Payments") < body.index("Price Watch") if "Price Watch" in body else True
    assert 'value="money"' in response.content.decode()


def test_catalog_pages_link_to_each_other_with_the_filters(client: Client, demo, settings):
    for i in range(30):
        f.product(f"extra-{i}", stage="growing")
    response = client.get("/catalog/", {"stage": "growing", "page": "2"})
    html = response.content.decode()
    assert "26\u201331 of 31 products" in text_of(response)
    assert 'href="/catalog/?stage=growing"' in html  # back to page 1, filter kept
    assert 'aria-current="page" aria-label="Page 2, current"' in html


def test_catalog_ignores_bad_values_but_says_so(client: Client, demo):
    response = client.get("/catalog/", {"stage": "finished", "page": "x"})
    assert response.status_code == 200
    body = text_of(response)
    assert "could not be used" in body and "stage=finished" in body
    assert "5 products" in body


def test_catalog_htmx_request_gets_only_the_changing_part(client: Client, demo):
    response = client.get("/catalog/", {"stage": "growing"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html
    assert "1 product" in text_of(response)
    assert "HX-Request" in response["Vary"]
    # A history restore needs the whole page.
    restore = client.get(
        "/catalog/",
        {"stage": "growing"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.content.decode()


def test_product_page_shows_everything_about_it(client: Client, demo):
    response = client.get(reverse("web:product", args=["orders"]))
    assert response.status_code == 200
    body = text_of(response)
    html = response.content.decode()
    assert "Keep track of every box someone has ordered." in body
    assert "Record orders" in body and "Take payments" in body
    assert 'class="scope-col scope-does-not"' in html  # the "does not" list stands apart
    assert "Alice Archer" in body and "Payments Team" in body
    assert "orders/orders-api" in body
    assert "payments/charges-api" in body and "from Payments" in body
    assert "orders/product.yaml:12:5" in body  # its current ingest problem
    assert "Its latest change did not arrive" in body
    assert "Market" in body
    assert "orders/product.yaml" in body and "main" in body  # where to change it


def test_product_page_lists_who_consumes_each_interface(client: Client, demo):
    body = text_of(client.get(reverse("web:product", args=["payments"])))
    assert "Consumed by 2:" in body
    assert "Orders" in body and "Refund Desk" in body
    assert "Sub-products" in body


def test_product_page_shows_links_and_feedback_channels(client: Client, db):
    f.product(
        "shop",
        links={
            "repository": "https://code.example/shop",
            "feedback": [
                {"kind": "issue-tracker", "url": "https://code.example/shop/issues"},
                {"kind": "survey", "name": "How was your box?"},
            ],
        },
    )
    html = client.get(reverse("web:product", args=["shop"])).content.decode()
    assert 'href="https://code.example/shop"' in html
    assert ">code.example/shop/issues<" in html
    assert "How was your box?" in html and "issue tracker" in html


def test_product_page_flags_what_names_nothing(client: Client, demo):
    ledger = text_of(client.get(reverse("web:product", args=["ledger"])))
    assert "billing/invoices" in ledger and "not declared by any product" in ledger
    idea = text_of(client.get(reverse("web:product", args=["price-watch"])))
    assert "nobody unknown" in idea
    assert "No loop" not in idea and "None" in idea


def test_unknown_product_is_a_404_page_in_the_site_style(client: Client, demo):
    response = client.get(reverse("web:product", args=["nope"]))
    assert response.status_code == 404
    body = text_of(response)
    assert "No product with the id nope ." in body
    assert "<code>nope</code>" in response.content.decode()
    assert "Browse the catalog" in body


def test_hostile_descriptor_text_is_escaped_everywhere(client: Client, db):
    f.organization(mission='<script>alert("org")</script>')
    f.product(
        "evil",
        name='<img src=x onerror=alert("name")>',
        mission="<script>alert('mission')</script>",
        does=["<b>bold</b>"],
        tags=["x"],
        links={"repository": "javascript:alert(1)", "docs": "https://ok.example/docs"},
    )
    for url in ["/", "/catalog/", "/catalog/?q=evil", reverse("web:product", args=["evil"])]:
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "<b>bold</b>" not in html
        assert 'href="javascript:' not in html
    product_html = client.get(reverse("web:product", args=["evil"])).content.decode()
    assert 'href="https://ok.example/docs"' in product_html


def test_pages_have_landmarks_and_a_skip_link(client: Client, demo):
    html = client.get("/catalog/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="main-nav" aria-label="Main">' in html
    assert 'aria-current="page">Catalog</a>' in html
    assert '<label class="visually-hidden" for="q">' in html
    # No inline script: a strict Content-Security-Policy will come.
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert " onclick=" not in html and " onchange=" not in html


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/loops/", "Sell boxes to households."),
        ("/loops/market/", "Products 3"),
        ("/teams/", "Payments Team"),
        ("/teams/payments/", "Alice Archer"),
        ("/people/", "Bob Baker"),
        ("/people/?q=ali", "Alice Archer"),
        ("/people/alice/", "Through Payments Team 2"),
        ("/sources/", "main"),
        ("/runs/", "succeeded with errors"),
    ],
)
def test_organisation_and_ingest_pages(client: Client, demo, url, expected):
    response = client.get(url)
    assert response.status_code == 200
    assert expected in text_of(response)


def test_person_page_shows_direct_and_team_ownership(client: Client, demo):
    body = text_of(client.get(reverse("web:person", args=["alice"])))
    assert "Owns directly 1" in body
    assert "Through Payments Team 2" in body
    assert "Payments" in body and "Orders" in body
    assert "Market" in body  # the loop she owns


def test_source_and_run_pages_show_problems(client: Client, demo):
    source_id = demo["source"].id
    body = text_of(client.get(reverse("web:source", args=[source_id])))
    assert "orders/product.yaml:12:5" in body and "did you mean" in body
    run_body = text_of(client.get(reverse("web:run", args=[demo["run"].id])))
    assert "Problems found 1" in run_body
    assert client.get(reverse("web:source", args=[9999])).status_code == 404
    assert client.get(reverse("web:run", args=[9999])).status_code == 404


def test_source_locations_never_show_credentials(client: Client, db):
    src = f.source("private", location="https://bob:s3cret-token@git.example/org/catalog.git")
    f.run(src)
    for url in ["/sources/", reverse("web:source", args=[src.id]), "/runs/"]:
        html = client.get(url).content.decode()
        assert "s3cret-token" not in html


def test_products_index_leads_to_the_catalog(client: Client, db):
    response = client.get("/products/")
    assert response.status_code == 302 and response["Location"] == "/catalog/"


@pytest.mark.parametrize(
    ("url", "limit"),
    [
        ("/", 14),
        ("/catalog/", 22),  # page 5 + facets 16 + version
        ("/catalog/?q=product&stage=growing&owner=person:alice", 26),
        ("/products/hub/", 19),  # 12 + graph panel: version, graph (4), policies, events
        ("/loops/market/", 12),
        ("/teams/payments/", 12),
        ("/people/", 8),
        ("/people/alice/", 14),
        ("/sources/", 8),
        ("/runs/", 8),
    ],
)
def test_pages_make_a_bounded_number_of_queries(
    client: Client, demo, django_assert_max_num_queries, url, limit
):
    # Enough rows that an N+1 would blow the budget many times over.
    f.product(
        "hub", provides=[("api", "api"), ("events", "event")], owners=["alice", "team:payments"]
    )
    for i in range(40):
        f.product(
            f"product-{i}",
            mission="A product.",
            stage="growing",
            loop=demo["market"],
            owners=["alice", "team:payments"],
            tags=["t1", "t2"],
            consumes=["hub/api", "hub/events"],
        )
        f.person(f"person-{i}")
        f.run(demo["source"])
    with django_assert_max_num_queries(limit):
        response = client.get(url)
    assert response.status_code == 200


def test_a_crash_is_a_500_page_in_the_site_style(db, monkeypatch):
    from productize.web.views import products

    def boom(slug: str) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(products, "product_detail", boom)
    client = Client(raise_request_exception=False)
    response = client.get(reverse("web:product", args=["orders"]))
    assert response.status_code == 500
    body = text_of(response)
    assert "Something broke" in body and "fire" not in body
    assert "Browse the catalog" in body


def test_anonymous_pages_are_cached_until_the_catalog_changes(
    client: Client, demo, django_assert_max_num_queries
):
    first = client.get("/catalog/", {"stage": "growing"}).content
    with django_assert_max_num_queries(1):  # the version; the page comes from the cache
        assert client.get("/catalog/", {"stage": "growing"}).content == first
    f.product("fresh-one", name="Fresh one", stage="growing")
    assert b"Fresh one" in client.get("/catalog/", {"stage": "growing"}).content
    page = client.get(reverse("web:product", args=["orders"])).content
    with django_assert_max_num_queries(1):
        assert client.get(reverse("web:product", args=["orders"])).content == page


def test_a_signed_in_reader_gets_a_fresh_page(client: Client, demo, django_user_model):
    client.get("/catalog/")
    user = django_user_model.objects.create_user("reader", password="x-long-password-1")
    client.force_login(user)
    assert b"reader" in client.get("/catalog/").content
