"""Django admin for operators: the catalog, read-only.

Catalog rows come from descriptors through the services (ARCHITECTURE rule 1); an edit here
would bypass validation and the audit log, so the admin only shows them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Organization,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and detail pages without add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline table without add, change or delete."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InterfaceInline(ReadOnlyInline):
    model = Interface
    fields = ("name", "kind", "stability", "description")


class ConsumptionInline(ReadOnlyInline):
    model = Consumption
    fk_name = "consumer"
    fields = ("interface_ref", "interface", "why")


class OwnershipInline(ReadOnlyInline):
    model = Ownership
    fields = ("ref", "person", "team")


_DESCRIBED = ("slug", "name", "source", "source_path", "updated_at")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "stage", "alignment", "loop", "source", "updated_at")
    list_filter = ("stage", "alignment", "source")
    search_fields = ("slug", "name", "search_text")
    list_select_related = ("loop", "source")
    inlines = (InterfaceInline, ConsumptionInline, OwnershipInline)
    show_full_result_count = False  # COUNT(*) over a large catalog on every page is wasted


@admin.register(Loop)
class LoopAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "parent", "source")
    search_fields = ("slug", "name")
    inlines = (OwnershipInline,)


@admin.register(Team)
class TeamAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "parent", "source")
    search_fields = ("slug", "name")


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "email", "source")
    search_fields = ("slug", "name", "email")


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    list_display = _DESCRIBED


@admin.register(Interface)
class InterfaceAdmin(ReadOnlyAdmin):
    list_display = ("ref", "kind", "stability", "product")
    list_filter = ("kind", "stability")
    search_fields = ("ref", "description")
    list_select_related = ("product",)
    show_full_result_count = False


@admin.register(Consumption)
class ConsumptionAdmin(ReadOnlyAdmin):
    list_display = ("consumer", "interface_ref", "interface")
    search_fields = ("interface_ref", "consumer__slug")
    list_select_related = ("consumer", "interface")
    show_full_result_count = False


admin.site.register(Membership, ReadOnlyAdmin)
admin.site.register(ProductTag, ReadOnlyAdmin)
