"""Every API endpoint by every role: allowed does the thing, denied gets 401/403, changes nothing.

Endpoints are read from the API's OpenAPI schema, so a new endpoint is covered as soon as it
is mounted (a new path parameter needs a value in PATH_VALUES: the test says so).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from productize.api.app import api
from productize.audit.models import ChangeRecord
from productize.ingest.models import Source
from tests.accounts.conftest import World, bearer_client, new_token, session_client
from tests.loop.factories import matrix_rows

# Endpoints that authenticate with their own secret instead of a user or token.
OWN_AUTH = {
    ("POST", "/api/v1/sources/{source_id}/refresh"),
    ("POST", "/api/v1/channels/{channel_id}/inbound"),
}
ALLOWED_TO_READ = ("admin", "owner", "other_owner", "member", "read_token", "write_token")
DENIED = ("anonymous", "expired_token")


def _operations() -> list[tuple[str, str, bool]]:
    schema = api.get_openapi_schema()
    found = []
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            secured = any(requirement for requirement in operation.get("security", []))
            found.append((method.upper(), path, secured))
    return sorted(found)


OPERATIONS = _operations()


def _path_values(world: World) -> dict[str, str]:
    catalog = world.catalog
    return {
        "product_id": "orders",
        "name": "orders-api",
        "loop_id": "market",
        "team_id": "payments",
        "person_id": "alice",
        "source_id": str(catalog["source"].pk),
        "run_id": str(catalog["run"].pk),
        "channel_id": "1",  # unknown ids answer like forbidden ones
        "suggestion_id": "1",
        **matrix_rows(world),  # the loop's channel, feedback, pattern, improvement, ...
    }


def _url(path: str, world: World) -> str:
    values = _path_values(world)

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"give the path parameter `{name}` a value in _path_values"
        return values[name]

    return re.sub(r"\{(\w+)\}", fill, path)


def _clients(world: World) -> dict[str, Client]:
    return {
        "admin": session_client(world.admin),
        "owner": session_client(world.owner),
        "other_owner": session_client(world.other_owner),
        "member": session_client(world.member),
        "anonymous": Client(),
        "expired_token": bearer_client(new_token(world.owner, expired=True)),
        "read_token": bearer_client(new_token(world.member, scope="read")),
        "write_token": bearer_client(new_token(world.owner, scope="write")),
    }


def _call(client: Client, method: str, url: str) -> Any:
    send: Callable[..., Any] = getattr(client, method.lower())
    if method in {"GET", "HEAD", "DELETE"}:
        return send(url)
    return send(url, data={}, content_type="application/json")


def _assert_error_shape(response: Any, statuses: tuple[int, ...]) -> None:
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    expected = {401: "unauthenticated", 403: "forbidden"}[response.status_code]
    assert body["error"]["code"] == expected and body["error"]["message"]


def test_the_schema_lists_the_endpoints_and_only_known_ones_skip_sign_in() -> None:
    assert len(OPERATIONS) >= 20
    unsecured = {(method, path) for method, path, secured in OPERATIONS if not secured}
    assert unsecured == OWN_AUTH, "an endpoint without sign-in must be listed in OWN_AUTH"


@pytest.mark.parametrize(("method", "path", "secured"), OPERATIONS)
def test_endpoint_by_role(world: World, method: str, path: str, secured: bool) -> None:
    url = _url(path, world)
    clients = _clients(world)
    for role, client in clients.items():
        records = ChangeRecord.objects.count()
        response = _call(client, method, url)
        if method == "GET" and role in ALLOWED_TO_READ:
            assert 200 <= response.status_code < 300, (role, url, response.content[:300])
        elif method == "GET" or role in DENIED or not secured:
            # Reads need a user or token; the webhook needs its own secret, which nobody sent.
            _assert_error_shape(response, (401,))
        elif role == "read_token":
            _assert_error_shape(response, (403,))
        else:
            assert response.status_code < 500, (role, url, response.content[:300])
        if response.status_code >= 400:
            assert ChangeRecord.objects.count() == records, (role, method, url)


def test_the_webhook_works_with_its_secret_and_with_nothing_else(
    world: World, settings: Any
) -> None:
    settings.WEBHOOK_SECRET = "shared-webhook-secret"
    source = world.catalog["source"]
    url = f"/api/v1/sources/{source.pk}/refresh"
    admin = session_client(world.admin)
    _assert_error_shape(admin.post(url), (401,))
    assert Source.objects.get(pk=source.pk).refresh_requested_at is None
    response = Client().post(url, HTTP_X_PRODUCTIZE_SECRET="shared-webhook-secret")
    assert response.status_code == 202, response.content
    assert Source.objects.get(pk=source.pk).refresh_requested_at is not None


def test_anonymous_read_lets_anonymous_callers_read_but_never_write(
    world: World, settings: Any
) -> None:
    settings.ANONYMOUS_READ = True
    client = Client()
    assert client.get("/api/v1/products").status_code == 200
    _assert_error_shape(client.get("/api/v1/audit"), (403,))  # the log is for members
    expired = bearer_client(new_token(world.owner, expired=True))
    _assert_error_shape(expired.get("/api/v1/products"), (401,))
    records = ChangeRecord.objects.count()
    _assert_error_shape(
        client.post(f"/api/v1/sources/{world.catalog['source'].pk}/refresh"), (401,)
    )
    assert ChangeRecord.objects.count() == records
