"""Django app configuration for productize.audit."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """App configuration."""

    name = "productize.audit"
    label = "audit"
    default_auto_field = "django.db.models.BigAutoField"
