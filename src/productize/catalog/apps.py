"""Django app configuration for productize.catalog."""

from django.apps import AppConfig


class CatalogConfig(AppConfig):
    """App configuration."""

    name = "productize.catalog"
    label = "catalog"
    default_auto_field = "django.db.models.BigAutoField"
