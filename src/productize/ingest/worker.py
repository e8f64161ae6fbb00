"""The refresh loop behind `productize worker`: ingest each source when it is due."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import close_old_connections, connection
from django.db.models import Max, Q
from django.utils import timezone

from productize.audit.services import Actor
from productize.ingest.models import IngestRun, Source
from productize.ingest.runner import ingest_source

logger = logging.getLogger(__name__)
WORKER = Actor.system("worker")


def due_sources(now: datetime | None = None) -> list[Source]:
    """Enabled sources with a refresh requested, or whose schedule says it is time."""
    now = now or timezone.now()
    candidates = (
        Source.objects.filter(enabled=True)
        .filter(Q(schedule_minutes__gt=0) | Q(refresh_requested_at__isnull=False))
        .annotate(last_started=Max("runs__started_at"))
        .order_by("name")
    )
    due: list[Source] = []
    for source in candidates:
        last: datetime | None = source.last_started
        requested = source.refresh_requested_at is not None
        scheduled = source.schedule_minutes > 0 and (
            last is None or last + timedelta(minutes=source.schedule_minutes) <= now
        )
        if requested or scheduled:
            due.append(source)
    return due


def refresh_due(now: datetime | None = None) -> list[IngestRun]:
    """One pass: ingest every due source, one after another; return the runs."""
    runs = []
    for source in due_sources(now):
        run = ingest_source(source=source, actor=WORKER)
        logger.info(
            "source %s: %s (created %d, updated %d, removed %d, errors %d)",
            source.name,
            run.status,
            run.created,
            run.updated,
            run.removed,
            run.errors,
        )
        runs.append(run)
    return runs


def run_worker(
    *,
    interval: float,
    once: bool = False,
    stop: threading.Event | None = None,
    on_pass: Callable[[list[IngestRun]], None] | None = None,
) -> int:
    """Refresh due sources every `interval` seconds until `stop` is set; return passes run."""
    stop = stop or threading.Event()
    passes = 0
    while not stop.is_set():
        _refresh_connections()
        runs = refresh_due()
        passes += 1
        if on_pass is not None:
            on_pass(runs)
        if once:
            break
        stop.wait(interval)
    _refresh_connections()
    return passes


def _refresh_connections() -> None:
    # A long-lived process must not keep a connection the database has dropped (or one past
    # CONN_MAX_AGE). Never inside a transaction: that would end the caller's transaction.
    if not connection.in_atomic_block:
        close_old_connections()
