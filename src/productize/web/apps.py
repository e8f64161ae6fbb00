"""Django app configuration for productize.web."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _repair_search_index(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    # SQLite rebuilds a table for many schema changes and drops its triggers on the way; a
    # later migration of `catalog_product` would silently stop search from seeing new products.
    # Re-creating what is missing after every migrate keeps search right without relying on
    # every future migration to remember it.
    if sender.label != "catalog":
        return
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from productize.catalog.search import ensure_search_index

    connection = connections[using]
    # Only once the migration that introduced the index is applied (not after `migrate zero`).
    if ("catalog", "0002_product_search") in MigrationRecorder(connection).applied_migrations():
        ensure_search_index(connection)


class WebConfig(AppConfig):
    """The web UI; also keeps the catalog's search index whole after migrations."""

    name = "productize.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_repair_search_index, dispatch_uid="productize.search_index")
