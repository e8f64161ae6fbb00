"""Run a product's loop in Chromium: loop tab → pattern → improvement → roadmap moves.

By keyboard and by mouse, on a laptop and a phone, with JavaScript and without; the console
must stay free of errors. Keeps screenshots of each loop page in docs/screenshots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import LAPTOP, PHONE, ConsoleWatch
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser]

SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

VOICES = [
    ("Maria Santos", "I ordered the wrong box size and there is **no way to change it** now."),
    (
        "Tom Reed",
        "Can I swap the fruit box for the veg box this week? The app only lets me cancel.",
    ),
    ("Priya N.", "Changing my order means calling care. Please let me do it myself."),
    ("Jo Park", "I wanted to add eggs to an order I already placed — not possible?"),
    ("Luis Ortega", "Had to cancel and re-order to change the delivery day, lost my slot."),
    ("Anna Weber", "Why can't I edit an order after paying? Every other shop lets me."),
]
LATE = [
    ("Sam Carter", "The confirmation e-mail came two hours after I ordered."),
    ("Ines M.", "No order e-mail at all until the next morning."),
]


def expect(locator: Any) -> Any:
    """Playwright's waiting assertions (imported late: only browser runs need Playwright)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def _build_loop() -> dict[str, Any]:
    """Orders with a lived-in loop, written through the loop services as the system."""
    from productize.audit.services import Actor
    from productize.catalog.models import Product
    from productize.loop import services
    from productize.loop.models import Feedback, Improvement

    system = Actor.system("browser test")
    orders = Product.objects.get(slug="orders")
    support = services.create_channel(system, name="Care inbox", kind="support", product=orders)
    services.create_channel(system, name="App store reviews", kind="survey", product=orders)
    now = timezone.now()

    def give(author: str, text: str, days: float) -> Any:
        when = now - timedelta(days=days)
        return Feedback.objects.create(
            product=orders, channel=support, author_name=author,
            author_contact=author.split()[0].lower() + "@example.com", text=text,
            created_at=when, received_at=when,
        )  # fmt: skip

    edit = services.create_pattern(
        system,
        title="Customers cannot change an order after placing it",
        description="People want to change size, contents or day **without calling care**.",
        workaround="Care cancels the order and places a new one by hand.",
        products=["orders"],
        owner="jonas-lind",
    )
    late = services.create_pattern(
        system, title="Order confirmation e-mails arrive late", products=["orders"]
    )
    slots = services.create_pattern(
        system, title="Delivery slots fill up before people can choose", products=["orders"]
    )
    services.move_pattern(system, slots, "brainstorming")
    for n in range(36):
        author, text = VOICES[n % len(VOICES)]
        services.link_feedback(system, give(author, text, days=n * 3.5 + 1), edit)
    for n in range(14):
        author, text = LATE[n % len(LATE)]
        # Plenty before the fix shipped five weeks ago, one since.
        services.link_feedback(system, give(author, text, days=38 + n * 3), late)
    services.link_feedback(system, give("Sam Carter", "Mail was a bit slow today.", days=6), late)
    for n in range(5):
        services.link_feedback(
            system, give("Olu B.", "Every Sunday slot is gone by Friday.", days=n * 9 + 2), slots
        )
    give("Kim", "Love the new leek recipes!", days=0.2)

    editing = services.create_improvement(
        system, title="Let customers edit their order", patterns=[edit.pk], effort_weeks=3,
        confidence=0.8,
    )  # fmt: skip
    steps = [
        ("Change box size", "mvp"),
        ("Add and remove extras", "mvp"),
        ("Move the delivery day", "mvp"),
        ("Undo a change", "stretch"),
    ]
    for title, kind in steps:
        services.add_milestone(system, editing, title=title, kind=kind)
    for status in ("awaiting-approval", "ready", "in-implementation"):
        services.move_improvement(system, editing, status)
    services.complete_milestone(system, editing.milestones.order_by("position")[0])
    services.set_improvement_people(system, editing, [("jonas-lind", "owner")])

    mails = services.create_improvement(
        system, title="Send order e-mails at once", patterns=[late.pk]
    )
    for status in ("awaiting-approval", "ready", "in-implementation", "completed"):
        services.move_improvement(system, mails, status)
    Improvement.objects.filter(pk=mails.pk).update(completed_at=now - timedelta(days=35))

    more_slots = services.create_improvement(
        system, title="Hold a slot while people check out", patterns=[slots.pk]
    )
    templates = services.create_improvement(
        system, title="Saved box templates", products=["orders"]
    )
    services.place_on_roadmap(
        system, orders, editing, "now", rationale="The most asked-for change."
    )
    services.place_on_roadmap(system, orders, more_slots, "next", rationale="Sunday slots run out.")
    services.place_on_roadmap(system, orders, templates, "next", rationale="Saves regulars time.")
    return {"edit": edit, "late": late, "editing": editing, "templates": templates}


