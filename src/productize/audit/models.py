"""The audit log: one record per change, written by services in the same transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActorKind(models.TextChoices):
    """Who made a change."""

    USER = "user", "user"
    TOKEN = "token", "API token"
    INGEST = "ingest", "ingest run"
    SYSTEM = "system", "system"


class Action(models.TextChoices):
    """What happened to the object."""

    CREATE = "create", "created"
    UPDATE = "update", "updated"
    DELETE = "delete", "deleted"


class ChangeRecord(models.Model):
    """Who changed what, when, from what to what, and why."""

    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=255, help_text="Username, token name or run id.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ingest_run_id = models.BigIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64, help_text="e.g. `product`, `source`.")
    object_id = models.CharField(max_length=127, help_text="The object's slug or key.")
    object_repr = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="change_object"),
            models.Index(fields=["actor_kind", "actor_label", "-at"], name="change_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"
