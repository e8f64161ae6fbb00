"""A settable clock for replaying the demo's history through the real services.

The demo's loop happened over nine months; loading it writes every step through the loop
services (so the audit trail reads like the real thing), each at the moment it happened. The
services and Django's `auto_now` fields ask `django.utils.timezone.now()`; model fields whose
default is `timezone.now` hold the function itself, so they are pointed at the clock too.
Only the demo loader uses this, for as long as the `running()` block lasts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils import timezone


class DemoClock:
    """The time the services see while the demo history is replayed."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def set(self, at: datetime) -> None:
        """Move the clock (backwards or forwards) to `at`."""
        self.at = at

    def now(self) -> datetime:
        """What `timezone.now()` answers while the clock runs."""
        return self.at

    @contextmanager
    def running(self) -> Iterator[DemoClock]:
        """Make `timezone.now()` (and model defaults that use it) read this clock."""
        real = timezone.now
        patched: list[tuple[Any, Any]] = []
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is real:
                    patched.append((field, field.__dict__.pop("_get_default", None)))
                    field.default = self.now
        timezone.now = self.now
        try:
            yield self
        finally:
            timezone.now = real
            for field, _cached in patched:
                field.default = real
                field.__dict__.pop("_get_default", None)
