"""The assessment API: per product (current + paged history), organisation list, summary."""

from __future__ import annotations

import pytest
from django.test import Client

from productize.ingest.hooks import IngestOutcome

API = "/api/v1"
pytestmark = pytest.mark.django_db


def test_product_assessment_has_current_and_history(client: Client, demo: IngestOutcome) -> None:
    body = client.get(f"{API}/products/shop-app/assessment").json()
    current = body["current"]
    assert current["product"] == "shop-app"
    assert current["level"] in ("idea", "prototype")
    keys = [c["key"] for c in current["characteristics"]]
    assert "well-defined" in keys and current["next_steps"]
    assert body["history"]["total"] == 1
    assert body["history"]["items"][0]["why"] == ["first assessment"]


def test_product_assessment_unknown_product_is_404(client: Client, demo: IngestOutcome) -> None:
    response = client.get(f"{API}/products/nope/assessment")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_filters_by_failing_characteristic(client: Client, demo: IngestOutcome) -> None:
    body = client.get(f"{API}/assessments", {"failing": "owned"}).json()
    slugs = {item["product"] for item in body["items"]}
    assert "stock-sheets" in slugs
    assert all("owned" in item["gaps"] for item in body["items"])


def test_list_filters_by_level_and_stage(client: Client, demo: IngestOutcome) -> None:
    body = client.get(f"{API}/assessments", {"level": "growing"}).json()
    assert body["total"] >= 1 and all(i["level"] == "growing" for i in body["items"])
    body = client.get(f"{API}/assessments", {"stage": "idea", "below": "established"}).json()
    assert all(i["stage"] == "idea" for i in body["items"])
    body = client.get(f"{API}/assessments", {"not_yet_a_product": "true"}).json()
    assert [i["product"] for i in body["items"]] == ["ops-toolkit"]


def test_list_pages_weakest_first(client: Client, demo: IngestOutcome) -> None:
    first = client.get(f"{API}/assessments", {"page_size": 5}).json()
    second = client.get(f"{API}/assessments", {"page_size": 5, "page": 2}).json()
    assert first["total"] == second["total"] > 10 and first["pages"] > 2
    assert len(first["items"]) == 5
    assert not {i["product"] for i in first["items"]} & {i["product"] for i in second["items"]}
    ranks = ["none", "idea", "prototype", "established", "growing", "maintained"]
    levels = [ranks.index(i["level"]) for i in first["items"] + second["items"]]
    assert levels == sorted(levels)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"level": "great"}, "level"), ({"failing": "shiny"}, "failing"), ({"stgae": "x"}, "stgae")],
)
def test_list_errors_share_the_shape(
    client: Client, demo: IngestOutcome, params: dict[str, str], field: str
) -> None:
    response = client.get(f"{API}/assessments", params)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field


def test_summary_answers_where_we_are_weakest(client: Client, demo: IngestOutcome) -> None:
    body = client.get(f"{API}/assessments/summary").json()
    assert body["assessed"] == body["products"]
    assert "stock-sheets" in body["no_owner"]["products"]
    assert body["worst_gaps"][0]["products"] >= body["worst_gaps"][-1]["products"]
    pairs = [{o["a"], o["b"]} for o in body["overlaps"]]
    assert {"farm-insights", "farm-sales-reports"} in pairs
    overlap = next(
        o for o in body["overlaps"] if {o["a"], o["b"]} == {"farm-insights", "farm-sales-reports"}
    )
    assert overlap["shared_words"]
    assert [x["product"] for x in body["not_yet_a_product"]] == ["ops-toolkit"]
    assert sum(sum(row["levels"].values()) for row in body["by_stage"]) == body["assessed"]


def test_openapi_documents_the_endpoints(client: Client, db: None) -> None:
    paths = client.get(f"{API}/openapi.json").json()["paths"]
    assert "/api/v1/assessments/summary" in paths
    assert "/api/v1/products/{product_id}/assessment" in paths
