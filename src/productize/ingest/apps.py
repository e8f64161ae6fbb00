"""Django app configuration for productize.ingest."""

from django.apps import AppConfig


class IngestConfig(AppConfig):
    """App configuration."""

    name = "productize.ingest"
    label = "ingest"
    default_auto_field = "django.db.models.BigAutoField"
