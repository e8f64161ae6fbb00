"""Services for registered sources: add, change, remove, webhook secrets, refresh requests.

Every write checks the actor's permission and is recorded in the audit log in the same
transaction (ARCHITECTURE rule 1). Source locations never hold literal credentials: a git URL
names an environment variable instead (`https://user:${GIT_TOKEN}@host/repo.git`).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from productize.audit.models import Action
from productize.audit.services import SOURCE_MANAGE, SOURCE_REFRESH, Actor, record_change
from productize.catalog.services import catalog_sync_source
from productize.ingest.gitfetch import (
    looks_like_git_url,
    validate_branch,
    validate_git_url,
    validate_subpath,
)
from productize.ingest.models import IngestProblem, Source, SourceFormat, SourceKind
from productize.ingest.redact import has_literal_credentials, redact_url

NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME_MAX = 63
DEFAULT_SCHEDULE_MINUTES = 60
_UPDATABLE = (
    "name",
    "location",
    "branch",
    "subpath",
    "schedule_minutes",
    "enabled",
    "format",
    "backstage_names",
)


def _require(actor: Actor, permission: str, source: Source | None = None) -> None:
    if not actor.can(permission, source):
        raise PermissionDenied(f"{actor.label} may not do {permission}")


def hash_secret(secret: str) -> str:
    """sha256 of a webhook secret: secrets are random and long, so a fast hash is enough."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_webhook_secret() -> str:
    """A fresh random webhook secret (shown once, stored only as its hash)."""
    return secrets.token_urlsafe(32)


def source_snapshot(source: Source) -> dict[str, Any]:
    """What the audit log keeps of a source (never its secret)."""
    return {
        "name": source.name,
        "kind": source.kind,
        "location": redact_url(source.location),
        "branch": source.branch,
        "subpath": source.subpath,
        "schedule_minutes": source.schedule_minutes,
        "enabled": source.enabled,
        "webhook": bool(source.webhook_secret_hash),
        "format": source.format,
        "backstage_names": source.backstage_names,
    }


def classify_location(location: str) -> tuple[str, str]:
    """(kind, stored location) for a directory path or a git URL; raises `ValidationError`."""
    location = location.strip()
    if not location:
        raise ValidationError({"location": ["give a directory path or a git URL"]})
    if looks_like_git_url(location):
        try:
            validate_git_url(location)
        except ValueError as error:
            raise ValidationError({"location": [str(error)]}) from None
        return SourceKind.GIT, location
    path = Path(location).expanduser().resolve()
    if not path.is_dir():
        raise ValidationError(
            {"location": [f"`{location}` is not a directory (nor a git URL like https://...)"]}
        )
    return SourceKind.DIRECTORY, str(path)


def _validate(
    *, name: str, kind: str, location: str, branch: str, subpath: str, schedule_minutes: int
) -> None:
    errors: dict[str, list[str]] = {}
    if not NAME_PATTERN.match(name) or len(name) > NAME_MAX:
        errors["name"] = [
            f"`{name}` is not a valid source name: use lower-case letters, digits and hyphens"
        ]
    if kind == SourceKind.GIT and has_literal_credentials(location):
        errors["location"] = [
            "the URL holds a password or token; name an environment variable instead, "
            "e.g. https://user:${GIT_TOKEN}@host/repo.git"
        ]
    if branch and kind != SourceKind.GIT:
        errors["branch"] = ["only git sources have a branch"]
    try:
        validate_branch(branch)
    except ValueError as error:
        errors["branch"] = [str(error)]
    try:
        validate_subpath(subpath)
    except ValueError as error:
        errors["subpath"] = [str(error)]
    if schedule_minutes < 0:
        errors["schedule_minutes"] = ["must be 0 (never) or a number of minutes"]
    if errors:
        raise ValidationError(errors)


