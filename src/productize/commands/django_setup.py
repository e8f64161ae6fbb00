"""Start Django for the subcommands that need the database (not for `check` or `schema`)."""

from __future__ import annotations

import os


def setup_django() -> None:
    """Configure settings and load the apps; safe to call more than once."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")
    import django

    django.setup()
