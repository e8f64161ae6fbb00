"""Sign-in and out, the attempt limit, safe redirects, passwords, and sign-in-required pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from productize import settings as project_settings
from tests.accounts.conftest import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db
SIGN_IN = "/accounts/sign-in/"


def _sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


def test_passwords_are_hashed_with_argon2_in_production_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    assert make_user("argon").password.startswith("argon2$")


def test_pages_need_sign_in_unless_anonymous_read(world: World, settings: Any) -> None:
    client = Client()
    response = client.get("/catalog/?q=x")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/sign-in/?next=/catalog/%3Fq%3Dx"
    for public in (SIGN_IN, "/healthz", "/accounts/password/reset/"):
        assert client.get(public).status_code == 200, public
    settings.ANONYMOUS_READ = True
    assert client.get("/catalog/").status_code == 200
    assert client.get("/audit/").status_code == 403  # the audit log is for members


def test_sign_in_page_is_in_the_site_style_with_csrf(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get(SIGN_IN).content.decode()
    assert "web/app.css" in page and 'name="csrfmiddlewaretoken"' in page
    # Without the CSRF token, signing in is refused.
    assert _sign_in(client, "alice", PASSWORD).status_code == 403


def test_sign_in_then_out(world: World) -> None:
    client = Client()
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/me/"
    me = client.get("/me/").content.decode()
    assert "alice" in me and "Sign out" in me
    assert client.get("/accounts/sign-out/").status_code == 405  # GET never signs out
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert client.get("/me/").status_code == 302


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/products/orders/", "/products/orders/"),
        ("https://evil.example/", "/me/"),
        ("//evil.example/x", "/me/"),
        ("javascript:alert(1)", "/me/"),
        ("http://testserver.evil.example/", "/me/"),
    ],
)
def test_no_open_redirect_after_sign_in(world: World, next_url: str, expected: str) -> None:
    response = _sign_in(Client(), "alice", PASSWORD, next=next_url)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_sign_in_attempts_are_limited_per_username_and_address(world: World, settings: Any) -> None:
    settings.SIGNIN_MAX_ATTEMPTS = 5
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        page = _sign_in(client, "alice", "wrong").content.decode()
        assert "Please enter a correct username and password" in page
    page = _sign_in(client, "alice", PASSWORD)
    assert page.status_code == 200  # the right password is not even checked now
    text = page.content.decode()
    assert "Too many failed sign-in attempts" in text and "15 minutes" in text
    # Another address, or another username, is not blocked.
    assert _sign_in(Client(REMOTE_ADDR="10.0.0.2"), "alice", PASSWORD).status_code == 302
    make_user("bob")
    assert _sign_in(client, "bob", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(world: World) -> None:
    client = Client(REMOTE_ADDR="10.0.0.3")
    for _ in range(4):
        _sign_in(client, "alice", "wrong")
    assert _sign_in(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/sign-out/")
    for _ in range(4):
        _sign_in(client, "alice", "wrong")
    assert _sign_in(client, "alice", PASSWORD).status_code == 302


def test_password_change(world: World) -> None:
    client = Client()
    client.force_login(world.member)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much better passphrase",
            "new_password2": "a much better passphrase",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/password/done/"
    world.member.refresh_from_db()
    assert world.member.check_password("a much better passphrase")


def test_password_reset_by_email(world: World) -> None:
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "mia@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mia@example.com"]
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "reset passphrase 42", "new_password2": "reset passphrase 42"},
    )
    assert response.status_code == 302
    assert get_user_model().objects.get(username="mia").check_password("reset passphrase 42")
    # An unknown address gets the same answer and no mail.
    assert client.post("/accounts/password/reset/", {"email": "x@example.com"}).status_code == 302
    assert len(mail.outbox) == 1


def test_me_lists_what_i_own_directly_and_through_teams(world: World) -> None:
    client = Client()
    client.force_login(world.owner)  # linked to alice by email, case-insensitively
    page = client.get("/me/").content.decode()
    assert "Alice Archer" in page
    assert "What I own directly (1)" in page and "/products/orders/" in page
    assert "Payments Team" in page and "/products/payments/" in page
    assert "/loops/market/" in page
    client.force_login(world.other_owner)  # linked to carol explicitly
    page = client.get("/me/").content.decode()
    assert "/products/refund-desk/" in page and "/products/orders/" not in page
    client.force_login(world.member)
    assert "Not linked to a person" in client.get("/me/").content.decode()


def test_the_admin_sign_in_has_the_same_attempt_limit(world: World, settings: Any) -> None:
    settings.SIGNIN_MAX_ATTEMPTS = 2
    client = Client(REMOTE_ADDR="10.0.0.9")
    for _ in range(2):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    page = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert page.status_code == 200 and "Too many failed sign-in attempts" in page.content.decode()
    other = Client(REMOTE_ADDR="10.0.0.10")
    assert (
        other.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302
    )
