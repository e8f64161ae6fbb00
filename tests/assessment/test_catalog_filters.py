"""The catalog filtered by assessed level and failing characteristic: selectors, API, pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from productize.assessment.charts import LABEL_CHARS, stacked_chart
from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.assessment.templatetags.assessment_tags import backticks
from productize.catalog.models import Product
from productize.catalog.selectors import FilterError, PageRequest, ProductFilters, product_page
from productize.catalog.selectors.facets import product_facets
from productize.catalog.selectors.products import matching
from productize.ingest.hooks import IngestOutcome

pytestmark = pytest.mark.django_db
API = "/api/v1"


def slugs(filters: ProductFilters) -> set[str]:
    page = product_page(filters, PageRequest(page=1, page_size=200))
    counted = set(matching(filters, counting=True).values_list("slug", flat=True))
    found = {p.slug for p in page.items}
    assert found == counted  # the page shape and the count shape agree
    return found


def expected(*, levels: set[str] | None = None, failing: set[str] | None = None) -> set[str]:
    """The answer worked out in Python from the assessment tables."""
    rows = ProductAssessment.objects.values_list("product__slug", "level")
    result = {slug for slug, level in rows if levels is None or level in levels}
    if failing is not None:
        gaps = AssessmentGap.objects.filter(characteristic__in=failing, expected=True)
        result &= set(gaps.values_list("product__slug", flat=True))
    return result


def counts(filters: ProductFilters, name: str) -> dict[str, int]:
    facet = next(x for x in product_facets(filters) if x.name == name)
    return {o.value: o.count for o in facet.options}


def test_level_and_failing_filter_and_combine(demo: IngestOutcome) -> None:
    # The failing filter relies on gaps being stored only where they are expected.
    assert not AssessmentGap.objects.filter(expected=False).exists()
    assert slugs(ProductFilters.build(level=["idea"])) == {"stock-sheets"}
    assert slugs(ProductFilters.build(failing=["owned"])) == {"stock-sheets"}
    # OR within a filter, AND across filters.
    both_levels = slugs(ProductFilters.build(level=["idea", "none"]))
    assert both_levels == expected(levels={"idea", "none"}) and len(both_levels) == 3
    combined = ProductFilters.build(level=["prototype"], failing=["testable", "general"])
    assert slugs(combined) == expected(levels={"prototype"}, failing={"testable", "general"})
    assert "shop-app" in slugs(combined) and "orders" not in slugs(combined)
    with_loop = ProductFilters.build(level=["none"], loop=["market"])
    assert slugs(with_loop) == {"carbon-labels"}
    searched = ProductFilters.build(q="shop", failing=["testable"])
    assert slugs(searched) == {"shop-app"}


def test_common_values_give_the_same_answer(
    demo: IngestOutcome, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `RARE` matching rows a page walks the name index with EXISTS: same products."""
    monkeypatch.setattr("productize.catalog.selectors.filters.RARE", 1)
    combined = ProductFilters.build(level=["prototype", "unassessed"], failing=["testable"])
    assert slugs(combined) == expected(levels={"prototype"}, failing={"testable"})


def test_unassessed_products(demo: IngestOutcome) -> None:
    assert slugs(ProductFilters.build(level=["unassessed"])) == set()
    ProductAssessment.objects.filter(product__slug="recipes").delete()
    cache.clear()  # deleted around the services: no audit record, so no new catalog version
    filters = ProductFilters.build(level=["unassessed", "idea"])
    assert slugs(filters) == {"recipes", "stock-sheets"}
    assert counts(ProductFilters(), "level")["unassessed"] == 1


def test_facet_counts_under_the_other_filters(demo: IngestOutcome) -> None:
    every = counts(ProductFilters(), "level")
    assert every["idea"] == 1 and every["none"] == 2 and every["unassessed"] == 0
    assert sum(every.values()) == Product.objects.count()
    # The level facet ignores the chosen level but counts under the failing filter.
    chosen = ProductFilters.build(level=["idea"], failing=["testable"])
    by_level = counts(chosen, "level")
    assert by_level["prototype"] == len(expected(levels={"prototype"}, failing={"testable"}))
    assert by_level["idea"] == 0
    # The failing facet counts under the chosen level, every characteristic listed.
    failing = counts(ProductFilters.build(level=["idea"]), "failing")
    assert failing["owned"] == 1 and failing["feedback-loop"] == 1 and failing["testable"] == 0
    assert "brand" in failing and "well-defined" in failing
    labels = {o.value: o.label for f in product_facets(chosen) for o in f.options}
    assert labels[("unassessed")] == "Not assessed yet"


