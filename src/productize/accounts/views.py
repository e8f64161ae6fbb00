"""Sign-in, sign-out, password change and reset, and the signed-in person's own page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from productize.accounts import oidc
from productize.accounts.forms import SignInForm
from productize.accounts.middleware import request_id
from productize.accounts.permissions import role_of
from productize.accounts.selectors import person_for_user, tokens_of
from productize.accounts.services import password_set
from productize.audit.services import Actor
from productize.catalog.selectors import person_detail
from productize.web.views.common import page_request

OIDC_PROBLEMS = {
    "failed": "Signing in with {provider} did not work. Try again, or sign in with your password.",
    "unavailable": "{provider} cannot be reached right now. Try again later, or sign in with "
    "your password.",
}


class SignInView(auth_views.LoginView):
    """The sign-in page; `next` is followed only to this site (no open redirects)."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The form, and the provider's button when sign-in with a provider is configured."""
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["oidc"] = oidc.enabled()
        context["oidc_provider"] = oidc.provider_name()
        problem = OIDC_PROBLEMS.get(self.request.GET.get("oidc", ""), "")
        context["oidc_problem"] = problem.format(provider=oidc.provider_name())
        return context


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, with CSRF) and go back to the sign-in page."""

    next_page = "accounts:login"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (the old one is asked for)."""

    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_change_done")
    extra_context = {"heading": "Change your password", "submit": "Change password"}

    def form_valid(self, form: Any) -> HttpResponse:
        """Set the password through the service (audited); keep this session signed in."""
        actor = Actor.for_user(self.request.user, request_id=request_id(self.request))
        password_set(actor=actor, user=form.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(self.request, form.user)
        return HttpResponseRedirect(self.get_success_url())


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """The password was changed."""

    template_name = "accounts/message_page.html"
    extra_context = {"heading": "Password changed", "message": "Your new password is set."}


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by email (the same answer whether the address is known or not)."""

    template_name = "accounts/form_page.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {
        "heading": "Reset your password",
        "intro": "Type the email address of your account; we send a link to set a new password.",
        "submit": "Send the link",
    }


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    """The reset link was sent, if the address belongs to an account."""

    template_name = "accounts/message_page.html"
    extra_context = {
        "heading": "Check your email",
        "message": "If an account has that address, a link to set a new password is on its way.",
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the emailed link."""

    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"heading": "Choose a new password", "submit": "Set password"}

    def form_valid(self, form: Any) -> HttpResponse:
        """Set the password through the service (audited, as the link's user); end the link."""
        # Whoever holds the emailed link acts as its user, for this one change.
        actor = Actor.for_user(form.user, request_id=request_id(self.request))
        password_set(
            actor=actor,
            user=form.user,
            password=form.cleaned_data["new_password1"],
            reason="reset through the emailed link",
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    """The new password is set."""

    template_name = "accounts/message_page.html"
    extra_context = {
        "heading": "Password set",
        "message": "Your new password is set; sign in with it.",
        "sign_in_link": True,
    }


@require_GET
@login_required
def me(request: HttpRequest) -> HttpResponse:
    """What I own: products directly and through my teams, my loops, and my API tokens."""
    person = person_for_user(request.user)
    detail = person_detail(person.slug, page_request(request, size=50)) if person else None
    context = {
        "person": person,
        "detail": detail,
        "role": role_of(request.user),
        "tokens": list(tokens_of(request.user)),
    }
    return render(request, "accounts/me.html", context)