def _owner_context(browser: Any, live_server: Any, viewport: dict[str, int], *,
                   javascript: bool = True) -> Any:  # fmt: skip
    """A browser context signed in as Jonas Lind, who owns orders."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from productize.accounts.models import UserProfile

    user, created = get_user_model().objects.get_or_create(username="jonas")
    if created:
        UserProfile.objects.create(user=user, person_slug="jonas-lind")
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    host = re.sub(r"^https?://", "", live_server.url).split(":")[0]
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    return context


def _no_sideways_scroll(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def _tab_to(page: Any, selector: str, limit: int = 200) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def _card_titles(page: Any, column: str) -> list[str]:
    return page.locator(f".board-col-{column} .board-card-title").all_inner_texts()


def test_loop_tab_to_pattern_to_improvement_to_roadmap(
    browser: Any, live_server: Any, demo_catalog: None
) -> None:
    made = _build_loop()
    context = _owner_context(browser, live_server, LAPTOP)
    page = context.new_page()
    console = ConsoleWatch(page)

    # The product page's loop section loads by itself, then leads to the loop tab (mouse).
    page.goto(live_server.url + "/products/orders/")
    page.wait_for_selector("#loop-summary .loop-numbers")
    page.get_by_role("link", name="Open the loop tab").click()
    page.wait_for_url(re.compile(r"/products/orders/loop/$"))
    assert page.locator(".column-chart").is_visible()
    assert page.locator(".pattern-list a").first.inner_text() == made["edit"].title

    # Keyboard: Tab to the heaviest pattern and open it.
    _tab_to(page, ".pattern-list a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/patterns/{made['edit'].pk}/"))
    # The weight's explanation opens with the keyboard.
    _tab_to(page, "#weight-explain > summary")
    page.keyboard.press("Enter")
    assert page.locator("#weight-explain[open] code").inner_text().startswith("0.5 * 36")

    # Mouse: on to the improvement, and mark the next milestone done with the keyboard.
    page.get_by_role("link", name="Let customers edit their order").first.click()
    page.wait_for_url(re.compile(rf"/improvements/{made['editing'].pk}/"))
    assert "25%" in page.locator(".progress-label").inner_text()
    _tab_to(page, ".milestone-tools .button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "50%" in page.locator(".progress-label").inner_text()
    assert page.locator(".flash-success").inner_text() == "“Add and remove extras” is done."

    # The roadmap board: the keyboard moves a card up within Next (htmx keeps focus on it).
    page.goto(live_server.url + "/products/orders/roadmap/")
    assert _card_titles(page, "next") == [
        "Hold a slot while people check out",
        "Saved box templates",
    ]
    up = f"button[data-move='{made['templates'].roadmap_entries.get().pk}-up']"
    _tab_to(page, up)
    page.keyboard.press("Enter")
    expect(page.locator(".board-col-next .board-card-title").first).to_have_text(
        "Saved box templates"
    )
    assert _card_titles(page, "next") == [
        "Saved box templates",
        "Hold a slot while people check out",
    ]
    # Focus stays on the card that moved (now first: its "down" button), not lost to <body>.
    expect(page.locator(".board-col-next .board-card").first.locator("button:focus")).to_have_count(
        1
    )
    # The mouse moves it to Now.
    page.locator(".board-col-next button[aria-label='Move to Now']").first.click()
    expect(page.locator(".board-col-now .board-card")).to_have_count(2)
    assert _card_titles(page, "now")[-1] == "Saved box templates"
    assert console.errors == [], console.errors
    context.close()


def test_the_board_works_without_javascript(
    browser: Any, live_server: Any, demo_catalog: None
) -> None:
    _build_loop()
    context = _owner_context(browser, live_server, LAPTOP, javascript=False)
    page = context.new_page()
    page.goto(live_server.url + "/products/orders/roadmap/")
    card = page.locator(".board-col-next .board-card").first
    with page.expect_navigation():
        card.get_by_role("button", name="Move to Later").click()
    assert _card_titles(page, "later") == ["Hold a slot while people check out"]
    context.close()


@pytest.mark.parametrize(("size", "viewport"), [("laptop", LAPTOP), ("phone", PHONE)])
def test_screenshots_of_the_loop_pages(
    browser: Any, live_server: Any, demo_catalog: None, size: str, viewport: dict[str, int]
) -> None:
    made = _build_loop()
    context = _owner_context(browser, live_server, viewport)
    page = context.new_page()
    console = ConsoleWatch(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "product-loop": "/products/orders/loop/",
        "pattern": f"/patterns/{made['late'].pk}/?product=orders",
        "improvement": f"/improvements/{made['editing'].pk}/?product=orders",
        "roadmap": "/products/orders/roadmap/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        _no_sideways_scroll(page)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    assert console.errors == [], console.errors
    context.close()
