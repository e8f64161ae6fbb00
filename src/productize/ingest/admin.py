"""Django admin for operators: sources, runs, files and problems, read-only.

Sources are added, changed and removed with `productize source` (or the web UI), which go
through the audited services; here an operator can look, and ask for a refresh.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from productize.audit.services import Actor
from productize.catalog.admin import ReadOnlyAdmin
from productize.ingest.models import IngestProblem, IngestRun, Source, SourceFile
from productize.ingest.redact import redact_url
from productize.ingest.services import source_request_refresh


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "shown_location", "branch", "subpath", "schedule_minutes")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    exclude = ("webhook_secret_hash", "location")
    readonly_fields = ("shown_location",)
    actions = ("request_refresh",)

    @admin.display(description="location")
    def shown_location(self, source: Source) -> str:
        return redact_url(source.location)

    @admin.action(description="Refresh on the worker's next pass")
    def request_refresh(self, request: HttpRequest, queryset: QuerySet[Source]) -> None:
        actor = Actor.for_user(request.user)
        for source in queryset:
            source_request_refresh(actor=actor, source=source, reason="requested in the admin")
        messages.success(request, f"{queryset.count()} source(s) will be refreshed")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Actions need the view page; the form itself stays read-only (no fields editable).
        return False


@admin.register(IngestRun)
class IngestRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "source",
        "status",
        "files_seen",
        "files_changed",
        "created",
        "updated",
        "removed",
        "errors",
    )
    list_filter = ("status", "source")
    list_select_related = ("source",)


@admin.register(IngestProblem)
class IngestProblemAdmin(ReadOnlyAdmin):
    list_display = ("path", "line", "column", "severity", "code", "product_slug", "current")
    list_filter = ("current", "severity", "code", "source")
    search_fields = ("path", "product_slug", "message")
    show_full_result_count = False


@admin.register(SourceFile)
class SourceFileAdmin(ReadOnlyAdmin):
    list_display = ("path", "source", "sha256", "recheck")
    list_filter = ("source", "recheck")
    search_fields = ("path",)
    show_full_result_count = False
