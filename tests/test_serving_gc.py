"""The serving worker's garbage-collector watch: a slow full collection freezes the heap."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from productize import serving_gc


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [])
    return [b"ok"]


@pytest.fixture
def freezes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(1))
    monkeypatch.setattr(serving_gc._Watch, "slow", False)
    return calls


def test_a_slow_full_collection_freezes_the_heap_after_the_request(
    freezes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = serving_gc.freeze_after_slow_collections(_app)
    clock = iter([10.0, 10.0 + serving_gc.SLOW_COLLECTION_SECONDS * 4])
    monkeypatch.setattr(serving_gc.time, "perf_counter", lambda: next(clock))
    serving_gc._Watch.callback("start", {"generation": 2})
    serving_gc._Watch.callback("stop", {"generation": 2})
    assert app({}, lambda *a: None) == [b"ok"]
    assert freezes == [1]
    assert app({}, lambda *a: None) == [b"ok"]
    assert freezes == [1]  # once per slow collection, not per request


def test_quick_or_young_collections_do_not_freeze(
    freezes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = serving_gc.freeze_after_slow_collections(_app)
    clock = iter([5.0, 5.001])
    monkeypatch.setattr(serving_gc.time, "perf_counter", lambda: next(clock))
    serving_gc._Watch.callback("start", {"generation": 2})
    serving_gc._Watch.callback("stop", {"generation": 2})
    serving_gc._Watch.callback("start", {"generation": 0})  # not timed at all
    serving_gc._Watch.callback("stop", {"generation": 1})
    app({}, lambda *a: None)
    assert freezes == []


def test_the_watch_sees_real_collections(
    freezes: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serving_gc, "SLOW_COLLECTION_SECONDS", -1.0)  # every one counts as slow
    gc.callbacks.append(serving_gc._Watch.callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(serving_gc._Watch.callback)
    serving_gc.freeze_after_slow_collections(_app)({}, lambda *a: None)
    assert freezes == [1]
