"""The sign-in form (with the attempt limit) and the API token form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from productize.accounts.ratelimit import (
    clear_failures,
    client_ip,
    minutes_blocked,
    record_failure,
)


class RateLimitedMixin(AuthenticationForm):
    """Refuse to check passwords while a username+address pair is over the attempt limit."""

    def clean(self) -> dict[str, Any]:
        """Check the limit first, then the password; count failures, forget them on success."""
        username = str(self.cleaned_data.get("username") or "")
        ip = client_ip(self.request) if self.request is not None else ""
        wait = minutes_blocked(username, ip) if username else 0
        if wait:
            raise ValidationError(
                "Too many failed sign-in attempts for this account. "
                f"Try again in {wait} minute{'s' if wait != 1 else ''}, "
                "or reset your password.",
                code="rate_limited",
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                record_failure(username, ip)
            raise
        clear_failures(username, ip)
        return cleaned


class SignInForm(RateLimitedMixin):
    """The site's sign-in form."""


class AdminSignInForm(RateLimitedMixin, AdminAuthenticationForm):
    """The admin's sign-in form, under the same attempt limit."""


SCOPE_CHOICES = [
    ("read", "read — look things up"),
    ("write", "write — do what you may do in the UI"),
]
EXPIRY_CHOICES = [("7", "in 7 days"), ("30", "in 30 days"), ("90", "in 90 days"),
                  ("365", "in a year"), ("never", "never")]  # fmt: skip


class TokenForm(forms.Form):
    """A new personal API token: its name, scope and expiry."""

    name = forms.CharField(
        max_length=100,
        help_text="What it is for, e.g. “ci” or “laptop”: you will recognise it in the list.",
    )
    scope = forms.ChoiceField(
        choices=SCOPE_CHOICES,
        initial="read",
        help_text="Give the least it needs.",
    )
    expires = forms.ChoiceField(choices=EXPIRY_CHOICES, initial="90", label="Expires")

    def __init__(self, *args: Any, admin: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if admin:
            scope = self.fields["scope"]
            assert isinstance(scope, forms.ChoiceField)
            scope.choices = [*SCOPE_CHOICES, ("admin", "admin — everything an admin may")]

    def expires_days(self) -> int | None:
        """The expiry in days (None: never)."""
        value = self.cleaned_data["expires"]
        return None if value == "never" else int(value)
