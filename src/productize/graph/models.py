"""Stored spec versions and interface-change events (breaking changes, deprecations).

Both are keyed on the interface's ref (`product/name`) rather than a foreign key: ingest may
replace interface rows, and an event must outlive the interface it is about.
"""

from __future__ import annotations

from django.db import models


class InterfaceSnapshot(models.Model):
    """The last seen state of an interface: stability and spec text, to compare the next with."""

    interface_ref = models.CharField(max_length=127, unique=True)
    stability = models.CharField(max_length=16, blank=True)
    spec_path = models.CharField(max_length=500, blank=True)
    spec_text = models.TextField(blank=True)
    spec_sha256 = models.CharField(max_length=64, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.interface_ref


class ChangeKind(models.TextChoices):
    """What happened to the interface."""

    BREAKING = "breaking", "breaking change"
    DEPRECATED = "deprecated", "deprecated"


class InterfaceChange(models.Model):
    """An event consumers must hear about: a breaking spec change or a deprecation."""

    interface_ref = models.CharField(max_length=127, db_index=True)
    provider_slug = models.SlugField(max_length=63, db_index=True)
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    at = models.DateTimeField()
    run = models.ForeignKey(
        "ingest.IngestRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commit = models.CharField(max_length=64, blank=True)
    spec_path = models.CharField(max_length=500, blank=True)
    # [{kind, location, message, breaking}] as `openapi_diff.Change` gives them.
    changes = models.JSONField(default=list, blank=True)
    consumer_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["provider_slug", "-at"], name="ifchange_provider")]

    def __str__(self) -> str:
        return f"{self.kind} {self.interface_ref}"


class InterfaceChangeConsumer(models.Model):
    """A product that consumed the interface when the change was recorded, and its owners."""

    change = models.ForeignKey(InterfaceChange, on_delete=models.CASCADE, related_name="consumers")
    consumer_slug = models.SlugField(max_length=63)
    consumer_name = models.CharField(max_length=500, blank=True)
    owners = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["consumer_slug"]
        indexes = [models.Index(fields=["consumer_slug", "change"], name="ifchange_consumer")]

    def __str__(self) -> str:
        return self.consumer_slug


class PolicySetting(models.Model):
    """The graph policies the organisation descriptor switched on (one row per organisation)."""

    organization_slug = models.SlugField(max_length=63, unique=True)
    policies = models.JSONField(default=dict, blank=True)
    source_path = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.organization_slug
