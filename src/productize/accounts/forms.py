"""The sign-in form, with the attempt limit."""

from __future__ import annotations

from typing import Any

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
