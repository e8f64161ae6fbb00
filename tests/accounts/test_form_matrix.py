"""Every HTML form by every role: allowed does the thing; denied gets 403 and changes nothing.

The forms are declared in tests/**/form_cases_*.py (format: tests/accounts/form_matrix.py);
a URL pattern that accepts POST without a declared case fails the first test here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import resolve
from django.views.decorators.http import require_GET, require_POST

from productize.audit.models import ChangeRecord
from tests.accounts.conftest import World
from tests.accounts.form_matrix import (
    ANONYMOUS,
    ROLES,
    Ctx,
    FormCase,
    accepts_post,
    all_cases,
    post_routes,
    site_routes,
)

CASES = all_cases()


def test_every_form_url_has_a_case() -> None:
    covered = {case.url_name for case in CASES}
    unnamed = [route.route for route in post_routes() if not route.name]
    assert not unnamed, f"give these POST-accepting URL patterns a name: {unnamed}"
    missing = sorted(f"{r.route} ({r.name})" for r in post_routes() if r.name not in covered)
    assert not missing, (
        "these URL patterns accept POST but no form case names them: add a FormCase in a "
        f"tests/**/form_cases_*.py file (see tests/accounts/form_matrix.py), or decorate a "
        f"read-only view with @require_GET: {missing}"
    )
    known = {route.name for route in site_routes()}
    stale = sorted(covered - known)
    assert not stale, f"form cases name URL patterns that do not exist: {stale}"


def test_post_detection_reads_the_views_method_restrictions() -> None:
    def view(request: Any) -> Any:
        return None

    assert accepts_post(view)  # no restriction: it answers POST too
    assert not accepts_post(require_GET(view))
    assert accepts_post(require_POST(view))
    names = {route.name for route in post_routes()}
    assert {"accounts:login", "accounts:logout", "accounts:password_change"} <= names
    assert "web:product" not in names and "me" not in names


def _client(world: World, role: str) -> tuple[Client, Any]:
    client = Client(enforce_csrf_checks=True)
    user = None if role == ANONYMOUS else getattr(world, role)
    if user is not None:
        client.force_login(user)
    return client, user


def _post(client: Client, case: FormCase, url: str, data: dict[str, Any]) -> Any:
    # A real browser has the CSRF cookie from the page that showed the form; do the same,
    # so that a 403 here means "not allowed", never "CSRF failure".
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    headers = {"X-CSRFToken": secret}
    if case.htmx:
        headers["HX-Request"] = "true"
    return client.post(url, {**data, "csrfmiddlewaretoken": secret}, headers=headers)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_form_by_role(world: World, settings: Any, case: FormCase, role: str) -> None:
    for name, value in case.settings.items():
        setattr(settings, name, value)
    client, user = _client(world, role)
    ctx = Ctx(world=world, role=role, user=user, client=client)
    if case.setup is not None:
        case.setup(ctx)
    url = case.url_for(ctx)
    assert resolve(urlsplit(url).path).view_name == case.url_name, url
    data = case.data_for(ctx)
    state, records = case.state(ctx), ChangeRecord.objects.count()

    response = _post(client, case, url, data)

    if role in case.allowed:
        assert response.status_code < 400, (response.status_code, response.content[:500])
        if case.changes:
            assert case.state(ctx) != state, f"{role} may post {case.id}, but nothing changed"
        if case.audited:
            assert ChangeRecord.objects.count() > records, f"{case.id} wrote no audit record"
        if case.check is not None:
            case.check(ctx, response)
        return
    if role == ANONYMOUS and response.status_code == 302:
        assert urlsplit(response["Location"]).path == "/accounts/sign-in/", response["Location"]
    else:
        assert response.status_code == 403, (role, response.status_code, response.content[:300])
    assert case.state(ctx) == state, f"{role} may not post {case.id}, but it changed things"
    assert ChangeRecord.objects.count() == records
