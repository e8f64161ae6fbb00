"""Sign-in with a provider, the token page and the idea form in Chromium: keyboard, screen
readers' names, phone width; and their screenshots (laptop and phone) in docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.accounts.conftest import World, build_world
from tests.browser.conftest import LAPTOP, PHONE, ConsoleWatch
from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.browser]
SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"
SIZES = {"laptop": LAPTOP, "phone": PHONE}


@pytest.fixture
def world(live_server: Any, settings: Any) -> World:
    """The personas and the small catalog, in the live server's database."""
    settings.ANONYMOUS_READ = False
    return build_world()


def _signed_in(browser: Any, base: str, user: Any, viewport: dict[str, int]) -> Any:
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )
    return context.new_page()


def _tab_to(page: Any, selector: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} is not reachable with Tab")


def _fits(page: Any) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
              .filter(el => !el.closest('.table-wrap')
                            && el.getBoundingClientRect().right > window.innerWidth + 1)
              .slice(0, 5).map(el => el.tagName + '.' + el.className)"""
    )
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px: {wide}"


def _every_control_is_named(page: Any) -> None:
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll(
                   'main input:not([type=hidden]), main select, main textarea, main button')]
              .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                            && !(el.tagName === 'BUTTON' && el.innerText.trim()))
              .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert not unnamed, unnamed


def test_sign_in_page_with_a_provider_button(
    browser: Any, live_server: Any, world: World, settings: Any
) -> None:
    settings.OIDC_RP_CLIENT_ID = "productize"
    settings.OIDC_ISSUER = "https://id.example.com/realms/acme"
    settings.OIDC_PROVIDER_NAME = "Acme ID"
    for size, viewport in SIZES.items():
        page = browser.new_context(viewport=viewport).new_page()
        console = ConsoleWatch(page)
        page.goto(live_server.url + "/accounts/sign-in/?next=/catalog/")
        button = page.get_by_role("link", name="Sign in with Acme ID")
        assert button.get_attribute("href") == "/accounts/oidc/start/?next=/catalog/"
        if size == "laptop":
            _tab_to(page, "a.auth-provider-button")  # the provider comes first
            _tab_to(page, "#id_username")
        _every_control_is_named(page)
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"sign-in-oidc-{size}.png"), full_page=True)
        assert not console.errors, console.errors
        page.context.close()


def test_token_page_create_copy_and_revoke_by_keyboard(
    browser: Any, live_server: Any, world: World
) -> None:
    for size, viewport in SIZES.items():
        page = _signed_in(browser, live_server.url, world.member, viewport)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        console = ConsoleWatch(page)
        page.goto(live_server.url + "/accounts/tokens/")
        _every_control_is_named(page)
        name = f"ci-{size}"
        if size == "laptop":
            # Keyboard only: tab to the name, type, choose the scope, submit with Enter.
            _tab_to(page, "#id_name")
            page.keyboard.type(name)
            _tab_to(page, "#id_scope")
            page.keyboard.press("ArrowDown")  # write
            _tab_to(page, ".stacked-form button[type=submit]")
            page.keyboard.press("Enter")
        else:
            page.get_by_label("Name").fill(name)
            page.get_by_role("button", name="Create token").click()
        page.wait_for_selector("#new-token")
        secret = page.locator("#new-token").input_value()
        assert secret.startswith("pz_")
        status = page.get_by_role("status").first
        assert "shown only this once" in status.inner_text()
        copy = page.get_by_role("button", name="Copy")
        assert copy.is_visible()  # app script: progressive enhancement
        copy.click()
        page.wait_for_selector("[data-copy-status]:not(:empty)", state="attached")
        assert page.evaluate("navigator.clipboard.readText()") == secret
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"tokens-{size}.png"), full_page=True)
        revoke = page.get_by_role("button", name=f"Revoke the token {name}")
        revoke.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "is revoked" in page.get_by_role("status").first.inner_text()
        assert not console.errors, console.errors
        page.context.close()


def test_idea_form_create_and_edit(browser: Any, live_server: Any, world: World) -> None:
    for size, viewport in SIZES.items():
        page = _signed_in(browser, live_server.url, world.owner, viewport)
        console = ConsoleWatch(page)
        page.goto(live_server.url + "/ideas/new/")
        _every_control_is_named(page)
        assert page.get_by_label("Owners").input_value() == "alice"  # me, by default
        page.get_by_label("Name").fill(f"Seed Swap {size}")
        page.get_by_label("Mission").fill("Let growers swap seeds with their neighbours.")
        page.get_by_label("It does", exact=True).fill("List seeds on offer\nMatch swaps")
        page.get_by_label("Tags").fill("Not A Tag!")
        page.get_by_role("button", name="Create the idea").click()
        # The descriptor rules refuse the tag; the summary links to the field.
        alert = page.get_by_role("alert")
        assert "Not created" in alert.inner_text()
        alert.get_by_role("link", name="Tags").click()
        assert page.evaluate("document.activeElement.id") == "id_tags"
        assert page.get_by_label("Tags").get_attribute("aria-invalid") == "true"
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"idea-new-errors-{size}.png"), full_page=True)
        page.get_by_label("Tags").fill("seeds, community")
        page.get_by_label("Loop").select_option("market")
        page.get_by_role("button", name="Create the idea").click()
        page.wait_for_url(re.compile(rf"/products/seed-swap-{size}/(#.*)?$"))
        page.get_by_role("link", name="Edit this idea").click()
        page.wait_for_url(re.compile(r"/edit/$"))
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"idea-edit-{size}.png"), full_page=True)
        page.get_by_label("Stage").select_option("prototype")
        page.get_by_label("Note for the history").fill("first prototype")
        page.get_by_role("button", name="Save changes").click()
        page.wait_for_url(re.compile(rf"/products/seed-swap-{size}/(#.*)?$"))
        assert "Created in productize" in page.locator("#source").inner_text()
        assert not console.errors, console.errors
        page.context.close()


@pytest.mark.parametrize("width", [1024, 1280, 1440])
def test_signed_in_header_keeps_one_row_and_its_account_menu_works_by_keyboard(
    browser: Any, live_server: Any, world: World, width: int
) -> None:
    page = _signed_in(browser, live_server.url, world.owner, {"width": width, "height": 700})
    watch = ConsoleWatch(page)
    page.goto(f"{live_server.url}/loops/")
    row = page.evaluate(
        """() => [...document.querySelectorAll('.brand, .main-nav, .header-account')]
              .map(el => Math.round(el.getBoundingClientRect().top))"""
    )
    assert max(row) - min(row) < 20, f"the header wraps at {width}px: tops {row}"
    menu = page.locator(".account-menu-items")
    assert not menu.is_visible()
    _tab_to(page, ".account-menu > summary")
    summary = page.locator(".account-menu > summary")
    assert summary.get_attribute("aria-label") == f"Account: {world.owner.get_username()}"
    page.keyboard.press("Enter")
    assert menu.is_visible()
    assert world.owner.get_username() in menu.inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.matches('.account-menu > summary')")
    summary.click()
    assert menu.is_visible()
    page.locator("main h1").click()  # a click elsewhere closes it
    assert not menu.is_visible()
    summary.click()
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/accounts/tokens/")
    assert watch.errors == []
    page.context.close()
