"""Django app configuration for productize.assessment."""

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    """App configuration; registers the re-assessment after every ingest."""

    name = "productize.assessment"
    label = "assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Hook re-assessment onto ingest."""
        from productize.assessment.reassess import reassess_after_ingest
        from productize.ingest.hooks import after_ingest

        after_ingest(reassess_after_ingest)
