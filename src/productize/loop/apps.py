"""Django app configuration for productize.loop."""

from django.apps import AppConfig


class LoopConfig(AppConfig):
    """App configuration."""

    name = "productize.loop"
    label = "loop"
    verbose_name = "feedback loop"
    default_auto_field = "django.db.models.BigAutoField"
