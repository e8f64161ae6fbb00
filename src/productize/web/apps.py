"""Django app configuration for productize.web."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """App configuration."""

    name = "productize.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"
