"""Rate-limited sign-in: after too many failures for one username from one address, wait."""

from __future__ import annotations

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from productize.accounts.models import SignInFailure


def _limits() -> tuple[int, timedelta]:
    attempts = int(getattr(settings, "SIGNIN_MAX_ATTEMPTS", 5))
    window = timedelta(minutes=int(getattr(settings, "SIGNIN_WINDOW_MINUTES", 15)))
    return attempts, window


def client_ip(request: HttpRequest) -> str:
    """The caller's address as the server sees it (a proxy must set REMOTE_ADDR correctly)."""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _key(username: str) -> str:
    return username.strip().lower()[:150]


def minutes_blocked(username: str, ip: str) -> int:
    """Minutes until this username may try again from this address; 0 when it may now."""
    attempts, window = _limits()
    now = timezone.now()
    recent = list(
        SignInFailure.objects.filter(username=_key(username), ip=ip, at__gte=now - window)
        .order_by("-at")
        .values_list("at", flat=True)[:attempts]
    )
    if len(recent) < attempts:
        return 0
    # Blocked until the oldest of the last `attempts` failures leaves the window.
    free_at = recent[-1] + window
    return max(1, math.ceil((free_at - now).total_seconds() / 60))


def record_failure(username: str, ip: str) -> None:
    """Remember one failed attempt (and forget those long out of the window)."""
    _, window = _limits()
    now = timezone.now()
    SignInFailure.objects.create(username=_key(username), ip=ip, at=now)
    SignInFailure.objects.filter(at__lt=now - 4 * window).delete()


def clear_failures(username: str, ip: str) -> None:
    """A successful sign-in forgets the failures of that username from that address."""
    SignInFailure.objects.filter(username=_key(username), ip=ip).delete()
