"""The loop desk in Chromium: give feedback on a product page, find it in My loop, triage it.

Runs on the demo organisation with its living loop (replayed through the services), signs in
through the sign-in page like a person would, and keeps screenshots of the desk's pages at
1280x800 and 390x844 in docs/screenshots/.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import LAPTOP, PHONE, ConsoleWatch
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser]

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
PASSWORD = "productize-demo"


@pytest.fixture
def demo_loop(transactional_db: None, settings: Any) -> None:
    """The demo organisation, its loop, and the demo users."""
    from productize.accounts.bootstrap import create_demo_users
    from productize.demo.loop.loader import load_demo_loop
    from productize.ingest.runner import ingest_path
    from tests.conftest import DEMO_ORG

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PUBLIC_FEEDBACK = True
    ingest_path(location=DEMO_ORG)
    load_demo_loop()
    create_demo_users()


def _signed_in(
    browser: Any, url: str, username: str, viewport: dict[str, int], *, javascript: bool = True
) -> Any:
    page = browser.new_context(viewport=viewport, java_script_enabled=javascript).new_page()
    page.goto(url + "/accounts/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/$"))
    return page


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def test_give_feedback_see_it_in_my_loop_and_triage_it(
    browser: Any, live_server: Any, demo_loop: None
) -> None:
    page = _signed_in(browser, live_server.url, "jonas", LAPTOP)
    console = ConsoleWatch(page)
    text = "The order confirmation does not say which farm packed my box."

    # Give feedback on the product page: htmx sends it and swaps the card in place.
    page.goto(live_server.url + "/products/orders/")
    card = page.locator("#give-feedback")
    card.get_by_label("Your feedback").fill(text)
    card.get_by_role("button", name="Send feedback").click()
    page.locator("#give-feedback .flash-success").wait_for()
    assert "reached the owners of Orders" in page.locator("#give-feedback").inner_text()
    assert page.url.endswith("/products/orders/")  # no page load
    assert page.locator("#give-feedback textarea").input_value() == ""

    # My loop (from the header) lists it among the feedback to triage on his products.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My loop").click()
    page.wait_for_url(re.compile(r"/my-loop/$"))
    waiting = page.locator("#untriaged")
    assert text[:60] in waiting.inner_text()
    assert (
        page.locator("#approvals")
        .get_by_role("link", name=re.compile("Repeat last week"))
        .is_visible()
    )
    assert "overdue" in page.locator("#milestones").inner_text()

    # Triage: the inbox opened from My loop; link the item to the slot pattern, in place.
    waiting.get_by_role("link", name=re.compile("which farm packed")).click()
    row = page.locator("li.triage-item", has_text=text)
    row.wait_for()
    pattern = row.get_by_label("Link to a pattern")
    pattern.select_option(
        label="Households cannot change their delivery slot once they have ordered"
    )
    row.get_by_role("button", name="Link", exact=True).focus()
    page.keyboard.press("Enter")  # keyboard only
    page.locator("li.triage-item.is-done", has_text=text).wait_for()
    assert "Linked to" in page.locator("li.triage-item.is-done", has_text=text).inner_text()
    # Focus follows the swap to the row's message instead of falling to the page.
    page.wait_for_function("document.activeElement.classList.contains('triage-done')")

    # Back in My loop it no longer waits.
    page.goto(live_server.url + "/my-loop/")
    assert text[:60] not in page.locator("#untriaged").inner_text()
    assert console.errors == []
    page.context.close()


def test_triage_and_suggestions_work_without_javascript(
    browser: Any, live_server: Any, demo_loop: None
) -> None:
    page = _signed_in(browser, live_server.url, "admin", LAPTOP, javascript=False)
    page.goto(live_server.url + "/triage/?state=unrouted")
    row = page.locator("li.triage-item").first
    text = row.locator(".triage-text").inner_text().strip()
    row.get_by_label("Route to").select_option(label="Delivery planner")
    row.get_by_role("button", name="Route", exact=True).click()
    page.wait_for_url(re.compile(r"/triage/\?state=unrouted$"))
    assert "Routed to Delivery planner." in page.locator("main").inner_text()
    assert text not in page.locator("#triage-body").inner_text()  # routed: out of this view

    page.goto(live_server.url + "/suggestions/")
    first = page.locator("li.suggestion").first
    first.get_by_label("Why dismiss it (optional)").fill("We know; it is on the roadmap.")
    first.get_by_role("button", name="Dismiss").click()
    page.wait_for_url(re.compile(r"/suggestions/$"))
    assert "it will not be proposed again" in page.locator("main").inner_text()
    page.goto(live_server.url + "/suggestions/?show=dismissed")
    assert "We know; it is on the roadmap." in page.locator("main").inner_text()
    page.context.close()


def test_public_feedback_form_for_visitors(browser: Any, live_server: Any, demo_loop: None) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    console = ConsoleWatch(page)
    page.goto(live_server.url + "/products/shop-web/")
    page.locator("#give-feedback").get_by_role("link", name="Give feedback").click()
    page.wait_for_url(re.compile(r"/feedback/public/shop-web/$"))
    page.get_by_label("Your feedback").fill("The basket forgets my postcode.")
    page.get_by_label("Your name (optional)").fill("Robin")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(re.compile(r"\?sent=1$"))
    assert "Thank you" in page.locator("main").inner_text()
    _no_sideways_scroll(page)
    assert console.errors == []
    page.context.close()


def test_loop_desk_screenshots(browser: Any, live_server: Any, demo_loop: None) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "loopdesk-triage": "/triage/",
        "loopdesk-my-loop": "/my-loop/",
        "loopdesk-organisation": "/feedback/",
        "loopdesk-suggestions": "/suggestions/",
        "loopdesk-feedback-form": "/products/orders/feedback/",
    }
    for suffix, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
        page = _signed_in(browser, live_server.url, "jonas", viewport)
        console = ConsoleWatch(page)
        for name, path in pages.items():
            page.goto(live_server.url + path)
            page.locator("h1").wait_for()
            _no_sideways_scroll(page)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{suffix}.png"))
        page.goto(live_server.url + "/products/orders/")
        page.locator("#give-feedback").scroll_into_view_if_needed()
        page.locator("#give-feedback").screenshot(
            path=str(SCREENSHOTS / f"loopdesk-product-card-{suffix}.png")
        )
        assert console.errors == []
        page.context.close()
    visitor = browser.new_context(viewport=LAPTOP).new_page()
    visitor.goto(live_server.url + "/feedback/public/orders/")
    visitor.screenshot(path=str(SCREENSHOTS / "loopdesk-public-form-laptop.png"))
    visitor.context.close()
