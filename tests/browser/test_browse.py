"""Browse the catalog in Chromium with the keyboard and the mouse, on a laptop and a phone.

Also keeps a screenshot of each page type, at 1280x800 and 390x844, in docs/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import LAPTOP, PHONE, ConsoleWatch
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser]

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"


def _page(browser: Any, viewport: dict[str, int], *, javascript: bool = True) -> Any:
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    return context.new_page()


def _focus_by_tabbing(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (proves keyboard reach)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def test_home_catalog_filter_product_person_by_keyboard_and_mouse(
    browser: Any, live_server: Any, demo_catalog: None
) -> None:
    page = _page(browser, LAPTOP)
    console = ConsoleWatch(page)
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text().strip()

    # The first Tab reaches the skip link, visibly; Enter moves focus to the content.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # Mouse: the main navigation leads to the catalog.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.wait_for_url(re.compile(r"/catalog/$"))
    total = _result_count(page)
    assert total > 5

    # Keyboard: tab to the first loop filter and tick it with the space bar; htmx swaps the
    # results in place, keeps focus on the checkbox and puts the filter in the address.
    _focus_by_tabbing(page, "input[name=loop]")
    loop_value = page.evaluate("document.activeElement.value")
    before = _heading(page)
    page.keyboard.press("Space")
    page.wait_for_url(re.compile(rf"loop={re.escape(loop_value)}"))
    page.wait_for_function(f"document.querySelector('#results-heading').innerText !== {before!r}")
    filtered = _result_count(page)
    assert 0 < filtered < total
    assert page.evaluate("document.activeElement.name") == "loop"
    assert page.evaluate("document.activeElement.checked")
    facet_count = int(page.locator(f"label[for='f-loop-{loop_value}'] .facet-count").inner_text())
    assert facet_count == filtered

    # "/" jumps to the search box; typing narrows the results without a click.
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    first_name = page.locator(".product-name").first.inner_text()
    word = first_name.split()[0][:4].lower()
    before = _heading(page)
    page.keyboard.type(word)
    page.wait_for_url(re.compile(rf"q={word}"))
    page.wait_for_function(f"document.querySelector('#results-heading').innerText !== {before!r}")
    assert f"matching “{word}”" in _heading(page)
    assert word in page.locator(".product-name").first.inner_text().lower()

    # Leaving the search box does not fetch the results again: that refresh would race a
    # click on a result and swap the link away under the pointer.
    refetches: list[str] = []
    page.on("request", lambda request: refetches.append(request.url))
    page.locator("#q").blur()
    page.wait_for_timeout(500)
    assert not [url for url in refetches if "/catalog/" in url], refetches

    # Mouse: open the first product.
    page.locator(".product-name").first.click()
    page.wait_for_url(re.compile(r"/products/[a-z0-9-]+/$"))
    assert page.locator(".scope-does-not").is_visible()
    assert page.locator("#interfaces").is_visible()

    # Keyboard: tab to the first owner who is a person and follow the link with Enter.
    _focus_by_tabbing(page, "a.owner-person", limit=200)
    owner_name = page.evaluate("document.activeElement.innerText").strip()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/people/[a-z0-9-]+/$"))
    assert page.locator("h1").inner_text().strip() == owner_name
    assert "Owns directly" in page.locator("main").inner_text()

    assert console.errors == []
    page.context.close()


def _heading(page: Any) -> str:
    return page.locator("#results-heading").inner_text()


def _result_count(page: Any) -> int:
    text = _heading(page).replace(",", "")
    match = re.search(r"(?:of )?(\d+) products?", text)
    assert match, text
    return int(match.group(1))


def test_the_catalog_works_without_javascript(
    browser: Any, live_server: Any, demo_catalog: None
) -> None:
    page = _page(browser, LAPTOP, javascript=False)
    page.goto(live_server.url + "/catalog/")
    total = _result_count(page)
    page.locator("input[name=stage][value=growing]").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"stage=growing"))
    assert 0 < _result_count(page) < total
    page.fill("#q", "farm")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=farm"))
    assert "stage=growing" in page.url  # the search kept the filter
    page.context.close()


def test_on_a_phone_filters_fold_away_and_nothing_scrolls_sideways(
    browser: Any, live_server: Any, demo_catalog: None
) -> None:
    page = _page(browser, PHONE)
    console = ConsoleWatch(page)
    page.goto(live_server.url + "/catalog/")
    filters = page.locator("details#filters")
    assert filters.get_attribute("open") is None
    assert page.locator(".product-row").first.is_visible()
    page.locator("details#filters > summary").click()
    assert page.locator("input[name=stage]").first.is_visible()
    for path in ["/", "/catalog/", "/loops/", "/teams/", "/people/", "/sources/"]:
        page.goto(live_server.url + path)
        _no_sideways_scroll(page)
    page.goto(live_server.url + "/catalog/")
    page.locator(".product-name").first.click()
    _no_sideways_scroll(page)
    assert console.errors == []
    page.context.close()


def _page_types(live_server_url: str, page: Any) -> dict[str, str]:
    """One URL per page type, found by following links from the demo catalog."""
    page.goto(live_server_url + "/catalog/")
    product = page.locator(".product-name").nth(0).get_attribute("href")
    urls = {
        "home": "/",
        "catalog": "/catalog/",
        "catalog-search": "/catalog/?q=farm&stage=growing",
        "loops": "/loops/",
        "teams": "/teams/",
        "people": "/people/",
        "sources": "/sources/",
        "not-found": "/products/no-such-product/",
    }
    page.goto(live_server_url + "/products/orders/")
    if page.locator("h1").inner_text() == "Not found":
        page.goto(live_server_url + str(product))
    urls["product"] = page.url.removeprefix(live_server_url)
    person = page.locator("a.owner-person").first.get_attribute("href")
    team = page.locator("a.owner-team").first.get_attribute("href")
    loop = page.locator(".breadcrumbs a[href^='/loops/']").first.get_attribute("href")
    urls.update({"person": str(person), "team": str(team), "loop": str(loop)})
    page.goto(live_server_url + "/sources/")
    source = page.locator("table a[href^='/sources/']").first.get_attribute("href")
    run = page.locator("table a[href^='/runs/']").first.get_attribute("href")
    urls.update({"source": str(source), "run": str(run)})
    return urls


@pytest.mark.parametrize(("size", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_screenshots_of_every_page_type(
    browser: Any, live_server: Any, demo_catalog: None, size: str, viewport: dict[str, int]
) -> None:
    page = _page(browser, viewport)
    console = ConsoleWatch(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in _page_types(live_server.url, page).items():
        seen = len(console.errors)
        response = page.goto(live_server.url + path)
        assert response is not None
        assert response.status == (404 if name == "not-found" else 200), path
        if name == "not-found":  # Chromium logs the page's own 404 status as a console error
            console.errors[seen:] = [e for e in console.errors[seen:] if "status of 404" not in e]
        _no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    assert console.errors == [], console.errors
    page.context.close()


def test_api_docs_render_from_local_assets(
    browser: Any, live_server: Any, transactional_db: None
) -> None:
    page = _page(browser, LAPTOP)
    console = ConsoleWatch(page)
    outside: list[str] = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
    assert "productize" in page.locator(".swagger-ui .info").inner_text()
    assert outside == []
    assert console.errors == []
    page.context.close()
