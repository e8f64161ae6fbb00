"""The characteristics file: defaults, organisation overrides, and located errors."""

from __future__ import annotations

import textwrap

import pytest

from productize.domain.assessment.characteristics import (
    default_characteristics,
    load_characteristics,
)
from productize.domain.assessment.rules import RULES
from productize.domain.descriptors import Stage

CONCEPT_KEYS = [
    "well-defined",
    "clear-interfaces",
    "owned",
    "mission-aligned",
    "vision-and-roadmap",
    "feedback-loop",
    "standalone-value",
    "testable",
    "sustainable",
    "steady-state",
    "general",
    "community",
    "brand",
]


def load(text: str):
    return load_characteristics(textwrap.dedent(text), "org/characteristics.yaml")


def test_defaults_hold_the_thirteen_characteristics_of_the_concept():
    chars, findings = load_characteristics(None, "unused")
    assert findings == []
    assert sorted(c.key for c in chars.characteristics) == sorted(CONCEPT_KEYS)
    for c in chars.characteristics:
        assert c.title and c.meaning and c.weight > 0 and c.rules
        assert all(key in RULES for key in c.rules)


def test_every_built_in_rule_is_used_by_a_default_characteristic_or_is_optional():
    used = {key for c in default_characteristics().characteristics for key in c.rules}
    assert set(RULES) - used <= {"repo-readme", "repo-licence"}


def test_override_rewords_reweights_moves_adds_and_retires():
    chars, findings = load(
        """
        rules:
          - {key: has-runbook, type: file-exists, glob: "docs/runbook*.md"}
        characteristics:
          - key: brand
            retired: true
          - key: owned
            title: Has a custodian
            weight: 20
          - key: testable
            expected_from: established
          - key: on-call
            title: Someone is on call
            meaning: Someone answers when it breaks at night.
            expected_from: growing
            rules: [has-runbook]
        """
    )
    assert findings == []
    keys = [c.key for c in chars.characteristics]
    assert "brand" not in keys and chars.retired == ("brand",)
    assert keys[-1] == "on-call"
    owned = chars.get("owned")
    assert owned is not None
    assert (owned.title, owned.weight) == ("Has a custodian", 20)
    assert owned.meaning == default_characteristics().get("owned").meaning  # type: ignore[union-attr]
    assert chars.get("testable").expected_from == Stage.ESTABLISHED
    on_call = chars.get("on-call")
    assert on_call is not None and on_call.weight == 5 and on_call.rules == ("has-runbook",)
    assert chars.rule("has-runbook")[0] == "has-runbook"


def test_extends_none_starts_from_an_empty_set():
    chars, findings = load(
        """
        extends: none
        characteristics:
          - {key: owned, title: Owned, meaning: Someone owns it., expected_from: idea,
             rules: [owner-declared]}
        """
    )
    assert findings == []
    assert [c.key for c in chars.characteristics] == ["owned"]


def test_unknown_rule_key_is_located_with_did_you_mean():
    chars, findings = load(
        """
        characteristics:
          - key: owned
            rules: [owner-declared, owner-resolves]
        """
    )
    assert len(findings) == 1
    f = findings[0]
    assert (f.code, f.line, f.column) == ("unknown-rule", 4, 29)
    assert f.hint == "did you mean `owners-resolve`?"
    assert f.field == "characteristics[0].rules[1]"
    assert chars is default_characteristics()  # a bad file never stops assessment


def test_unknown_field_is_located_with_did_you_mean():
    _, findings = load(
        """
        characteristics:
          - key: owned
            wieght: 3
        """
    )
    assert [(f.code, f.line, f.column, f.hint) for f in findings] == [
        ("unknown-field", 4, 5, "did you mean `weight`?")
    ]


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("characteristics:\n  - key: owned\n    weight: -1\n", "invalid-value", 3),
        ("characteristics:\n  - key: owned\n    expected_from: someday\n", "invalid-value", 3),
        ("characteristics:\n  - key: owned\n    expected_from: retired\n", "bad-stage", 3),
        ("characteristics:\n  - key: new-one\n    title: New\n", "missing-field", 2),
        ("characteristics:\n  - key: owned\n  - key: owned\n", "duplicate-key", 3),
        ("characteristics: [\n", "yaml-syntax", 2),
        ("- just\n- a list\n", "not-a-mapping", 1),
        ("a: &x [1]\nb: *x\n", "unsafe-yaml", 2),
        ("version: 2\n", "invalid-value", 1),
        (
            "rules:\n  - {key: owner-declared, type: field-present, path: owners}\n",
            "rule-key-taken",
            2,
        ),
        ("rules:\n  - {key: x, type: field-present, path: links.doc}\n", "invalid-value", 2),
        ("rules:\n  - {key: x, type: no-such-type}\n", "invalid-value", 2),
    ],
)
def test_bad_files_give_located_errors(text: str, code: str, line: int):
    chars, findings = load_characteristics(text, "c.yaml")
    assert findings, "a bad file must be reported"
    assert findings[0].code == code, findings
    assert findings[0].line == line, findings
    assert findings[0].path == "c.yaml"
    assert chars is default_characteristics()


def test_bad_declarative_path_suggests_the_field():
    _, findings = load(
        """
        rules:
          - {key: docs-link, type: field-present, path: links.doc}
        """
    )
    assert "did you mean `docs`?" in findings[0].message


def test_new_characteristic_missing_fields_names_them():
    _, findings = load("characteristics:\n  - {key: extra, title: Extra}\n")
    assert "meaning, expected_from, rules" in findings[0].message


def test_oversized_file_is_refused():
    _, findings = load_characteristics("#" * 1_000_001, "big.yaml")
    assert findings[0].code == "too-large"


def test_empty_file_means_defaults_unchanged():
    chars, findings = load_characteristics("", "empty.yaml")
    assert findings == []
    assert [c.key for c in chars.characteristics] == [
        c.key for c in default_characteristics().characteristics
    ]


def test_unknown_field_in_a_declarative_rule_suggests_the_field():
    _, findings = load_characteristics(
        "rules:\n  - key: x\n    type: field-present\n    pth: links.docs\n", "c.yaml"
    )
    unknown = next(f for f in findings if f.code == "unknown-field")
    assert (unknown.line, unknown.column, unknown.hint) == (4, 5, "did you mean `path`?")
