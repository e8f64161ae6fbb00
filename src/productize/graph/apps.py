"""Django app configuration for productize.graph."""

from __future__ import annotations

from django.apps import AppConfig


class GraphConfig(AppConfig):
    """The graph app; registers the after-ingest handler that records interface changes."""

    name = "productize.graph"
    label = "graph"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from productize.graph.ingest_hook import record_interface_changes
        from productize.ingest.hooks import after_ingest

        after_ingest(record_interface_changes)
