"""The API token pages: my tokens (create, revoke) and, for admins, everyone's tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from productize.accounts import permissions
from productize.accounts.forms import TokenForm
from productize.accounts.middleware import request_id
from productize.accounts.models import ApiToken
from productize.accounts.selectors import TOKEN_STATES, token_page, token_rows
from productize.accounts.services import NewToken, token_create, token_revoke
from productize.audit.services import Actor
from productize.web.views.common import page_request, pagination

PER_PAGE = 50


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, request_id=request_id(request))


@require_http_methods(["GET", "POST"])
@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    """List my tokens; create one (its secret is shown on this response only)."""
    admin = permissions.is_admin_user(request.user)
    form = TokenForm(request.POST or None, admin=admin)
    created: NewToken | None = None
    if request.method == "POST" and form.is_valid():
        try:
            created = token_create(
                actor=_actor(request),
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_days=form.expires_days(),
            )
        except ValidationError as exc:
            form.add_error("name", exc)
        else:
            form = TokenForm(admin=admin)
    context = {
        "rows": token_rows(request.user),
        "form": form,
        "created": created,
        "admin": admin,
    }
    response = render(request, "accounts/tokens.html", context)
    if created is not None:
        # The secret is in this page: keep it out of every cache and the back-forward history.
        response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def all_tokens(request: HttpRequest) -> HttpResponse:
    """Every user's tokens, for admins: filter by user and state, revoke any."""
    if not _actor(request).can(permissions.ACCOUNTS_MANAGE):
        raise PermissionDenied("only admins see everyone's tokens")
    username = request.GET.get("user", "").strip()[:150]
    state = request.GET.get("state", "")
    state = state if state in TOKEN_STATES else ""
    params = [(k, v) for k, v in (("user", username), ("state", state)) if v]
    page = token_page(username=username, state=state, page=page_request(request, size=PER_PAGE))
    context = {
        "page": page,
        "username": username,
        "state": state,
        "states": TOKEN_STATES,
        "pagination": pagination(page, reverse("accounts:tokens_all"), params),
        "here": request.get_full_path(),
    }
    return render(request, "accounts/tokens_all.html", context)


@require_POST
@login_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke a token (mine, or anyone's for an admin), then go back to the list."""
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=token_id)
    token_revoke(actor=_actor(request), token=token, reason="revoked in the web UI")
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("accounts:tokens")
    return HttpResponseRedirect(back)
