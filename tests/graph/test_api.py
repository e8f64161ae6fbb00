"""The graph endpoints: answers on a small catalog, paging, pictures, and the error shape."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def error_code(response) -> str:
    return response.json()["error"]["code"]


def test_neighbours_both_ways_with_links(small, client):
    body = client.get("/api/v1/graph/products/shop/neighbours?depth=1").json()
    assert [p["slug"] for p in body["upstream"]] == ["billing", "core"]
    assert [p["slug"] for p in body["downstream"]] == ["billing", "report"]
    assert {"consumer": "shop", "interface": "core/api", "provider": "core"} in body["links"]
    down = client.get("/api/v1/graph/products/core/neighbours?direction=downstream").json()
    assert down["upstream"] == [] and down["downstream_total"] == 3


def test_impact_of_an_interface_is_paged_with_owners_to_tell(small, client):
    body = client.get("/api/v1/graph/interfaces/core/api/impact?page_size=2").json()
    assert body["count"] == 3 and body["pages"] == 2
    assert [e["slug"] for e in body["items"]] == ["billing", "shop"]
    assert body["by_depth"] == {"1": 2, "2": 1}
    owners = {o["owner"]: o["products"] for o in body["owners"]}
    assert owners == {"alice": ["shop"], "bob": ["billing", "shop"]}
    page2 = client.get("/api/v1/graph/interfaces/core/api/impact?page_size=2&page=2").json()
    assert [(e["slug"], e["depth"]) for e in page2["items"]] == [("report", 2)]
    assert [h["id"] for h in page2["items"][0]["path"]] == [
        "core/api", "shop", "shop/events", "report",
    ]  # fmt: skip


def test_impact_of_a_product_reach_and_hubs(small, client):
    assert client.get("/api/v1/graph/products/core/impact").json()["count"] == 3
    assert client.get("/api/v1/graph/products/core/reach").json() == {
        "slug": "core", "direct": 3, "transitive": 3,
    }  # fmt: skip
    hubs = client.get("/api/v1/graph/hubs?top=2").json()
    assert hubs[0]["slug"] == "core"


def test_whole_catalog_findings(small, client):
    cycles = client.get("/api/v1/graph/cycles").json()
    assert cycles["total"] == 1 and sorted(cycles["items"][0]["products"]) == ["billing", "shop"]
    deprecated = client.get("/api/v1/graph/deprecated-consumers").json()["items"]
    assert deprecated == [{"consumer": "report", "interface": "core/old", "provider": "core"}]
    undeclared = client.get("/api/v1/graph/undeclared-consumes").json()["items"]
    assert [(e["consumer"], e["interface"]) for e in undeclared] == [("report", "ghost/api")]
    assert client.get("/api/v1/graph/outliers").json()["total"] == 0


def test_policy_violations_follow_the_stored_policies(small, client):
    from productize.audit.services import Actor
    from productize.graph.services import policies_set

    assert client.get("/api/v1/graph/policy-violations").json()["total"] == 0
    policies_set(actor=Actor.system(), organization="acme",
                 policies={"no_cycles": True, "no_experimental_from_maintained": True})  # fmt: skip
    body = client.get("/api/v1/graph/policy-violations?product=shop").json()
    assert [v["policy"] for v in body["items"]] == ["no-cycles"]
    everything = client.get("/api/v1/graph/policy-violations").json()["items"]
    assert {(v["product"], v["policy"]) for v in everything} == {
        ("billing", "no-cycles"), ("shop", "no-cycles"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fmt", "content_type", "marker"),
    [
        ("svg", "image/svg+xml", "<svg"),
        ("dot", "text/vnd.graphviz", "digraph"),
        ("mermaid", "text/plain", "flowchart"),
        ("json", "application/json", '"nodes"'),
    ],
)
def test_pictures_in_every_format(small, client, fmt, content_type, marker):
    response = client.get(f"/api/v1/graph/products/shop/picture?format={fmt}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert marker in response.content.decode()
    whole = client.get(f"/api/v1/graph/map?format={fmt}&collapse=all")
    assert whole.status_code == 200 and marker in whole.content.decode()


def test_errors_share_the_one_shape(small, client):
    missing = client.get("/api/v1/graph/products/nope/neighbours")
    assert missing.status_code == 404 and error_code(missing) == "not_found"
    iface = client.get("/api/v1/graph/interfaces/core/nope/impact")
    assert iface.status_code == 404 and "core/nope" in iface.json()["error"]["message"]
    deep = client.get("/api/v1/graph/products/shop/neighbours?depth=9")
    assert deep.status_code == 422 and deep.json()["error"]["field"] == "depth"
    typo = client.get("/api/v1/graph/products/shop/neighbours?dpeth=2")
    assert error_code(typo) == "unknown_parameter" and "depth" in typo.json()["error"]["message"]
    focus = client.get("/api/v1/graph/map?focus=nope")
    assert focus.status_code == 404 and focus.json()["error"]["field"] == "focus"


def test_every_graph_endpoint_is_described_for_openapi():
    from ninja.openapi.schema import OpenAPISchema

    from productize.api.app import api
    from productize.api.graph import router

    # Only this router's operations: the whole document depends on every other router too.
    schema = OpenAPISchema.__new__(OpenAPISchema)
    schema.api, schema.path_prefix, schema.schemas = api, "/api/v1/", {}
    schema.securitySchemes, schema.all_operation_ids = {}, set()
    seen = 0
    for path, view in router.path_operations.items():
        for operation in view.operations:
            details = schema.operation_details(operation)
            assert details["description"], path
            assert 422 in details["responses"], path
            seen += 1
    assert seen == 13
