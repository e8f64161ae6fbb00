"""Sign-in, sign-out, password change and reset, and the signed-in person's own page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET

from productize.accounts.forms import SignInForm
from productize.accounts.permissions import role_of
from productize.accounts.selectors import person_for_user, tokens_of
from productize.catalog.selectors import person_detail
from productize.web.views.common import page_request


class SignInView(auth_views.LoginView):
    """The sign-in page; `next` is followed only to this site (no open redirects)."""

    form_class = SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, with CSRF) and go back to the sign-in page."""

    next_page = "accounts:login"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password (the old one is asked for)."""

    template_name = "accounts/form_page.html"
    success_url = reverse_lazy("accounts:password_change_done")
    extra_context = {"heading": "Change your password", "submit": "Change password"}


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
