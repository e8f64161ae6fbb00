"""Sign-in with an OpenID Connect provider, against a fake provider served on a local port."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.test import Client

from productize.accounts import oidc
from productize.accounts.models import UserProfile
from productize.audit.models import ChangeRecord
from tests.accounts import fake_oidc
from tests.accounts.conftest import PASSWORD, World
from tests.accounts.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider

pytestmark = pytest.mark.django_db
ENDPOINT_SETTINGS = (
    "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "OIDC_OP_TOKEN_ENDPOINT",
    "OIDC_OP_USER_ENDPOINT",
    "OIDC_OP_JWKS_ENDPOINT",
)


@pytest.fixture
def provider(settings: Any) -> Iterator[FakeProvider]:
    """A running fake provider, configured as the site's (by issuer: endpoints discovered)."""
    fake = fake_oidc.start()
    settings.OIDC_ISSUER = fake.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = "Fake ID"
    for name in ENDPOINT_SETTINGS:
        setattr(settings, name, "")
    yield fake
    fake_oidc.stop(fake)


def _sign_in(client: Client, provider: FakeProvider, query: str = "") -> Any:
    """The browser's round trip: our start URL, the provider, back to our callback."""
    start = client.get("/accounts/oidc/start/" + query)
    assert start.status_code == 302, start.status_code
    assert start["Location"].startswith(provider.issuer + "/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == "/accounts/oidc/callback/"
    return client.get(f"{back.path}?{back.query}")


def _signed_in_as(client: Client) -> str:
    response = client.get("/me/")
    if response.status_code != 200:
        return ""
    return str(response.wsgi_request.user.get_username())


def test_the_button_shows_only_when_a_provider_is_configured(world: World, settings: Any) -> None:
    settings.OIDC_RP_CLIENT_ID = ""
    page = Client().get("/accounts/sign-in/").content.decode()
    assert "Sign in with" not in page
    assert Client().get("/accounts/oidc/start/").status_code == 404
    assert Client().get("/accounts/oidc/callback/?code=x&state=y").status_code == 404
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_ISSUER = "https://id.example.com/realms/acme"
    settings.OIDC_PROVIDER_NAME = "Acme <ID>"
    page = Client().get("/accounts/sign-in/?next=/catalog/%3Fq%3Da").content.decode()
    assert "Sign in with Acme &lt;ID&gt;" in page
    assert 'href="/accounts/oidc/start/?next=/catalog/%3Fq%3Da"' in page


def test_full_sign_in_matches_the_account_with_the_verified_email(
    world: World, provider: FakeProvider
) -> None:
    users_before = get_user_model().objects.count()
    client = Client()
    response = _sign_in(client, provider, "?next=/catalog/")
    assert response.status_code == 302 and response["Location"] == "/catalog/"
    assert _signed_in_as(client) == "alice"  # email Alice@Example.com, case-insensitively
    assert "Alice Archer" in client.get("/me/").content.decode()
    assert get_user_model().objects.count() == users_before
    asked = provider.authorize_requests[0]
    assert asked["client_id"] == CLIENT_ID and asked["response_type"] == "code"
    assert asked["scope"] == "openid email profile"
    assert asked["redirect_uri"] == "http://testserver/accounts/oidc/callback/"
    assert asked["nonce"] and asked["state"] and asked["code_challenge_method"] == "S256"
    sent = provider.token_requests[0]
    assert sent["grant_type"] == "authorization_code" and sent["code_verifier"]
    # A deactivated account's session stops working at once.
    get_user_model().objects.filter(username="alice").update(is_active=False)
    assert _signed_in_as(client) == ""


def test_a_new_person_gets_a_member_account_linked_to_their_catalog_person(
    world: World, provider: FakeProvider
) -> None:
    bob = world.catalog["bob"]
    bob.email = "bob@example.com"
    bob.save(update_fields=["email"])
    get_user_model().objects.create_user("bob", email="")  # the person's id is taken
    provider.claims.update(sub="user-2", email="BOB@example.com", name="Bob Baker")
    client = Client()
    assert _sign_in(client, provider)["Location"] == "/me/"
    user = get_user_model().objects.get(email="BOB@example.com")
    assert user.username == "bob-2" and not user.is_staff and not user.has_usable_password()
    assert UserProfile.objects.get(user=user).person_slug == "bob"
    page = client.get("/me/").content.decode()
    assert "Bob Baker" in page and "/products/ledger/" in page
    record = ChangeRecord.objects.get(object_type="user", object_id="bob-2")
    assert record.actor_label == "sign-in with Fake ID" and record.after["person"] == "bob"
    # The next sign-in finds the same account.
    again = Client()
    _sign_in(again, provider)
    assert _signed_in_as(again) == "bob-2"
    assert get_user_model().objects.filter(email__iexact="bob@example.com").count() == 1


def test_an_account_linked_to_the_person_is_found_through_the_person(
    world: World, provider: FakeProvider
) -> None:
    carol = world.catalog["carol"]
    carol.email = "carol@example.com"
    carol.save(update_fields=["email"])
    provider.claims.update(sub="user-3", email="carol@example.com")
    client = Client()
    _sign_in(client, provider)
    assert _signed_in_as(client) == "carol"  # no email on the account, linked to person carol


def test_unknown_people_are_refused_when_accounts_are_not_created(
    world: World, provider: FakeProvider, settings: Any
) -> None:
    settings.OIDC_CREATE_USER = False
    provider.claims.update(sub="user-9", email="zed@example.com")
    client = Client()
    response = _sign_in(client, provider)
    assert response["Location"] == "/accounts/sign-in/?oidc=failed"
    assert _signed_in_as(client) == ""
    assert not get_user_model().objects.filter(email="zed@example.com").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Signing in with Fake ID did not work" in page


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ("signature", "Signature verification failed"),
        ("nonce", "Nonce verification failed"),
        ("audience", "Audience doesn't match"),
        ("issuer", "Invalid issuer"),
        ("expired", "Signature has expired"),
        ("alg-none", "Could not find a valid JWKS"),  # no key for alg `none`
        ("userinfo-sub", "another subject"),
    ],
)
def test_a_forged_or_misdirected_token_is_refused(
    world: World,
    provider: FakeProvider,
    caplog: pytest.LogCaptureFixture,
    tamper: str,
    reason: str,
) -> None:
    provider.tamper = tamper
    users_before = get_user_model().objects.count()
    client = Client()
    response = _sign_in(client, provider)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?oidc=failed"
    assert _signed_in_as(client) == ""
    assert get_user_model().objects.count() == users_before
    refusals = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any(reason in message for message in refusals), refusals


