"""The write path for users and API tokens: validate, check permission, write, audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productize.accounts import permissions
from productize.accounts.models import ApiToken, Scope, UserProfile
from productize.accounts.tokens import hash_secret, new_secret
from productize.audit.models import Action, ActorKind
from productize.audit.services import Actor, record_change


def _require(actor: Actor, permission: str, obj: object | None = None) -> None:
    if not actor.can(permission, obj):
        raise PermissionDenied(f"{actor.label} may not {permission}")


def _user_state(user: Any) -> dict[str, Any]:
    return {
        "username": user.get_username(),
        "email": user.email,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "is_active": user.is_active,
    }


def _token_state(token: ApiToken) -> dict[str, Any]:
    # Never the secret nor its hash: the audit log is readable by every member.
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "revoked": token.revoked,
    }


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    email: str = "",
    admin: bool = False,
    person_slug: str = "",
    check_password: bool = True,
) -> Any:
    """Create a user (an admin when asked), optionally linked to a catalog person.

    `password=None` makes an account that signs in only through the OpenID Connect provider.
    """
    _require(actor, permissions.ACCOUNTS_MANAGE)
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError("a username is required")
    if user_model.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"a user named `{username}` already exists")
    user = user_model(username=username, email=email.strip(), is_staff=admin, is_superuser=admin)
    if password is None:
        user.set_unusable_password()
    else:
        if check_password:
            validate_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        user.save()
        if person_slug:
            UserProfile.objects.create(user=user, person_slug=person_slug)
        after = {**_user_state(user), "person": person_slug}
        record_change(
            actor=actor,
            action=Action.CREATE,
            object_type="user",
            object_id=username,
            before=None,
            after=after,
            object_repr=username,
        )
    return user


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just created, with its secret: shown once, never stored."""

    token: ApiToken
    secret: str


def token_create(
    *,
    actor: Actor,
    user: Any,
    name: str,
    scope: str = Scope.READ,
    expires_days: int | None = 90,
) -> NewToken:
    """Create a personal API token; the secret is returned once and only its hash is kept."""
    _require(actor, permissions.TOKEN_MANAGE, user)
    name = name.strip()
    if not name:
        raise ValidationError("a token needs a name")
    if scope not in Scope.values:
        raise ValidationError(f"scope must be one of {', '.join(Scope.values)}")
    if scope == Scope.ADMIN and not permissions.is_admin_user(user):
        raise ValidationError("only an admin's token can have the admin scope")
    if expires_days is not None and expires_days < 1:
        raise ValidationError("--expires-days must be at least 1")
    if ApiToken.objects.filter(user=user, name=name).exists():
        raise ValidationError(f"{user.get_username()} already has a token named `{name}`")
    secret = new_secret()
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:10],
        secret_hash=hash_secret(secret),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    with transaction.atomic():
        token.save()
        record_change(
            actor=actor,
            action=Action.CREATE,
            object_type="api_token",
            object_id=f"{user.get_username()}/{name}",
            before=None,
            after=_token_state(token),
            object_repr=name,
        )
    return NewToken(token, secret)


def token_revoke(*, actor: Actor, token: ApiToken, reason: str = "") -> ApiToken:
    """Revoke a token: it stops working at once and stays listed for the record."""
    _require(actor, permissions.TOKEN_MANAGE, token.user)
    if token.revoked:
        return token
    before = _token_state(token)
    with transaction.atomic():
        token.revoked = True
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked", "revoked_at"])
        record_change(
            actor=actor,
            action=Action.UPDATE,
            object_type="api_token",
            object_id=f"{token.user.get_username()}/{token.name}",
            before=before,
            after=_token_state(token),
            reason=reason,
            object_repr=token.name,
        )
    return token


def password_set(*, actor: Actor, user: Any, password: str, reason: str = "") -> Any:
    """Set a user's password (the user themselves, or an admin); the record never holds it."""
    # Signed in as that user (or holding their emailed reset link): their own password.
    if not (actor.kind == ActorKind.USER and getattr(actor.user, "pk", None) == user.pk):
        _require(actor, permissions.ACCOUNTS_MANAGE)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record_change(
            actor=actor,
            action=Action.UPDATE,
            object_type="user",
            object_id=user.get_username(),
            before={"password": "(set)"},
            after={"password": "(changed)"},
            reason=reason,
            object_repr=user.get_username(),
        )
    return user