def test_filter_values_are_checked(demo: IngestOutcome) -> None:
    with pytest.raises(FilterError, match="did you mean `owned`"):
        ProductFilters.build(failing=["ownd"])
    with pytest.raises(FilterError, match="expected one of none, idea"):
        ProductFilters.build(level=["legendary"])
    filters, problems = ProductFilters.lenient({"level": ["idea", "x"], "failing": ["nope"]})
    assert filters.level == ("idea",) and filters.failing == ()
    assert [p.field for p in problems] == ["level", "failing"]
    assert ProductFilters.build(level=["idea"], failing=["owned"]).as_params() == [
        ("level", "idea"),
        ("failing", "owned"),
    ]


# --- API --------------------------------------------------------------------------------------


def api(client: Client, params: dict[str, Any], status: int = 200) -> dict[str, Any]:
    response = client.get(API + "/products", params)
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    return body


def test_api_filters_by_level_and_failing(client: Client, demo: IngestOutcome) -> None:
    body = api(client, {"level": ["idea", "none"], "failing": "owned", "facets": "true"})
    assert [p["id"] for p in body["items"]] == ["stock-sheets"]
    levels = {o["value"]: o["count"] for o in body["facets"]["level"]}
    assert levels["idea"] == 1 and levels["prototype"] == 0
    failing = {o["value"]: (o["count"], o["selected"]) for o in body["facets"]["failing"]}
    assert failing["owned"] == (1, True)


def test_api_refuses_an_unknown_characteristic_with_a_suggestion(
    client: Client, demo: IngestOutcome
) -> None:
    error = api(client, {"failing": "ownd"}, status=422)["error"]
    assert set(error) == {"code", "message", "field", "details"}
    assert error["code"] == "invalid_request" and error["field"] == "failing"
    assert "did you mean `owned`?" in error["message"]
    assert error["details"][0]["field"] == "failing"
    error = api(client, {"level": "legendary"}, status=422)["error"]
    assert error["code"] == "invalid_request" and error["field"] == "level"
    error = api(client, {"levle": "idea"}, status=422)["error"]
    assert error["code"] == "unknown_parameter" and "did you mean `level`?" in error["message"]


def test_api_documents_the_filters(client: Client, db: None) -> None:
    schema = client.get(API + "/openapi.json").json()
    params = {p["name"]: p for p in schema["paths"][API + "/products"]["get"]["parameters"]}
    assert "unassessed" in params["level"]["description"]
    assert "characteristic" in params["failing"]["description"].lower()
    text = str(params["level"]["schema"])
    assert all(v in text for v in ("none", "idea", "maintained", "unassessed"))


# --- pages ------------------------------------------------------------------------------------


def test_catalog_page_filters_by_level_and_failing(client: Client, demo: IngestOutcome) -> None:
    response = client.get("/catalog/", {"level": "prototype", "failing": "testable"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Assessed level" in body and "Failing" in body
    assert 'name="level" value="prototype" checked' in body
    assert 'name="failing" value="testable" checked' in body
    assert "/products/shop-app/" in body and "/products/orders/" not in body
    assert "Remove filter Failing: " in body
    body = client.get("/catalog/", {"failing": "ownd"}).content.decode()
    assert "could not be used" in body and "did you mean" in body


def test_organisation_page_links_to_the_filtered_catalog(
    client: Client, demo: IngestOutcome
) -> None:
    body = client.get(reverse("web:assessment")).content.decode()
    assert 'href="/catalog/?failing=clear-interfaces"' in body
    assert 'href="/catalog/?level=prototype"' in body
    assert 'href="/catalog/?level=prototype&amp;loop=market"' in body
    assert 'href="/catalog/?level=established&amp;stage=growing"' in body


def test_backticks_become_code_and_html_stays_escaped() -> None:
    assert backticks("Add a `description` to `x`.") == (
        "Add a <code>description</code> to <code>x</code>."
    )
    out = backticks("Run `<script>alert(1)</script>` & <b>`x`</b>")
    assert "<script>" not in out and "<b>" not in out
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code> &amp; &lt;b&gt;<code>x</code>" in out
    assert backticks("a ` lone backtick") == "a ` lone backtick"


def test_scorecard_renders_code_spans(client: Client, demo: IngestOutcome) -> None:
    body = client.get("/products/shop-app/").content.decode()
    assert "<code>does_not</code>" in body and "`does_not`" not in body


def test_long_loop_names_are_not_cut_short() -> None:
    chart = stacked_chart(
        [
            ("ops", "Team and company operations", {"idea": 2}),
            ("x", "A very long loop name that goes on and on and on", {"none": 1}),
        ]
    )
    first, second = chart.rows
    assert first.short_label == "Team and company operations"
    assert second.short_label.endswith("…") and len(second.short_label) == LABEL_CHARS
    assert second.label.endswith("on and on")