def test_an_unverified_email_is_refused(world: World, provider: FakeProvider) -> None:
    provider.claims["email_verified"] = False
    client = Client()
    assert _sign_in(client, provider)["Location"] == "/accounts/sign-in/?oidc=failed"
    assert _signed_in_as(client) == ""


def test_a_replayed_or_foreign_callback_is_refused(world: World, provider: FakeProvider) -> None:
    client = Client()
    start = client.get("/accounts/oidc/start/")
    back = urlsplit(
        requests.get(start["Location"], allow_redirects=False, timeout=10).headers["Location"]
    )
    # Another browser (no state in its session) cannot use the code.
    stranger = Client()
    refused = stranger.get(f"{back.path}?{back.query}")
    assert refused["Location"] == "/accounts/sign-in/?oidc=failed"
    assert _signed_in_as(stranger) == ""
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert _signed_in_as(client) == "alice"
    # The same state cannot be used twice.
    client.logout()
    replay = client.get(f"{back.path}?{back.query}")
    assert replay["Location"] == "/accounts/sign-in/?oidc=failed"
    assert _signed_in_as(client) == ""


def test_no_open_redirect_after_sign_in(world: World, provider: FakeProvider) -> None:
    client = Client()
    response = _sign_in(client, provider, "?next=https://evil.example/steal")
    assert response["Location"] == "/me/"


def test_an_unreachable_provider_is_explained_and_passwords_still_work(
    world: World, settings: Any
) -> None:
    with socket.socket() as probe:  # a local port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.OIDC_ISSUER = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_PROVIDER_NAME = "Fake ID"
    client = Client()
    response = client.get("/accounts/oidc/start/")
    assert response["Location"] == "/accounts/sign-in/?oidc=unavailable"
    assert "Fake ID cannot be reached" in client.get(response["Location"]).content.decode()
    signed_in = client.post("/accounts/sign-in/", {"username": "mia", "password": PASSWORD})
    assert signed_in.status_code == 302 and _signed_in_as(client) == "mia"


def test_endpoints_can_be_given_instead_of_discovered(
    world: World, provider: FakeProvider, settings: Any
) -> None:
    settings.OIDC_ISSUER = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{provider.issuer}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{provider.issuer}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{provider.issuer}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{provider.issuer}/jwks"
    assert oidc.enabled()
    client = Client()
    _sign_in(client, provider)
    assert _signed_in_as(client) == "alice"
    query = parse_qs(urlsplit(client.get("/accounts/oidc/start/")["Location"]).query)
    assert query["client_id"] == [CLIENT_ID]


def test_discovery_must_name_its_own_issuer(provider: FakeProvider) -> None:
    assert oidc.discovery(provider.issuer)["token_endpoint"] == f"{provider.issuer}/token"
    with pytest.raises(oidc.ProviderUnavailable, match="names another issuer"):
        oidc.discovery(provider.issuer + "/realms/other")
