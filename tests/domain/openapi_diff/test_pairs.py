"""The classifier on real-looking spec pairs: each fixture lists exactly the changes expected."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from productize.domain.openapi_diff import KINDS, compare, load_spec

PAIRS = Path(__file__).resolve().parents[2] / "fixtures" / "openapi_pairs"
NAMES = sorted(p.name for p in PAIRS.iterdir() if p.is_dir())


def _load(directory: Path, stem: str) -> dict:
    (path,) = [p for p in directory.iterdir() if p.stem == stem]
    return load_spec(path.read_text(encoding="utf-8"))


def _expected(name: str) -> set[tuple[str, bool, str]]:
    data = yaml.safe_load((PAIRS / name / "expected.yaml").read_text(encoding="utf-8"))
    return {(c["kind"], c["breaking"], c["location"]) for c in data["changes"]}


@pytest.mark.parametrize("name", NAMES)
def test_pair_yields_exactly_the_expected_changes(name: str) -> None:
    changes = compare(_load(PAIRS / name, "old"), _load(PAIRS / name, "new"))
    found = {(c.kind, c.breaking, c.location) for c in changes}
    assert found == _expected(name)
    assert all(c.message for c in changes)


def test_pairs_cover_at_least_25_kinds_breaking_and_compatible() -> None:
    expected = set().union(*(_expected(name) for name in NAMES))
    kinds = {kind for kind, _, _ in expected}
    assert kinds <= KINDS.keys()
    assert len(kinds) >= 25, sorted(kinds)
    assert len({k for k, breaking, _ in expected if breaking}) >= 15
    assert len({k for k, breaking, _ in expected if not breaking}) >= 10


def test_expected_breaking_flags_match_the_kind_table() -> None:
    for name in NAMES:
        for kind, breaking, _ in _expected(name):
            assert KINDS[kind][0] is breaking, (name, kind)