def source_add(
    *,
    actor: Actor,
    name: str,
    location: str,
    branch: str = "",
    subpath: str = "",
    schedule_minutes: int = DEFAULT_SCHEDULE_MINUTES,
    enabled: bool = True,
    webhook: bool = True,
    reason: str = "",
    format: str = SourceFormat.AUTO,
    backstage_names: str = "",
) -> tuple[Source, str]:
    """Register a directory or git repository; return it and its webhook secret (shown once).

    The secret is "" when `webhook` is false.
    """
    _require(actor, SOURCE_MANAGE)
    kind, stored = classify_location(location)
    secret = new_webhook_secret() if webhook else ""
    source = _create_source(
        actor=actor,
        reason=reason,
        name=name,
        kind=kind,
        location=stored,
        branch=branch,
        subpath=subpath,
        schedule_minutes=schedule_minutes,
        enabled=enabled,
        webhook_secret_hash=hash_secret(secret) if secret else "",
        format=format,
        backstage_names=backstage_names,
    )
    return source, secret


def _validate_files(format: str, backstage_names: str) -> None:
    """The file options: a known format, and names that are file names (no `/`)."""
    errors: dict[str, list[str]] = {}
    if format not in SourceFormat.values:
        errors["format"] = [f"`{format}` is not one of: {', '.join(SourceFormat.values)}"]
    if any("/" in name or name in (".", "..") for name in backstage_names.split(",")):
        errors["backstage_names"] = ["give file names or patterns (`catalog-info.yaml`), not paths"]
    if errors:
        raise ValidationError(errors)


def _create_source(*, actor: Actor, reason: str, **fields: Any) -> Source:
    """Validate, create and audit a source in one transaction (name must be free)."""
    checked = ("name", "kind", "location", "branch", "subpath", "schedule_minutes")
    _validate(**{key: fields[key] for key in checked})
    _validate_files(fields.get("format", SourceFormat.AUTO), fields.get("backstage_names", ""))
    with transaction.atomic():
        if Source.objects.filter(name=fields["name"]).exists():
            raise ValidationError({"name": [f"a source named `{fields['name']}` already exists"]})
        source = Source.objects.create(**fields)
        record_change(
            actor=actor,
            action=Action.CREATE,
            object_type="source",
            object_id=source.name,
            before=None,
            after=source_snapshot(source),
            reason=reason,
            object_repr=source.name,
        )
    return source


def source_update(*, actor: Actor, source: Source, reason: str = "", **changes: Any) -> Source:
    """Change a source's name, location, branch, sub-path, schedule or enabled flag."""
    _require(actor, SOURCE_MANAGE, source)
    unknown = set(changes) - set(_UPDATABLE)
    if unknown:
        raise ValidationError({name: ["this field cannot be changed"] for name in sorted(unknown)})
    with transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source.pk)
        before = source_snapshot(source)
        if "location" in changes:
            source.kind, source.location = classify_location(str(changes.pop("location")))
        for name, value in changes.items():
            setattr(source, name, value)
        _validate(
            name=source.name,
            kind=source.kind,
            location=source.location,
            branch=source.branch,
            subpath=source.subpath,
            schedule_minutes=source.schedule_minutes,
        )
        _validate_files(source.format, source.backstage_names)
        if Source.objects.filter(name=source.name).exclude(pk=source.pk).exists():
            raise ValidationError({"name": [f"a source named `{source.name}` already exists"]})
        source.save()
        after = source_snapshot(source)
        if after != before:
            record_change(
                actor=actor,
                action=Action.UPDATE,
                object_type="source",
                object_id=source.name,
                before=before,
                after=after,
                reason=reason,
                object_repr=source.name,
            )
    return source


def source_remove(*, actor: Actor, source: Source, reason: str = "") -> int:
    """Remove a source and every catalog entity it declared; return how many were removed."""
    _require(actor, SOURCE_MANAGE, source)
    with transaction.atomic():
        result = catalog_sync_source(
            source=source, documents=[], actor=actor, reason=reason or "source removed"
        )
        # Clashes this source caused on other sources' pages end with it.
        IngestProblem.objects.filter(related_source=source, current=True).update(current=False)
        record_change(
            actor=actor,
            action=Action.DELETE,
            object_type="source",
            object_id=source.name,
            before=source_snapshot(source),
            after=None,
            reason=reason,
            object_repr=source.name,
        )
        source.delete()
    return result.removed


