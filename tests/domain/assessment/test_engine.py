"""Assessment: combining rules, levels, ranked next steps, signals and score."""

from __future__ import annotations

import json
from typing import Any

import pytest

from productize.domain.assessment.characteristics import load_characteristics
from productize.domain.assessment.engine import Level, assess, combine
from productize.domain.assessment.evidence import CatalogEvidence
from productize.domain.assessment.rules import Status
from productize.domain.descriptors import ProductDoc
from tests.domain.assessment.conftest import FULL_CATALOG, FULL_LOOP, FULL_REPO, make_product

S = Status


def full(product: ProductDoc, **kwargs: Any):
    evidence = {"repo": FULL_REPO, "catalog": FULL_CATALOG, "loop": FULL_LOOP, **kwargs}
    return assess(product, **evidence)


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([S.MET, S.MET], S.MET),
        ([S.MET, S.NOT_APPLICABLE, S.NO_DATA], S.MET),
        ([S.NOT_MET, S.NOT_MET], S.NOT_MET),
        ([S.MET, S.NOT_MET], S.PARTLY_MET),
        ([S.PARTLY_MET], S.PARTLY_MET),
        ([S.NO_DATA, S.NOT_APPLICABLE], S.NO_DATA),
        ([S.NOT_APPLICABLE], S.NOT_APPLICABLE),
    ],
)
def test_combine(statuses: list[Status], expected: Status):
    assert combine(statuses) is expected


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({}, Level.MAINTAINED),
        ({"brand__display_name": ...}, Level.GROWING),  # brand is expected from maintained
        ({"vision": ..., "stage": "growing"}, Level.ESTABLISHED),
        ({"scope__does_not": []}, Level.PROTOTYPE),  # well-defined is expected from established
        ({"owners": []}, Level.IDEA),
        ({"alignment": ...}, Level.NONE),
    ],
)
def test_level_is_the_highest_stage_whose_expectations_are_all_met(
    changes: dict[str, Any], level: Level
):
    result = full(make_product(**changes))
    assert result.level is level, [(c.key, c.observed) for c in result.characteristics]


def test_a_product_that_meets_nothing_is_not_yet_a_product():
    bare = ProductDoc.model_validate({"kind": "product", "id": "x", "name": "X"})
    result = assess(bare)
    assert result.level is Level.NONE
    assert result.level_title == "Not yet a product"
    assert result.score == 0


def test_complete_product_scores_100_without_next_steps():
    result = full(make_product())
    assert (result.score, result.next_steps, result.not_yet_a_product) == (100, (), False)


def test_missing_evidence_does_not_block_the_level_but_is_listed():
    result = assess(make_product())  # no repository, catalog or loop
    assert result.level is Level.MAINTAINED
    assert {"testable", "general"} <= set(result.unverified)
    statuses = {c.key: c.observed for c in result.characteristics}
    assert statuses["testable"] is Status.NO_DATA
    assert statuses["feedback-loop"] is Status.MET  # judged on the declared channel alone


def test_characteristics_before_their_stage_show_not_expected():
    result = full(make_product(stage="idea", vision=...))
    shown = {c.key: c for c in result.characteristics}
    assert shown["vision-and-roadmap"].status is Status.NOT_EXPECTED
    assert shown["vision-and-roadmap"].observed is Status.PARTLY_MET
    assert shown["owned"].status is Status.MET  # met before its stage is shown as met
    assert shown["mission-aligned"].expected


def test_next_steps_unblock_the_next_level_first_then_by_weight():
    product = make_product(
        stage="growing",
        scope__does_not=[],  # well-defined (established, weight 10)
        links__feedback=[],  # feedback-loop (established, weight 9)
        vision=...,  # vision-and-roadmap (growing)
        brand__display_name=...,  # brand (maintained)
    )
    result = full(product, loop=None)
    order = [(s.characteristic, s.unblocks) for s in result.next_steps]
    assert order == [
        ("well-defined", Level.ESTABLISHED),
        ("feedback-loop", Level.ESTABLISHED),
        ("vision-and-roadmap", Level.GROWING),
        ("brand", Level.MAINTAINED),
    ]
    assert result.level is Level.PROTOTYPE
    assert result.next_steps[0].text.startswith("Add a `does_not` list")


def test_two_job_mission_signals_not_yet_a_product():
    result = full(make_product(mission="Record orders and also handle refunds."))
    assert result.not_yet_a_product
    assert "two jobs" in result.not_yet_reasons[0]
    assert "split" in result.not_yet_reasons[0]


def test_never_fitting_characteristic_signals_not_yet_a_product():
    marked = full(make_product(), never_fits=["standalone-value"])
    assert marked.not_yet_a_product
    assert "feature of that product" in marked.not_yet_reasons[0]
    annotated = full(make_product(annotations={"productize.never-fits": "testable"}))
    assert annotated.not_yet_reasons[0].startswith("`testable`")


def test_retired_products_get_no_next_steps():
    assert full(make_product(stage="retired", vision=...)).next_steps == ()


def test_score_weights_partly_met_as_half():
    chars, _ = load_characteristics(
        """
        extends: none
        characteristics:
          - {key: a, title: A, meaning: A., expected_from: idea, weight: 3,
             rules: [owner-declared]}
          - {key: b, title: B, meaning: B., expected_from: idea, weight: 1,
             rules: [vision-present, display-name]}
          - {key: c, title: C, meaning: C., expected_from: idea, weight: 5,
             rules: [feedback-recent]}
        """,
        "c.yaml",
    )
    result = assess(make_product(brand__display_name=...), chars)  # c has no data
    assert [c.observed for c in result.characteristics] == [
        Status.MET,
        Status.PARTLY_MET,
        Status.NO_DATA,
    ]
    assert result.score == round(100 * (3 + 0.5) / 4)


def test_organisation_file_changes_the_level():
    chars, findings = load_characteristics(
        """
        rules:
          - {key: runbook, type: file-exists, glob: "docs/runbook.md"}
          - {key: two-owners, type: count-at-least, path: owners, n: 3}
        characteristics:
          - {key: owned, rules: [owner-declared, two-owners]}
          - {key: brand, retired: true}
          - key: on-call
            title: On call
            meaning: Someone answers at night.
            expected_from: growing
            rules: [runbook]
        """,
        "org.yaml",
    )
    assert findings == []
    result = full(make_product(brand__display_name=...), characteristics=chars)
    assert result.level is Level.IDEA  # owned now needs three owners
    keys = [c.key for c in result.characteristics]
    assert "brand" not in keys and "on-call" in keys


def test_catalog_evidence_feeds_general_and_owned():
    catalog = CatalogEvidence(consumer_products=("a",), former_owners=("jonas",))
    result = full(make_product(), catalog=catalog)
    observed = {c.key: c.observed for c in result.characteristics}
    assert observed["general"] is Status.PARTLY_MET
    assert observed["owned"] is Status.PARTLY_MET
    assert result.level is Level.IDEA


def test_as_dict_is_json_ready():
    data = full(make_product(vision=...)).as_dict()
    text = json.dumps(data)
    assert '"level": "established"' in text
    assert data["next_steps"][0]["unblocks"] == "growing"
