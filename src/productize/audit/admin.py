"""Django admin for operators: the audit log, read-only (it is a record, not a draft)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from productize.audit.models import ChangeRecord


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """Who changed what, when and why; nothing here can be edited or deleted."""

    list_display = ("at", "actor_kind", "actor_label", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "actor_kind")
    search_fields = ("object_id", "actor_label", "reason")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