def source_rotate_webhook_secret(*, actor: Actor, source: Source, reason: str = "") -> str:
    """Give the source a new webhook secret and return it (shown once; the old one stops)."""
    _require(actor, SOURCE_MANAGE, source)
    secret = new_webhook_secret()
    with transaction.atomic():
        Source.objects.filter(pk=source.pk).update(webhook_secret_hash=hash_secret(secret))
        source.webhook_secret_hash = hash_secret(secret)
        record_change(
            actor=actor,
            action=Action.UPDATE,
            object_type="source",
            object_id=source.name,
            before=None,
            after={"webhook": "secret rotated"},
            reason=reason,
            object_repr=source.name,
        )
    return secret


def webhook_secret_matches(source: Source, secret: str) -> bool:
    """Whether `secret` is the source's webhook secret (or the server-wide one, when set)."""
    if not secret:
        return False
    given = hash_secret(secret)
    if source.webhook_secret_hash and hmac.compare_digest(given, source.webhook_secret_hash):
        return True
    shared = str(getattr(settings, "WEBHOOK_SECRET", "") or "")
    return bool(shared) and hmac.compare_digest(given, hash_secret(shared))


def source_request_refresh(*, actor: Actor, source: Source, reason: str = "") -> None:
    """Ask the worker to refresh the source on its next pass (what a push webhook calls)."""
    _require(actor, SOURCE_REFRESH, source)
    with transaction.atomic():
        now = timezone.now()
        Source.objects.filter(pk=source.pk).update(refresh_requested_at=now)
        source.refresh_requested_at = now
        record_change(
            actor=actor,
            action=Action.UPDATE,
            object_type="source",
            object_id=source.name,
            before=None,
            after={"refresh_requested_at": now.isoformat()},
            reason=reason or "refresh requested",
            object_repr=source.name,
        )


def source_refresh_from_webhook(*, source: Source, secret: str) -> bool:
    """Request a refresh if `secret` is right; return whether it was (for the webhook API)."""
    if not source.enabled or not webhook_secret_matches(source, secret):
        return False
    source_request_refresh(
        actor=Actor.system(f"webhook for {source.name}"),
        source=source,
        reason="push webhook",
    )
    return True


def _implicit_name(location: str, kind: str) -> str:
    """A source name from a location's last part: `/srv/acme/catalog` -> `catalog`."""
    text = redact_url(location).rstrip("/")
    last = re.split(r"[/:]", text)[-1] if text else ""
    if kind == SourceKind.GIT and last.endswith(".git"):
        last = last[:-4]
    slug = re.sub(r"[^a-z0-9]+", "-", last.lower()).strip("-")[:40].strip("-")
    return slug or "source"


def source_for_location(
    *,
    actor: Actor,
    location: str,
    branch: str = "",
    subpath: str = "",
    format: str | None = None,
    backstage_names: str | None = None,
) -> Source:
    """The source behind an ad-hoc `productize ingest LOCATION`: found, or registered now.

    Such sources are not refreshed on a schedule. A URL with credentials is stored with them
    removed (the credentials are used for this run only).
    """
    kind, stored = classify_location(location)
    if kind == SourceKind.GIT:
        stored = redact_url(stored)
    existing = Source.objects.filter(
        kind=kind, location=stored, branch=branch, subpath=subpath
    ).first()
    if existing is not None:
        changes = {
            name: value
            for name, value in (("format", format), ("backstage_names", backstage_names))
            if value is not None and getattr(existing, name) != value
        }
        if changes:  # what this run was asked to read is what the source reads from now on
            return source_update(
                actor=actor, source=existing, reason="ingest with other file options", **changes
            )
        return existing
    base = _implicit_name(stored, kind)
    name, n = base, 1
    while Source.objects.filter(name=name).exists():
        n += 1
        name = f"{base}-{n}"
    _require(actor, SOURCE_MANAGE)
    return _create_source(
        actor=actor,
        reason="first ingest of this location",
        name=name,
        kind=kind,
        location=stored,
        branch=branch,
        subpath=subpath,
        schedule_minutes=0,
        format=format or SourceFormat.AUTO,
        backstage_names=backstage_names or "",
    )
