"""The admins' source form in Chromium: labelled, fits a phone, errors linked to their field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from productize.ingest.models import Source
from tests.accounts.conftest import World, build_world
from tests.browser.conftest import ConsoleWatch
from tests.browser.test_access_pages import SCREENSHOTS, SIZES, _every_control_is_named, _fits
from tests.browser.test_access_pages import _signed_in as signed_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(live_server: Any, settings: Any) -> World:
    settings.ANONYMOUS_READ = False
    return build_world()


def test_register_a_backstage_source(
    browser: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    for size, viewport in SIZES.items():
        repo = tmp_path / size
        repo.mkdir()
        page = signed_in(browser, live_server.url, world.admin, viewport)
        console = ConsoleWatch(page)
        page.goto(live_server.url + "/sources/")
        page.get_by_role("link", name="Register a source").click()
        page.wait_for_url(re.compile(r"/sources/new/$"))
        _every_control_is_named(page)
        page.locator("#id_name").fill(f"portal-{size}")
        page.get_by_label("Directory or git URL").fill(str(repo))
        page.get_by_label("Files to read").select_option("backstage")
        page.get_by_label("Backstage file names").fill("services/catalog-info.yaml")
        page.get_by_role("button", name="Register the source").click()
        alert = page.get_by_role("alert")
        assert "Not registered" in alert.inner_text()
        alert.get_by_role("link", name="Backstage file names").click()
        assert page.evaluate("document.activeElement.id") == "id_backstage_names"
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"source-new-errors-{size}.png"), full_page=True)
        page.get_by_label("Backstage file names").fill("catalog-info.yaml, all.yaml")
        page.get_by_role("button", name="Register the source").click()
        assert "shown only now" in page.get_by_role("heading", level=2).first.inner_text()
        _fits(page)
        source = Source.objects.get(name=f"portal-{size}")
        assert (source.format, source.backstage_names) == (
            "backstage",
            "catalog-info.yaml,all.yaml",
        )
        page.get_by_role("link", name=f"Go to portal-{size}").click()
        page.get_by_role("link", name="Change settings").click()
        page.wait_for_url(re.compile(r"/edit/$"))
        _fits(page)
        page.screenshot(path=str(SCREENSHOTS / f"source-edit-{size}.png"), full_page=True)
        assert not console.errors, console.errors
        page.context.close()
