"""The graph pictures in Chromium: neighbourhood, who-to-tell, organisation map; screenshots.

Runs only when PRODUCTIZE_TEST_BROWSER names a Chromium executable; saves
docs/screenshots/graph-*.png.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

BROWSER = os.environ.get("PRODUCTIZE_TEST_BROWSER", "")
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not BROWSER, reason="PRODUCTIZE_TEST_BROWSER is not set"),
]


@pytest.fixture
def demo(transactional_db: None, settings: Any) -> None:
    """The demo organisation, readable without signing in."""
    from productize.graph.selectors import clear_graph_cache
    from productize.ingest.runner import ingest_path
    from tests.conftest import DEMO_ORG

    settings.ANONYMOUS_READ = True
    clear_graph_cache()
    ingest_path(location=DEMO_ORG)


def test_neighbourhood_impact_and_map_in_a_browser(browser, live_server, demo):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(live_server.url + "/products/orders/")
    panel = page.locator("#graph")
    panel.scroll_into_view_if_needed()
    svg = panel.locator("svg")
    assert svg.is_visible()
    assert svg.bounding_box()["height"] > 100
    panel.screenshot(path=str(SCREENSHOTS / "graph-neighbourhood.png"))

    # Boxes are links: clicking a consumer goes to its page.
    panel.locator('svg a[href="/products/shop-web/"]').first.click()
    page.wait_for_url("**/products/shop-web/")

    page.goto(live_server.url + "/products/orders/")
    page.get_by_role("link", name="Who do I need to tell if I change this?").click()
    page.wait_for_url("**/products/orders/impact/")
    assert "Who do I need to tell" in page.locator("h1").inner_text()
    assert page.locator("table.graph-table tbody tr").count() > 3
    page.screenshot(path=str(SCREENSHOTS / "graph-impact.png"), full_page=True)

    page.goto(live_server.url + "/map/")
    assert page.locator(".graph-picture svg").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "graph-map.png"), full_page=True)
    page.get_by_label("Focus on product").fill("orders")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/map/?*focus=orders*")
    assert page.locator('.graph-picture svg a[href="/products/orders/"]').count() >= 1
    page.screenshot(path=str(SCREENSHOTS / "graph-map-focus.png"), full_page=True)
    assert errors == []
