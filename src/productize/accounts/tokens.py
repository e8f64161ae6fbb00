"""API token secrets: generated, hashed at rest, checked in constant time by hash lookup."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from productize.accounts.models import ApiToken

PREFIX = "pz_"
# last_used_at is written at most this often, so a busy token does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def new_secret() -> str:
    """A fresh token: the recognisable prefix and 32 random bytes, URL-safe."""
    return PREFIX + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest stored in place of the secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def token_for_secret(secret: str) -> ApiToken | None:
    """The active token (not revoked, not expired, active user) for a secret, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
    now = timezone.now()
    if token is None or token.revoked or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
