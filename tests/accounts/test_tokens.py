"""Personal API tokens: hashed at rest, shown once, scopes, expiry, revocation, last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory
from django.utils import timezone
from ninja.errors import HttpError

from productize.accounts.models import ApiToken
from productize.accounts.services import token_create, token_revoke
from productize.accounts.tokens import hash_secret, token_for_secret
from productize.api.auth import SessionCsrfAuth, TokenAuth, actor_for
from productize.audit.models import ActorKind, ChangeRecord
from productize.audit.services import Actor
from tests.accounts.conftest import World, bearer_client, new_token

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_only_as_a_hash_and_recorded_without_its_secret(world: World) -> None:
    made = token_create(actor=Actor.system("tests"), user=world.member, name="ci", scope="read")
    assert made.secret.startswith("pz_") and len(made.secret) > 40
    row = ApiToken.objects.get(pk=made.token.pk)
    assert row.secret_hash == hash_secret(made.secret) and made.secret not in str(row.__dict__)
    record = ChangeRecord.objects.get(object_type="api_token")
    assert record.object_id == "mia/ci" and made.secret not in str(record.after)
    assert row.secret_hash not in str(record.after)


def test_token_rules(world: World) -> None:
    system = Actor.system("tests")
    with pytest.raises(ValidationError, match="admin scope"):
        token_create(actor=system, user=world.member, name="x", scope="admin")
    token_create(actor=system, user=world.member, name="dup")
    with pytest.raises(ValidationError, match="already has"):
        token_create(actor=system, user=world.member, name="dup")
    # A member manages their own tokens, not someone else's.
    me = Actor.for_user(world.member)
    token_create(actor=me, user=world.member, name="mine")
    with pytest.raises(PermissionDenied):
        token_create(actor=me, user=world.owner, name="theirs")


def test_bearer_token_reads_and_updates_last_used_at_most_once_a_minute(world: World) -> None:
    secret = new_token(world.member)
    client = bearer_client(secret)
    assert client.get("/api/v1/products").status_code == 200
    token = ApiToken.objects.get(user=world.member)
    first = token.last_used_at
    assert first is not None
    assert client.get("/api/v1/products").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    assert client.get("/api/v1/products").status_code == 200
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None and used > first - timedelta(minutes=2)


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown", "inactive user"])
def test_unusable_tokens_get_401(world: World, state: str) -> None:
    secret = new_token(world.member, expired=state == "expired")
    token = ApiToken.objects.get(user=world.member)
    if state == "revoked":
        token_revoke(actor=Actor.system("tests"), token=token)
    elif state == "unknown":
        secret = "pz_" + "x" * 43
    elif state == "inactive user":
        world.member.is_active = False
        world.member.save()
    response = bearer_client(secret).get("/api/v1/products")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert token_for_secret(secret) is None


def test_a_read_token_may_not_write(world: World) -> None:
    read = ApiToken.objects.get(pk=token_create(
        actor=Actor.system("t"), user=world.owner, name="r", scope="read").token.pk)  # fmt: skip
    request = RequestFactory().post("/api/v1/anything")
    with pytest.raises(HttpError) as raised:
        TokenAuth().authenticate(request, token_create(
            actor=Actor.system("t"), user=world.owner, name="r2", scope="read").secret)  # fmt: skip
    assert raised.value.status_code == 403
    # The same rule in the services: a read token's actor may read, nothing else.
    world.owner._productize_token_scope = read.scope
    actor = Actor.for_token(read.name, world.owner)
    assert actor.can("catalog.read") and not actor.can("feedback.give")
    assert not actor.can("product.edit", world.catalog["orders"])


def test_write_token_acts_for_its_user_but_not_as_admin(world: World) -> None:
    write = token_create(actor=Actor.system("t"), user=world.admin, name="w", scope="write")
    request = RequestFactory().post("/api/v1/anything")
    found = TokenAuth().authenticate(request, write.secret)
    assert found is not None
    request.auth = found  # type: ignore[attr-defined]
    request.request_id = "req-1"  # type: ignore[attr-defined]
    actor = actor_for(request)
    assert actor.kind == ActorKind.TOKEN and actor.label == "w" and actor.request_id == "req-1"
    assert actor.can("product.edit", world.catalog["ledger"])
    assert not actor.can("source.manage") and not actor.can("accounts.manage")
    admin = token_create(actor=Actor.system("t"), user=world.admin, name="a", scope="admin")
    assert TokenAuth().authenticate(RequestFactory().post("/x"), admin.secret) is not None
    assert Actor.for_token("a", world.admin).can("source.manage")


def test_session_writes_need_the_csrf_token(world: World) -> None:
    auth = SessionCsrfAuth()
    post = RequestFactory().post("/api/v1/x")
    post.user = world.admin
    post.COOKIES["sessionid"] = "s"
    with pytest.raises(HttpError) as raised:
        auth(post)
    assert raised.value.status_code == 403
    get = RequestFactory().get("/api/v1/x")
    get.user = world.admin
    get.COOKIES["sessionid"] = "s"
    assert auth(get) == world.admin
    anonymous = RequestFactory().get("/api/v1/products")
    anonymous.user = AnonymousUser()
    assert auth(anonymous) is None and actor_for(anonymous).label == "anonymous"


def test_token_expiry_is_set_by_days(world: World) -> None:
    made = token_create(actor=Actor.system("t"), user=world.member, name="e", expires_days=7)
    assert made.token.expires_at is not None
    assert abs((made.token.expires_at - timezone.now()) - timedelta(days=7)) < timedelta(minutes=1)
    never = token_create(actor=Actor.system("t"), user=world.member, name="n", expires_days=None)
    assert never.token.expires_at is None
