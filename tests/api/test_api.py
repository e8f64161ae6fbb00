"""The JSON API: every endpoint, the paging shape, and one error shape for every failure."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest
from django.test import Client

from productize.catalog.selectors import catalog_version
from productize.catalog.selectors.catalog_index import catalog_index
from productize.ingest.models import Source
from productize.ingest.services import hash_secret
from tests.web import factories as f

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client: Client, path: str, params: dict[str, Any] | None = None, status: int = 200):
    response = client.get(API + path, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def assert_error(body: dict[str, Any], code: str, field: str | None = None) -> None:
    """The one error shape: code, message, field, details."""
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert error["field"] == field
    assert isinstance(error["details"], list)


# --- products --------------------------------------------------------------------------------


def test_product_list_pages_with_the_documented_shape(client: Client, demo):
    body = get(client, "/products", {"page_size": 2})
    assert set(body) == {"items", "total", "page", "page_size", "pages", "facets"}
    assert (body["total"], body["page"], body["page_size"], body["pages"]) == (5, 1, 2, 3)
    assert body["facets"] is None
    first = body["items"][0]
    assert first["id"] == "ledger"
    assert first["stage"] == "maintained"
    assert first["loop"] == {"id": "operations", "name": "Operations"}
    assert first["owners"] == [
        {"ref": "bob", "kind": "person", "id": "bob", "name": "Bob Baker", "resolved": True}
    ]
    assert first["links"] == {"web": "/products/ledger/", "api": "/api/v1/products/ledger"}
    last = get(client, "/products", {"page_size": 2, "page": 3})
    assert [p["id"] for p in last["items"]] == ["refund-desk"]
    beyond = get(client, "/products", {"page_size": 2, "page": 9})
    assert beyond["items"] == [] and beyond["total"] == 5


def test_product_list_filters_combine_like_the_catalog(client: Client, demo):
    body = get(client, "/products", {"loop": "market", "tag": "api"})
    assert [p["id"] for p in body["items"]] == ["orders", "payments"]
    body = client.get(API + "/products?stage=growing&stage=idea").json()
    assert [p["id"] for p in body["items"]] == ["payments", "price-watch"]
    body = get(client, "/products", {"owner": "person:alice"})
    assert [p["id"] for p in body["items"]] == ["orders", "payments"]
    body = get(client, "/products", {"interface_kind": "none", "alignment": "none"})
    assert [p["id"] for p in body["items"]] == ["price-watch", "refund-desk"]
    body = get(client, "/products", {"consumes": "payments/charges-api"})
    assert [p["id"] for p in body["items"]] == ["orders", "refund-desk"]


def test_product_search_is_ranked_and_can_be_sorted_by_name(client: Client, db):
    f.product("z", "Zeta", tags=["ledger"])
    f.product("a", "Alpha", mission="A ledger.")
    f.product("l", "Ledger")
    ranked = get(client, "/products", {"q": "ledg"})
    assert [p["id"] for p in ranked["items"]] == ["l", "z", "a"]
    by_name = get(client, "/products", {"q": "ledg", "sort": "name"})
    assert [p["id"] for p in by_name["items"]] == ["a", "l", "z"]


def test_product_list_facets_on_request(client: Client, demo):
    body = get(client, "/products", {"facets": "true", "loop": "market"})
    facets = body["facets"]
    assert list(facets) == [
        "loop", "stage", "owner", "alignment", "interface_kind", "tag", "level", "failing"
    ]  # fmt: skip
    loops = {o["value"]: (o["count"], o["selected"]) for o in facets["loop"]}
    assert loops["market"] == (3, True) and loops["operations"] == (1, False)
    stages = {o["value"]: o["count"] for o in facets["stage"]}
    assert stages["growing"] == 1 and stages["maintained"] == 0  # within market


def test_product_detail_has_everything(client: Client, demo):
    body = get(client, "/products/orders")
    assert body["id"] == "orders" and body["name"] == "Orders"
    assert body["scope"] == {"does": ["Record orders"], "does_not": ["Take payments"]}
    assert body["alignment"] == {"kind": "direct", "why": ""}
    assert [o["ref"] for o in body["owners"]] == ["alice", "team:payments"]
    provided = body["interfaces_provided"][0]
    assert (provided["ref"], provided["kind"], provided["consumer_count"]) == (
        "orders/orders-api",
        "api",
        0,
    )
    consumed = body["interfaces_consumed"][0]
    assert consumed["interface"] == "payments/charges-api" and consumed["resolved"] is True
    assert consumed["provider"]["product"] == {"id": "payments", "name": "Payments"}
    assert body["source"]["name"] == "main" and body["source"]["path"] == "orders/product.yaml"
    problem = body["problems"][0]
    assert (problem["path"], problem["line"], problem["column"]) == ("orders/product.yaml", 12, 5)
    assert problem["hint"] == "did you mean `owners`?"
    assert body["web_url"] == "/products/orders/"


def test_product_detail_flags_unresolved_references(client: Client, demo):
    body = get(client, "/products/ledger")
    unresolved = [c for c in body["interfaces_consumed"] if not c["resolved"]]
    assert [c["interface"] for c in unresolved] == ["billing/invoices"]
    assert unresolved[0]["provider"] is None
    assert body["unresolved"] == ["interface `billing/invoices`"]


def test_unknown_product_is_a_404_in_the_error_shape(client: Client, demo):
    assert_error(get(client, "/products/nope", status=404), "not_found")


# --- interfaces ------------------------------------------------------------------------------


def test_interfaces_list_detail_and_consumers(client: Client, demo):
    body = get(client, "/interfaces", {"kind": "api"})
    assert [i["ref"] for i in body["items"]] == ["orders/orders-api", "payments/charges-api"]
    assert body["items"][1]["consumer_count"] == 2
    one = get(client, "/interfaces/payments/charges-api")
    assert one["product"] == {"id": "payments", "name": "Payments"} and one["stability"] == "stable"
    consumers = get(client, "/interfaces/payments/charges-api/consumers")
    assert [c["product"]["id"] for c in consumers["items"]] == ["orders", "refund-desk"]
    assert consumers["total"] == 2
    assert_error(get(client, "/interfaces/payments/nope", status=404), "not_found")
    assert_error(get(client, "/interfaces/payments/nope/consumers", status=404), "not_found")
    assert_error(
        get(client, "/interfaces", {"kind": "telepathy"}, status=422), "invalid_request", "kind"
    )


# --- organisation ----------------------------------------------------------------------------


def test_organisation_loops_teams_and_people(client: Client, demo):
    assert get(client, "/organization")["name"] == "Acme"
    loops = get(client, "/loops")
    assert [(x["id"], x["product_count"], x["depth"]) for x in loops["items"]] == [
        ("market", 3, 0),
        ("operations", 1, 0),
    ]
    loop = get(client, "/loops/market")
    assert loop["products_by_stage"]["growing"] == 1
    assert loop["owners"][0]["id"] == "alice"
    assert loop["products"] == "/api/v1/products?loop=market"
    teams = get(client, "/teams")
    assert teams["items"][0] == {
        "id": "payments", "name": "Payments Team", "parent": None, "member_count": 2,
        "product_count": 2,
    }  # fmt: skip
    team = get(client, "/teams/payments")
    assert [m["id"] for m in team["members"]] == ["alice", "bob"]
    assert [p["id"] for p in team["products"]] == ["orders", "payments"]
    people = get(client, "/people", {"q": "bak"})
    assert [p["id"] for p in people["items"]] == ["bob"]
    alice = get(client, "/people/alice")
    assert [p["id"] for p in alice["owns_directly"]] == ["orders"]
    through = alice["owns_through_teams"][0]
    assert through["team"]["id"] == "payments" and through["product_count"] == 2
    assert alice["all_products"] == "/api/v1/products?owner=person:alice"
    for path in ["/loops/nope", "/teams/nope", "/people/nope"]:
        assert_error(get(client, path, status=404), "not_found")


def test_organisation_before_any_ingest_is_a_404(client: Client, db):
    assert_error(get(client, "/organization", status=404), "not_found")


# --- sources and runs ------------------------------------------------------------------------


def test_sources_runs_and_problems(client: Client, demo):
    source_id = demo["source"].id
    sources = get(client, "/sources")
    assert sources["items"][0]["name"] == "main"
    assert sources["items"][0]["problem_count"] == 1
    assert sources["items"][0]["last_run"]["status"] == "partial"
    assert "webhook_secret_hash" not in sources["items"][0]
    assert get(client, f"/sources/{source_id}")["last_run"]["id"] == demo["run"].id
    problems = get(client, f"/sources/{source_id}/problems")
    assert problems["items"][0]["product"] == "orders"
    runs = get(client, "/runs", {"source": source_id})
    assert runs["items"][0]["errors"] == 1
    assert runs["items"][0]["source"] == {"id": source_id, "name": "main"}
    run = get(client, f"/runs/{demo['run'].id}")
    assert run["status"] == "partial" and run["files_seen"] == 10
    assert get(client, f"/runs/{demo['run'].id}/problems")["total"] == 1
    current = get(client, "/problems", {"product": "orders"})
    assert current["total"] == 1
    assert get(client, "/problems", {"product": "ledger"})["total"] == 0
    for path in ["/sources/999", "/runs/999", "/runs/999/problems", "/sources/999/problems"]:
        assert_error(get(client, path, status=404), "not_found")
    assert_error(get(client, "/runs", {"source": 999}, status=404), "not_found")


def test_source_locations_never_show_credentials(client: Client, db):
    f.source("private", location="https://bob:s3cret-token@git.example/org/catalog.git")
    body = client.get(API + "/sources").content.decode()
    assert "s3cret-token" not in body


# --- the refresh webhook ---------------------------------------------------------------------


def _webhook_source(secret: str = "right-secret") -> Source:  # noqa: S107
    src = f.source("hooked")
    Source.objects.filter(pk=src.pk).update(webhook_secret_hash=hash_secret(secret))
    src.refresh_from_db()
    return src


def test_refresh_with_the_sources_secret_queues_a_refresh(client: Client, db):
    src = _webhook_source()
    response = client.post(
        f"{API}/sources/{src.id}/refresh", headers={"X-Productize-Secret": "right-secret"}
    )
    assert response.status_code == 202, response.content
    assert response.json() == {"status": "queued", "source": {"id": src.id, "name": "hooked"}}
    src.refresh_from_db()
    assert src.refresh_requested_at is not None


def test_refresh_refuses_a_missing_or_wrong_secret(client: Client, db):
    src = _webhook_source()
    url = f"{API}/sources/{src.id}/refresh"
    assert_error(client.post(url).json(), "unauthenticated")
    wrong = client.post(url, headers={"X-Productize-Secret": "nope"})
    assert wrong.status_code == 401
    assert_error(wrong.json(), "unauthenticated")
    src.refresh_from_db()
    assert src.refresh_requested_at is None
    assert client.post(f"{API}/sources/999/refresh").status_code == 404


def test_refresh_accepts_a_github_signature_made_with_the_server_secret(
    client: Client, db, settings
):
    settings.WEBHOOK_SECRET = "server-wide"
    src = _webhook_source()
    body = b'{"ref": "refs/heads/main"}'
    signature = "sha256=" + hmac.new(b"server-wide", body, hashlib.sha256).hexdigest()
    url = f"{API}/sources/{src.id}/refresh"
    ok = client.post(
        url, body, content_type="application/json", headers={"X-Hub-Signature-256": signature}
    )
    assert ok.status_code == 202, ok.content
    forged = client.post(
        url, b"{}", content_type="application/json", headers={"X-Hub-Signature-256": signature}
    )
    assert forged.status_code == 401


def test_refresh_of_a_disabled_source_is_a_conflict(client: Client, db):
    src = _webhook_source()
    Source.objects.filter(pk=src.pk).update(enabled=False)
    response = client.post(
        f"{API}/sources/{src.id}/refresh", headers={"X-Productize-Secret": "right-secret"}
    )
    assert response.status_code == 409
    assert_error(response.json(), "conflict")


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/products", {"stage": "finished"}, "stage"),
        ("/products", {"owner": "alice"}, "owner"),
        ("/products", {"loop": "Not A Slug"}, "loop"),
        ("/products", {"page": "0"}, "page"),
        ("/products", {"page": "two"}, "page"),
        ("/products", {"page_size": "0"}, "page_size"),
        ("/products", {"page_size": "100000"}, "page_size"),
        ("/products", {"facets": "maybe"}, "facets"),
        ("/products", {"sort": "random"}, "sort"),
        ("/products", {"consumes": "no-slash"}, "consumes"),
        ("/products", {"q": "x" * 300}, "q"),
        ("/runs", {"source": "abc"}, "source"),
        ("/interfaces", {"stability": "rock-solid"}, "stability"),
    ],
)
def test_bad_values_are_422_naming_the_field(client: Client, db, path, params, field):
    body = get(client, path, params, status=422)
    assert_error(body, "invalid_request", field)
    assert body["error"]["details"][0]["field"] == field


def test_a_bare_owner_gets_a_hint(client: Client, db):
    body = get(client, "/products", {"owner": "alice"}, status=422)
    assert "person:alice or team:alice" in body["error"]["message"]


def test_unknown_parameters_are_errors_with_a_suggestion(client: Client, db):
    body = get(client, "/products", {"stgae": "growing"}, status=422)
    assert_error(body, "unknown_parameter", "stgae")
    assert "did you mean `stage`?" in body["error"]["message"]
    body = get(client, "/organization", {"verbose": "1"}, status=422)
    assert_error(body, "unknown_parameter", "verbose")
    assert "takes no query parameters" in body["error"]["message"]


def test_every_get_endpoint_refuses_unknown_parameters(client: Client, demo):
    schema = get(client, "/openapi.json")
    concrete = {
        "{product_id}": "orders",
        "{name}": "orders-api",
        "{loop_id}": "market",
        "{team_id}": "payments",
        "{person_id}": "alice",
        "{source_id}": str(demo["source"].id),
        "{run_id}": str(demo["run"].id),
        # Loop ids: any number will do, the unknown parameter is refused before the lookup.
        **{f"{{{n}_id}}": "1" for n in ("channel", "feedback", "pattern", "improvement")},
    }
    checked = 0
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        url = path
        for placeholder, value in concrete.items():
            url = url.replace(placeholder, value)
        response = client.get(url, {"no_such_parameter": "1"})
        assert response.status_code == 422, url
        assert response.json()["error"]["code"] == "unknown_parameter", url
        checked += 1
    assert checked >= 17


def test_the_api_root_says_where_things_are(client: Client, db):
    body = get(client, "/")
    assert body["openapi"] == "/api/v1/openapi.json" and body["docs"] == "/api/v1/docs"


def test_unknown_paths_and_methods_answer_in_the_error_shape(client: Client, db):
    response = client.get(API + "/nope")
    assert response.status_code == 404
    assert_error(response.json(), "not_found")
    slash = client.get(API + "/products/")
    assert slash.status_code == 404
    assert "no trailing slash" in slash.json()["error"]["message"]
    other = client.get("/api/v2/products")
    assert other.status_code == 404 and "/api/v1/" in other.json()["error"]["message"]
    method = client.delete(API + "/products")
    assert method.status_code == 405
    assert_error(method.json(), "method_not_allowed")
    assert "GET" in method["Allow"]


def test_a_crash_is_a_500_in_the_error_shape(client: Client, db, monkeypatch):
    from productize.catalog import selectors

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "product_detail", boom)
    response = client.get(API + "/products/orders")
    assert response.status_code == 500
    assert_error(response.json(), "internal_error")
    assert "fire" not in response.content.decode()  # no internals leak


# --- the schema and the docs -----------------------------------------------------------------


def test_openapi_schema_describes_every_endpoint(client: Client, db):
    schema = get(client, "/openapi.json")
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/products" in schema["paths"]
    assert "/api/v1/sources/{source_id}/refresh" in schema["paths"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("description"), (method, path)
            assert "422" in operation["responses"] or method == "post", (method, path)
    components = schema["components"]["schemas"]
    assert "ErrorResponse" in components
    for name, component in components.items():
        assert component.get("description"), name


def test_interactive_docs_load_without_a_cdn(client: Client, db):
    response = client.get(API + "/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in html
    assert 'id="swagger-settings"' in html
    asset = client.get(API + "/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200
    assert client.get(API + "/docs/assets/../../settings.py").status_code == 404
    assert client.get(API + "/docs/assets/redoc.standalone.js.map").status_code == 404


def test_api_queries_stay_bounded(client: Client, demo, django_assert_max_num_queries):
    for i in range(40):
        f.product(f"p-{i}", owners=["alice", "team:payments"], consumes=["orders/orders-api"])
    catalog_index(catalog_version())  # built once per catalog version, in a fixed number
    with django_assert_max_num_queries(5):
        get(client, "/products", {"page_size": 50})
    with django_assert_max_num_queries(9):
        get(client, "/products/orders")
    with django_assert_max_num_queries(4):
        get(client, "/interfaces")
