"""The API token pages: list, create (shown once), revoke; admins see and revoke everyone's."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from productize.accounts.models import ApiToken
from productize.accounts.services import token_create
from productize.accounts.tokens import token_for_secret
from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from tests.accounts.conftest import World

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_create_shows_the_secret_once_and_it_works(world: World) -> None:
    client = _client(world.member)
    page = client.get("/accounts/tokens/").content.decode()
    assert "No tokens yet." in page and 'value="admin"' not in page  # members: no admin scope
    response = client.post("/accounts/tokens/", {"name": "ci", "scope": "write", "expires": "7"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    secret = re.search(r'id="new-token"[^>]*value="(pz_[^"]+)"', page)
    assert secret is not None and "shown only this once" in page
    token = token_for_secret(secret.group(1))
    assert token is not None and token.scope == "write" and token.user == world.member
    assert token.expires_at is not None
    assert abs(token.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert ChangeRecord.objects.filter(object_type="api_token", object_id="mia/ci").exists()
    # Afterwards, the list shows it without its secret.
    listing = client.get("/accounts/tokens/").content.decode()
    assert "ci" in listing and secret.group(1) not in listing and token.prefix in listing


def test_bad_input_is_explained_and_nothing_is_created(world: World) -> None:
    client = _client(world.member)
    token_create(actor=Actor.system("t"), user=world.member, name="ci")
    page = client.post("/accounts/tokens/", {"name": "ci", "scope": "read", "expires": "30"})
    text = page.content.decode()
    assert "already has a token named" in text and 'aria-invalid="true"' in text
    page = client.post("/accounts/tokens/", {"name": "x", "scope": "admin", "expires": "30"})
    assert "Select a valid choice" in page.content.decode()
    assert ApiToken.objects.filter(user=world.member).count() == 1


def test_list_shows_scope_dates_and_state(world: World) -> None:
    system = Actor.system("t")
    token_create(actor=system, user=world.member, name="old", expires_days=1)
    ApiToken.objects.filter(name="old").update(
        expires_at=timezone.now() - timedelta(days=1),
        last_used_at=timezone.now() - timedelta(days=2),
    )
    token_create(actor=system, user=world.member, name="live", scope="write", expires_days=None)
    page = _client(world.member).get("/accounts/tokens/").content.decode()
    rows = re.findall(r"<tr role=\"row\">(.*?)</tr>", page, flags=re.S)[1:]
    assert "live" in rows[0] and "never" in rows[0] and "active" in rows[0]  # active first
    assert "old" in rows[1] and "expired" in rows[1] and "Revoke the token old" in rows[1]


def test_revoke_own_token_but_not_someone_elses(world: World) -> None:
    mine = token_create(actor=Actor.system("t"), user=world.member, name="mine")
    theirs = token_create(actor=Actor.system("t"), user=world.owner, name="theirs")
    client = _client(world.member)
    response = client.post(f"/accounts/tokens/{mine.token.pk}/revoke/", {"next": "//evil.example"})
    assert response.status_code == 302 and response["Location"] == "/accounts/tokens/"
    assert token_for_secret(mine.secret) is None
    assert "is revoked" in client.get("/accounts/tokens/").content.decode()
    assert client.post(f"/accounts/tokens/{theirs.token.pk}/revoke/").status_code == 403
    assert token_for_secret(theirs.secret) is not None
    assert client.get("/accounts/tokens/all/").status_code == 403
    assert client.post("/accounts/tokens/999999/revoke/").status_code == 404


def test_admin_sees_and_revokes_everyones_tokens(world: World) -> None:
    theirs = token_create(actor=Actor.system("t"), user=world.owner, name="theirs")
    token_create(actor=Actor.system("t"), user=world.member, name="other")
    admin = _client(world.admin)
    page = admin.get("/accounts/tokens/all/").content.decode()
    assert "theirs" in page and "other" in page and "1\u20132 of 2 tokens" in page
    page = admin.get("/accounts/tokens/all/?user=alice").content.decode()
    assert "theirs" in page and "other" not in page
    response = admin.post(
        f"/accounts/tokens/{theirs.token.pk}/revoke/", {"next": "/accounts/tokens/all/?user=alice"}
    )
    assert response["Location"] == "/accounts/tokens/all/?user=alice"
    assert token_for_secret(theirs.secret) is None
    record = ChangeRecord.objects.filter(object_id="alice/theirs").latest("id")
    assert record.actor_label == "root" and record.reason == "revoked in the web UI"
    page = admin.get("/accounts/tokens/all/?state=revoked").content.decode()
    assert "theirs" in page and "other" not in page
    assert 'value="admin"' in admin.get("/accounts/tokens/").content.decode()


def test_anonymous_is_sent_to_sign_in(world: World) -> None:
    response = Client().get("/accounts/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")
