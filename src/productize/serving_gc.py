"""Garbage-collector pauses in a serving worker, kept short.

A serving worker holds a large, long-lived heap: Django's URL resolvers and compiled
templates, the per-version catalog index, cached pages. CPython's full (generation 2)
collection walks every tracked object in it; at 100,000 products that took 100-500 ms a
time, a pause that stalls every request the worker holds and sets the 99th percentile.
What survived a slow full collection is long-lived (a new catalog index, say), so it is moved
out of the collector's way (`gc.freeze`): later full collections walk only what is newer and
take a few milliseconds. Frozen objects are still freed by reference counting; only reference
cycles among them are never collected, so freezing happens only after a slow collection
(rare: after the heap grew by much), never after every one.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from typing import Any

SLOW_COLLECTION_SECONDS = 0.05

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Watch:
    """Times full collections; remembers that a slow one ran."""

    started = 0.0
    slow = False

    @classmethod
    def callback(cls, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            cls.started = time.perf_counter()
        elif time.perf_counter() - cls.started > SLOW_COLLECTION_SECONDS:
            cls.slow = True


def freeze_after_slow_collections(app: WsgiApp) -> WsgiApp:
    """Wrap a WSGI app: after a request during which a slow full collection ran, freeze the heap."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            return app(environ, start_response)
        finally:
            if _Watch.slow:
                _Watch.slow = False
                gc.freeze()

    return wrapped


def install(app: WsgiApp) -> WsgiApp:
    """Watch full collections, freeze what start-up loaded, and wrap the serving app."""
    if _Watch.callback not in gc.callbacks:
        gc.callbacks.append(_Watch.callback)
    gc.collect()
    gc.freeze()  # modules, settings, URL patterns: they live as long as the worker
    return freeze_after_slow_collections(app)
