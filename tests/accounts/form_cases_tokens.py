"""Form cases of the API token pages: create one's own token, revoke a token."""

from __future__ import annotations

from typing import Any

from productize.accounts.models import ApiToken
from productize.accounts.services import token_create
from productize.audit.services import Actor
from tests.accounts.form_matrix import OWNERS, SIGNED_IN, Ctx, FormCase


def _tokens(ctx: Ctx) -> list[tuple[Any, ...]]:
    return sorted(ApiToken.objects.values_list("user__username", "name", "scope", "revoked"))


def _alices_token(ctx: Ctx) -> None:
    made = token_create(actor=Actor.system("tests"), user=ctx.world.owner, name="alice-ci")
    ctx.objs["token"] = made.token


def _shown_once(ctx: Ctx, response: Any) -> None:
    page = response.content.decode()
    assert "shown only this once" in page and "pz_" in page
    assert response["Cache-Control"] == "no-store"


CASES = [
    FormCase(
        id="token-create",
        url_name="accounts:tokens",
        url="/accounts/tokens/",
        data={"name": "laptop", "scope": "read", "expires": "30"},
        allowed=SIGNED_IN,  # everyone signed in, for themselves
        state=_tokens,
        check=_shown_once,
        text_fields=("name",),
        shows_text_at=lambda ctx: ["/accounts/tokens/", "/accounts/tokens/all/", "/me/"],
    ),
    FormCase(
        id="token-revoke",
        url_name="accounts:token_revoke",
        url=lambda ctx: f"/accounts/tokens/{ctx.objs['token'].pk}/revoke/",
        setup=_alices_token,
        data={"next": "/accounts/tokens/"},
        allowed=OWNERS,  # the token's user (alice) and admins
        state=_tokens,
    ),
]
