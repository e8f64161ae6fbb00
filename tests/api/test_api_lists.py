"""Catalog-wide reads: `/product-facets`, and list responses cached per catalog version."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from productize.api.schemas import ConsumerPage, InterfacePage, ProductFacets, ProductPage
from productize.audit.services import Actor
from productize.catalog.selectors import FACETS
from productize.catalog.services.ideas import IdeaInput, idea_create
from tests.web import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"
STAGES = ["idea", "prototype", "established", "growing", "maintained", "retired"]


def get(client: Client, path: str, params: Any = None, status: int = 200) -> Any:
    response = client.get(API + path, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def counts(facet: dict[str, Any]) -> dict[str, int]:
    return {option["value"]: option["count"] for option in facet["options"]}


# --- /product-facets -------------------------------------------------------------------------


def test_counts_per_stage_cover_every_stage_in_order(client: Client, demo):
    body = get(client, "/product-facets", {"facet": "stage"})
    assert set(body) == {"total", "facets"}
    assert body["total"] == 5
    assert list(body["facets"]) == ["stage"]
    stage = body["facets"]["stage"]
    assert stage["label"] == "Stage" and stage["truncated"] is False
    assert [o["value"] for o in stage["options"]] == STAGES
    assert counts(stage) == {
        "idea": 1, "prototype": 1, "established": 1, "growing": 1, "maintained": 1, "retired": 0
    }  # fmt: skip
    assert sum(counts(stage).values()) == body["total"]
    assert not any(o["selected"] for o in stage["options"])


def test_facets_are_those_of_the_list_under_the_same_filters(client: Client, demo):
    for params in ({}, {"loop": "market"}, {"q": "pay"}, {"stage": "growing", "tag": "api"}):
        listed = get(client, "/products", {**params, "facets": "true"})
        alone = get(client, "/product-facets", params)
        assert alone["total"] == listed["total"], params
        assert list(alone["facets"]) == list(FACETS) == list(listed["facets"]), params
        for name, options in listed["facets"].items():
            assert alone["facets"][name]["options"] == options, (params, name)


def test_each_facet_is_counted_under_the_other_filters(client: Client, demo):
    body = get(client, "/product-facets", {"facet": ["stage", "loop"], "loop": "market"})
    assert body["total"] == 3  # the market loop
    assert counts(body["facets"]["stage"])["growing"] == 1
    assert counts(body["facets"]["stage"])["maintained"] == 0  # ledger is in operations
    loops = {o["value"]: (o["count"], o["selected"]) for o in body["facets"]["loop"]["options"]}
    assert loops["market"] == (3, True) and loops["operations"] == (1, False)
    growing = get(client, "/product-facets", {"facet": "stage", "stage": "growing"})
    assert growing["total"] == 1
    options = growing["facets"]["stage"]["options"]
    assert [o["value"] for o in options if o["selected"]] == ["growing"]
    assert counts(growing["facets"]["stage"])["maintained"] == 1  # stage left out of its own


def test_facets_come_in_display_order_whatever_the_order_asked(client: Client, demo):
    body = get(client, "/product-facets", {"facet": ["tag", "stage", "tag"]})
    assert list(body["facets"]) == ["stage", "tag"]


def test_limit_lists_the_largest_values_and_says_when_more_exist(client: Client, db):
    for i in range(4):
        f.product(f"p{i}", tags=[f"tag-{j}" for j in range(i + 1)])
    body = get(client, "/product-facets", {"facet": "tag", "limit": 2})
    tag = body["facets"]["tag"]
    assert tag["truncated"] is True
    assert [(o["value"], o["count"]) for o in tag["options"]] == [("tag-0", 4), ("tag-1", 3)]
    everything = get(client, "/product-facets", {"facet": "tag", "limit": 10})
    assert everything["facets"]["tag"]["truncated"] is False
    assert len(everything["facets"]["tag"]["options"]) == 4


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"facet": "colour"}, "invalid_request", "facet"),
        ({"limit": "0"}, "invalid_request", "limit"),
        ({"limit": "201"}, "invalid_request", "limit"),
        ({"stage": "finished"}, "invalid_request", "stage"),
        ({"owner": "alice"}, "invalid_request", "owner"),
        ({"failing": "tested"}, "invalid_request", "failing"),
        ({"page": "2"}, "unknown_parameter", "page"),
        ({"sort": "name"}, "unknown_parameter", "sort"),
        ({"facets": "true"}, "unknown_parameter", "facets"),
        ({"stgae": "idea"}, "unknown_parameter", "stgae"),
    ],
)
def test_bad_requests_are_errors_in_the_shared_shape(client: Client, demo, params, code, field):
    body = get(client, "/product-facets", params, status=422)
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]


def test_an_unknown_parameter_gets_a_suggestion(client: Client, db):
    body = get(client, "/product-facets", {"facett": "stage"}, status=422)
    assert "did you mean `facet`?" in body["error"]["message"]


def test_the_endpoint_is_documented(client: Client, db):
    schema = get(client, "/openapi.json")
    operation = schema["paths"]["/api/v1/product-facets"]["get"]
    assert operation["summary"] and "per stage" in operation["description"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"facet", "limit", "q", "stage", "loop", "owner", "failing"} <= names
    assert not names & {"page", "page_size", "sort", "facets"}
    assert "422" in operation["responses"]
    components = schema["components"]["schemas"]
    assert {"ProductFacets", "FacetOut"} <= set(components)


# --- responses cached per catalog version ----------------------------------------------------


def _add(name: str, stage: str = "idea", tags: list[str] | None = None) -> None:
    """A product created the way the web form does it: a service write, audited."""
    idea_create(actor=Actor.system("test"), data=IdeaInput(name=name, stage=stage, tags=tags or []))


def test_a_write_shows_in_the_very_next_response(client: Client, demo):
    stages = get(client, "/product-facets", {"facet": "stage"})
    page = get(client, "/products")
    found = get(client, "/products", {"q": "zebra"})
    assert get(client, "/product-facets", {"facet": "stage"}) == stages  # served again
    _add("Zebra Crossing", stage="prototype")
    after = get(client, "/product-facets", {"facet": "stage"})
    assert after["total"] == stages["total"] + 1
    assert counts(after["facets"]["stage"])["prototype"] == 2
    assert get(client, "/products")["total"] == page["total"] + 1
    searched = get(client, "/products", {"q": "zebra"})
    assert found["total"] == 0 and [p["id"] for p in searched["items"]] == ["zebra-crossing"]


def test_a_repeated_read_is_served_without_reading_the_catalog(
    client: Client, demo, django_assert_num_queries
):
    for path, params in (
        ("/products", {"page_size": 3, "facets": "true"}),
        ("/products", {"q": "pay"}),
        ("/product-facets", {"facet": "stage", "loop": "market"}),
        ("/interfaces", {"kind": "api"}),
        ("/interfaces/payments/charges-api/consumers", {"page_size": 1}),
    ):
        first = client.get(API + path, params)
        with django_assert_num_queries(1):  # the catalog version, nothing else
            again = client.get(API + path, params)
        assert again.content == first.content, path


def test_responses_do_not_depend_on_who_asks(client: Client, demo):
    from django.contrib.auth import get_user_model

    anonymous = client.get(API + "/products", {"facets": "true"}).content
    user = get_user_model().objects.create_user("reader", password="x")
    signed_in = Client()
    signed_in.force_login(user)
    assert signed_in.get(API + "/products", {"facets": "true"}).content == anonymous


def test_served_bodies_match_the_declared_shapes(client: Client, demo):
    # The cached bodies are encoded without Ninja's response validation: check them here.
    for params in ({}, {"facets": "true", "page_size": 2}, {"q": "pay", "loop": "market"}):
        ProductPage.model_validate(get(client, "/products", params))
    for params in ({}, {"facet": "owner", "limit": 1}, {"q": "ledger"}):
        ProductFacets.model_validate(get(client, "/product-facets", params))
    InterfacePage.model_validate(get(client, "/interfaces"))
    ConsumerPage.model_validate(get(client, "/interfaces/payments/charges-api/consumers"))


def test_the_path_is_part_of_what_is_kept(client: Client, demo):
    charges = get(client, "/interfaces/payments/charges-api/consumers")
    events = get(client, "/interfaces/payments/payment-events/consumers")
    assert [c["product"]["id"] for c in charges["items"]] == ["orders", "refund-desk"]
    assert [c["product"]["id"] for c in events["items"]] == ["ledger"]
    missing = get(client, "/interfaces/payments/nothing/consumers", status=404)
    assert missing["error"]["code"] == "not_found"


def test_an_error_is_not_cached(client: Client, demo):
    assert get(client, "/products", {"failing": "nope"}, status=422)["error"]["field"] == "failing"
    assert get(client, "/products", {"failing": "nope"}, status=422)["error"]["field"] == "failing"
