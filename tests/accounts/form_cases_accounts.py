"""Form cases of the accounts pages: sign-in, sign-out, password change and reset."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts.form_matrix import ANONYMOUS, EVERYONE, SIGNED_IN, Ctx, FormCase

PASSWORD = "correct horse battery staple"  # tests.accounts.conftest.PASSWORD
NEW_PASSWORD = "a much better passphrase 7"


def _password_hashes(ctx: Ctx) -> list[tuple[str, str]]:
    return sorted(get_user_model().objects.values_list("username", "password"))


def _signed_in_as(ctx: Ctx, response: Any) -> None:
    assert response.status_code == 302
    if ctx.role == ANONYMOUS:
        assert response.wsgi_request.user.get_username() == "mia"


def _signed_out(ctx: Ctx, response: Any) -> None:
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


def _mails(ctx: Ctx) -> int:
    return len(mail.outbox)


def _reset_link(ctx: Ctx) -> None:
    # Open the emailed link first: Django moves the token into the session and redirects to a
    # URL without it, where the form posts.
    mia = get_user_model().objects.get(username="mia")
    uid = urlsafe_base64_encode(force_bytes(mia.pk))
    token = default_token_generator.make_token(mia)
    response = ctx.client.get(f"/accounts/password/reset/{uid}/{token}/")
    assert response.status_code == 302, response.status_code
    ctx.objs["set_password_url"] = response["Location"]


CASES = [
    FormCase(
        id="sign-in",
        url_name="accounts:login",
        url="/accounts/sign-in/",
        data={"username": "mia", "password": PASSWORD},
        allowed=EVERYONE,  # signed-in people are sent on, nobody else is signed in
        state=_password_hashes,
        changes=False,
        audited=False,
        check=_signed_in_as,
    ),
    FormCase(
        id="sign-out",
        url_name="accounts:logout",
        url="/accounts/sign-out/",
        data={},
        allowed=EVERYONE,
        state=_password_hashes,
        changes=False,
        audited=False,
        check=_signed_out,
    ),
    FormCase(
        id="password-change",
        url_name="accounts:password_change",
        url="/accounts/password/",
        data={
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        allowed=SIGNED_IN,
        state=_password_hashes,
    ),
    FormCase(
        id="password-reset-request",
        url_name="accounts:password_reset",
        url="/accounts/password/reset/",
        data={"email": "mia@example.com"},
        allowed=EVERYONE,  # the link goes to the address's owner, whoever asks
        state=_mails,
        audited=False,
    ),
    FormCase(
        id="password-reset-set",
        url_name="accounts:password_reset_confirm",
        url=lambda ctx: str(ctx.objs["set_password_url"]),
        setup=_reset_link,
        data={"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        allowed=EVERYONE,  # holding the emailed link is the permission
        state=_password_hashes,
    ),
]
