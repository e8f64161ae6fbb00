"""Every built-in rule, with cases that pass and cases that fail."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from productize.domain.assessment.evidence import CatalogEvidence, LoopEvidence, SpecEvidence
from productize.domain.assessment.rules import RULES, RuleResult, Status, rule
from tests.domain.assessment.conftest import (
    FULL_CATALOG,
    FULL_LOOP,
    FULL_REPO,
    make_evidence,
    make_product,
)

MET, PARTLY, NOT_MET = Status.MET, Status.PARTLY_MET, Status.NOT_MET
NA, NO_DATA = Status.NOT_APPLICABLE, Status.NO_DATA
MISSING = ...

# (rule, descriptor changes, evidence changes, expected status)
CASES: list[tuple[str, dict[str, Any], dict[str, Any], Status]] = [
    ("mission-present", {}, {}, MET),
    ("mission-present", {"mission": MISSING}, {}, NOT_MET),
    ("mission-plain", {}, {}, MET),
    ("mission-plain", {"mission": "Leverage synergy for our platform."}, {}, PARTLY),
    (
        "mission-plain",
        {"mission": "Leverage our best-in-class platform to streamline SKU flows for B2B."},
        {},
        NOT_MET,
    ),
    ("mission-plain", {"mission": MISSING}, {}, NA),
    ("mission-single-job", {}, {}, MET),
    ("mission-single-job", {"mission": "Record orders and also handle refunds."}, {}, NOT_MET),
    ("mission-single-job", {"mission": MISSING}, {}, NA),
    ("does-listed", {}, {}, MET),
    ("does-listed", {"scope.does": []}, {}, NOT_MET),
    ("does-not-listed", {}, {}, MET),
    ("does-not-listed", {"scope.does_not": []}, {}, NOT_MET),
    ("scope-distinct", {}, {}, MET),
    ("scope-distinct", {"scope.does_not": ["record new orders!"]}, {}, NOT_MET),
    ("scope-distinct", {"scope.does": ["A", "a"]}, {}, NOT_MET),
    ("scope-distinct", {"scope": {}}, {}, NA),
    ("interfaces-declared", {}, {}, MET),
    ("interfaces-declared", {"interfaces": {}}, {}, NOT_MET),
    ("interfaces-described", {}, {}, MET),
    ("interfaces-described", {"interfaces.provides": [{"name": "x", "kind": "ui"}]}, {}, NOT_MET),
    (
        "interfaces-described",
        {
            "interfaces.provides": [
                {"name": "x", "kind": "ui"},
                {"name": "y", "kind": "ui", "description": "The y."},
            ]
        },
        {},
        PARTLY,
    ),
    ("interfaces-described", {"interfaces": {}}, {}, NA),
    ("stable-interfaces-documented", {}, {}, MET),
    (
        "stable-interfaces-documented",
        {"interfaces.provides": [{"name": "x", "kind": "api", "stability": "stable"}]},
        {},
        NOT_MET,
    ),
    (  # a stable screen is explained by the product's docs ...
        "stable-interfaces-documented",
        {"interfaces.provides": [{"name": "x", "kind": "ui", "stability": "stable"}]},
        {},
        MET,
    ),
    (  # ... but not without them
        "stable-interfaces-documented",
        {
            "interfaces.provides": [{"name": "x", "kind": "ui", "stability": "stable"}],
            "links.docs": MISSING,
        },
        {},
        NOT_MET,
    ),
    (
        "stable-interfaces-documented",
        {"interfaces.provides": [{"name": "x", "kind": "api"}]},
        {},
        NA,
    ),
    ("interface-specs-valid", {}, {}, MET),
    ("interface-specs-valid", {}, {"repo": None}, NO_DATA),
    (
        "interface-specs-valid",
        {},
        {
            "repo": replace(
                FULL_REPO,
                specs=(SpecEvidence("orders-api", "openapi.yaml", False, problem="not found"),),
            )
        },
        NOT_MET,
    ),
    (
        "interface-specs-valid",
        {},
        {
            "repo": replace(
                FULL_REPO,
                specs=(
                    SpecEvidence(
                        "orders-api", "openapi.yaml", True, False, problem="does not parse"
                    ),
                ),
            )
        },
        NOT_MET,
    ),
    ("interface-specs-valid", {"interfaces": {}}, {}, NA),
    ("consumed-through-declared", {}, {}, MET),
    ("consumed-through-declared", {}, {"catalog": None}, NO_DATA),
    (
        "consumed-through-declared",
        {},
        {"catalog": CatalogEvidence(undeclared_consumption=("shop uses orders/db",))},
        NOT_MET,
    ),
    ("owner-declared", {}, {}, MET),
    ("owner-declared", {"owners": []}, {}, NOT_MET),
    ("owners-resolve", {}, {}, MET),
    ("owners-resolve", {}, {"catalog": None}, NO_DATA),
    ("owners-resolve", {"owners": []}, {}, NA),
    ("owners-resolve", {}, {"catalog": CatalogEvidence(unknown_owners=("jonas",))}, PARTLY),
    (
        "owners-resolve",
        {},
        {"catalog": CatalogEvidence(unknown_owners=("jonas",), former_owners=("team:storefront",))},
        NOT_MET,
    ),
    ("alignment-declared", {}, {}, MET),
    ("alignment-declared", {"alignment": MISSING}, {}, NOT_MET),
    ("alignment-declared", {"alignment.why": "Money."}, {}, PARTLY),
    ("vision-present", {}, {}, MET),
    ("vision-present", {"vision": MISSING}, {}, NOT_MET),
    ("roadmap-present", {}, {}, MET),
    ("roadmap-present", {}, {"loop": None}, NO_DATA),
    ("roadmap-present", {}, {"loop": LoopEvidence(roadmap_later=2)}, PARTLY),
    ("roadmap-present", {}, {"loop": LoopEvidence()}, NOT_MET),
    ("feedback-channel-declared", {}, {}, MET),
    ("feedback-channel-declared", {"links.feedback": []}, {"loop": None}, NOT_MET),
    ("feedback-channel-declared", {"links.feedback": []}, {}, MET),  # connected in the loop
    ("feedback-recent", {}, {}, MET),
    ("feedback-recent", {}, {"loop": None}, NO_DATA),
    ("feedback-recent", {}, {"loop": LoopEvidence(channels=1)}, NOT_MET),
    ("feedback-triaged", {}, {}, MET),
    ("feedback-triaged", {}, {"loop": None}, NO_DATA),
    ("feedback-triaged", {}, {"loop": LoopEvidence(recent_feedback=3)}, NOT_MET),
    ("feedback-triaged", {}, {"loop": LoopEvidence(patterns=1, days_since_triage=60)}, PARTLY),
    ("has-users", {}, {}, MET),
    ("has-users", {"audience": []}, {}, MET),  # consumers count as users
    ("has-users", {"audience": []}, {"catalog": None}, NOT_MET),
    ("consumers-beyond-first", {}, {}, MET),
    ("consumers-beyond-first", {}, {"catalog": None}, NO_DATA),
    ("consumers-beyond-first", {}, {"catalog": CatalogEvidence(consumer_products=("a",))}, PARTLY),
    ("consumers-beyond-first", {}, {"catalog": CatalogEvidence()}, NOT_MET),
    ("repo-tests", {}, {}, MET),
    ("repo-tests", {}, {"repo": None}, NO_DATA),
    ("repo-tests", {}, {"repo": replace(FULL_REPO, tests=False)}, NOT_MET),
    ("repo-ci", {}, {}, MET),
    ("repo-ci", {}, {"repo": replace(FULL_REPO, ci=False)}, NOT_MET),
    ("repo-ci", {}, {"repo": replace(FULL_REPO, readable=False, problems=("gone",))}, NO_DATA),
    ("repo-releases", {}, {}, MET),
    ("repo-releases", {}, {"repo": replace(FULL_REPO, changelog=False)}, NOT_MET),
    ("repo-readme", {}, {}, MET),
    ("repo-readme", {}, {"repo": replace(FULL_REPO, readme=False)}, NOT_MET),
    ("repo-licence", {}, {}, MET),
    ("repo-licence", {}, {"repo": replace(FULL_REPO, licence=False)}, NOT_MET),
    ("resourcing-known", {}, {}, MET),
    ("resourcing-known", {"resourcing": {"cost": "10 EUR"}}, {}, PARTLY),
    ("resourcing-known", {"resourcing": {}}, {}, NOT_MET),
    ("docs-available", {}, {}, MET),
    ("docs-available", {"links.docs": MISSING}, {}, MET),  # docs folder in the repository
    (
        "docs-available",
        {"links.docs": MISSING},
        {"repo": replace(FULL_REPO, docs_dir=False)},
        PARTLY,
    ),
    (
        "docs-available",
        {"links.docs": MISSING},
        {"repo": replace(FULL_REPO, docs_dir=False, readme=False)},
        NOT_MET,
    ),
    ("handover-guide", {}, {}, MET),
    ("handover-guide", {"steady_state": {}}, {}, NOT_MET),
    ("no-open-context", {}, {}, MET),
    ("no-open-context", {"steady_state": ...}, {}, NA),
    ("no-open-context", {"steady_state.open_context": ["Why it double-charges"]}, {}, NOT_MET),
    ("community-space", {}, {}, MET),
    ("community-space", {"links.community": MISSING, "links.chat": "https://chat"}, {}, PARTLY),
    ("community-space", {"links.community": MISSING}, {}, NOT_MET),
    ("contributing-guide", {}, {}, MET),
    ("contributing-guide", {}, {"repo": replace(FULL_REPO, contributing=False)}, NOT_MET),
    ("display-name", {}, {}, MET),
    ("display-name", {"brand.display_name": MISSING}, {}, NOT_MET),
    ("logo", {}, {}, MET),
    ("logo", {}, {"repo": replace(FULL_REPO, logo=False)}, NOT_MET),
    ("logo", {"brand.logo": MISSING}, {"repo": replace(FULL_REPO, logo=True)}, PARTLY),
    ("logo", {"brand.logo": MISSING}, {"repo": None}, NOT_MET),
]


def _evidence(changes: dict[str, Any], overrides: dict[str, Any]) -> Any:
    product = make_product(**{k.replace(".", "__"): v for k, v in changes.items()})
    kwargs = {"repo": FULL_REPO, "catalog": FULL_CATALOG, "loop": FULL_LOOP, **overrides}
    return make_evidence(product, **kwargs)


@pytest.mark.parametrize(
    ("key", "changes", "overrides", "expected"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(key: str, changes: dict[str, Any], overrides: dict[str, Any], expected: Status):
    result = RULES[key].fn(_evidence(changes, overrides))
    assert result.status == expected, result
    if expected in (NOT_MET, PARTLY):
        assert result.next_step and result.next_step.endswith("."), "one concrete sentence"
    else:
        assert result.next_step is None
    assert result.evidence, "every result says what it looked at"


def test_every_rule_has_a_passing_and_a_failing_case():
    statuses: dict[str, set[Status]] = {key: set() for key in RULES}
    for key, *_, expected in CASES:
        statuses[key].add(expected)
    untested = [
        k for k, seen in statuses.items() if MET not in seen or not seen & {NOT_MET, PARTLY}
    ]
    assert not untested


def test_no_data_is_never_a_pass_when_loop_is_missing():
    evidence = _evidence({}, {"loop": None})
    for key in ("feedback-recent", "feedback-triaged", "roadmap-present"):
        assert RULES[key].fn(evidence).status == NO_DATA


def test_scope_distinct_quotes_the_clashing_item():
    result = RULES["scope-distinct"].fn(_evidence({"scope.does_not": ["Record new orders"]}, {}))
    assert "Record new orders" in result.evidence[0]


def test_registering_a_key_twice_is_refused():
    with pytest.raises(ValueError, match="twice"):
        rule("mission-present", "again")(lambda ev: RuleResult(MET))
