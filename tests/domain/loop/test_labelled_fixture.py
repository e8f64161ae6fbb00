"""The committed labelled set is what its generator makes, and looks like the brief asks."""

from __future__ import annotations

import collections
import importlib.util
import json
from pathlib import Path
from types import ModuleType

FEEDBACK = Path(__file__).resolve().parents[2] / "fixtures" / "feedback"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_labelled", FEEDBACK / "make_labelled.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_file_matches_the_generator() -> None:
    committed = [
        json.loads(line) for line in (FEEDBACK / "labelled.jsonl").read_text("utf-8").splitlines()
    ]
    assert committed == _generator().generate()


def test_labelled_set_has_the_promised_shape() -> None:
    rows = _generator().generate()
    labels = collections.Counter(r["label"] for r in rows)
    assert len(rows) >= 500
    assert 25 <= len(labels) - 1 <= 40  # problems, besides `none`
    assert labels["none"] >= 20
    assert len({r["id"] for r in rows}) == len(rows)
    assert len({r["text"] for r in rows}) > 0.8 * len(rows)  # mostly distinct wording
