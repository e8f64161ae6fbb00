"""What other apps do after an ingest has written a source's descriptors to the catalog.

Assessment re-assesses the products that changed (and their dependants); the graph records
breaking interface changes. Each registers a handler from its AppConfig.ready():

    from productize.ingest.hooks import after_ingest

    @after_ingest
    def reassess(outcome: IngestOutcome) -> None: ...

Handlers run after the catalog transaction committed, while the source's working tree still
exists (a git checkout is deleted right after), in registration order. A failing handler is
logged and recorded on the run as a problem; it never undoes the ingest or stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from productize.ingest.models import IngestRun, Source

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestOutcome:
    """What one ingest run changed, for the handlers."""

    source: Source
    run: IngestRun
    root: Path  # the source's working tree; valid only while handlers run
    changed_products: set[str] = field(default_factory=set)  # created or updated slugs
    removed_products: set[str] = field(default_factory=set)
    # Product slug -> descriptor file path within root, for the changed products.
    product_paths: dict[str, str] = field(default_factory=dict)
    # `progress(phase, done, total)`, shown by `productize ingest` while the handlers run.
    progress: Callable[[str, int, int], None] | None = None


Handler = Callable[[IngestOutcome], None]
_handlers: list[Handler] = []


def after_ingest(handler: Handler) -> Handler:
    """Register a handler (usable as a decorator); registering twice has no effect."""
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def run_after_ingest(outcome: IngestOutcome) -> list[tuple[str, str]]:
    """Call every handler; return (handler name, error message) for those that failed."""
    failures: list[tuple[str, str]] = []
    for handler in list(_handlers):
        name = f"{handler.__module__}.{handler.__qualname__}"
        try:
            handler(outcome)
        except Exception as error:  # one broken handler must not stop ingest or the others
            logger.exception("after-ingest handler %s failed", name)
            failures.append((name, f"{type(error).__name__}: {error}"))
    return failures
