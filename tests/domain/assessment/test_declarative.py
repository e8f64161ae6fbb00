"""Organisation-defined rules: validated on load, evaluated like built-in ones."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from productize.domain.assessment.declarative import (
    DeclarativeRule,
    check_path,
    compile_rule,
    resolve,
)
from productize.domain.assessment.rules import Status
from tests.domain.assessment.conftest import FULL_REPO, make_evidence, make_product

ADAPTER: TypeAdapter[Any] = TypeAdapter(DeclarativeRule)
MET, PARTLY, NOT_MET = Status.MET, Status.PARTLY_MET, Status.NOT_MET


def run(spec: dict[str, Any], product_changes: dict[str, Any] | None = None, **evidence: Any):
    rule = ADAPTER.validate_python({"key": "r", **spec})
    product = make_product(**(product_changes or {}))
    return compile_rule(rule)(make_evidence(product, **evidence))


@pytest.mark.parametrize(
    ("spec", "changes", "expected"),
    [
        ({"type": "field-present", "path": "links.docs"}, {}, MET),
        ({"type": "field-present", "path": "links.docs"}, {"links__docs": ...}, NOT_MET),
        ({"type": "field-present", "path": "alignment.why"}, {"alignment": ...}, NOT_MET),
        ({"type": "field-present", "path": "owners"}, {"owners": []}, NOT_MET),
        (
            {"type": "field-present", "path": "annotations.tier"},
            {"annotations": {"tier": "1"}},
            MET,
        ),
        ({"type": "field-present", "path": "annotations.tier"}, {}, NOT_MET),
        ({"type": "count-at-least", "path": "audience", "n": 2}, {}, MET),
        ({"type": "count-at-least", "path": "audience", "n": 3}, {}, PARTLY),
        ({"type": "count-at-least", "path": "audience", "n": 1}, {"audience": []}, NOT_MET),
        ({"type": "text-length-at-most", "path": "mission", "n": 20}, {}, MET),
        ({"type": "text-length-at-most", "path": "mission", "n": 5}, {}, NOT_MET),
        (
            {"type": "text-length-at-most", "path": "mission", "n": 20, "unit": "characters"},
            {},
            NOT_MET,
        ),
        (
            {"type": "text-length-at-most", "path": "vision", "n": 5},
            {"vision": ...},
            Status.NOT_APPLICABLE,
        ),
        ({"type": "file-exists", "glob": "docs/runbook*.md"}, {}, MET),
        ({"type": "file-exists", "glob": "docs/*.pdf"}, {}, NOT_MET),
    ],
)
def test_declarative_rule(spec: dict[str, Any], changes: dict[str, Any], expected: Status):
    result = run(spec, changes)
    assert result.status == expected, result
    assert result.evidence
    assert (result.next_step is not None) == (expected in (NOT_MET, PARTLY))


def test_file_exists_without_repository_is_no_data():
    assert run({"type": "file-exists", "glob": "README.md"}, repo=None).status == Status.NO_DATA
    unreadable = replace(FULL_REPO, readable=False)
    assert run({"type": "file-exists", "glob": "x"}, repo=unreadable).status == Status.NO_DATA


def test_own_next_step_replaces_the_default():
    result = run({"type": "field-present", "path": "links.chat", "next_step": "Open a channel."})
    assert result.next_step == "Open a channel."


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "field-present", "path": "mision"},
        {"type": "field-present", "path": "links.docs.url"},
        {"type": "count-at-least", "path": "audience", "n": 0},
        {"type": "count-at-least", "path": "audience"},
        {"type": "file-exists", "glob": "../secrets/*"},
        {"type": "file-exists", "glob": "/etc/passwd"},
        {"type": "file-exists", "glob": "x", "path": "mission"},
        {"type": "regex-matches", "path": "mission"},
    ],
)
def test_invalid_rules_are_refused(spec: dict[str, Any]):
    with pytest.raises(ValidationError):
        ADAPTER.validate_python({"key": "r", **spec})


def test_check_path_suggests_and_follows_models():
    assert check_path("interfaces.provides") is None
    assert check_path("steady_state.handover_guide") is None
    assert check_path("annotations.anything-goes") is None
    assert "did you mean `vision`" in (check_path("visoin") or "")


def test_resolve_walks_models_and_dicts():
    product = make_product(annotations={"tier": "1"})
    assert resolve(product, "alignment.kind") == "direct"
    assert resolve(product, "annotations.tier") == "1"
    assert resolve(make_product(alignment=...), "alignment.why") is None
