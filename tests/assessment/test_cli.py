"""`productize check --assess` formats and `--min-level` exit codes; `productize assess`."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from productize.cli import main
from tests.conftest import DEMO_ORG


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--assess", *args])
    return code, capsys.readouterr().out


def test_json_has_every_demo_product_with_the_expected_gaps(capsys) -> None:
    code, out = _run(capsys, "--format", "json", str(DEMO_ORG))
    data = json.loads(out)
    by_id = {p["product"]: p for p in data["products"]}
    assert code == 0 and data["ok"]
    assert by_id["ops-toolkit"]["not_yet_a_product"] is True
    statuses = {c["key"]: c["status"] for c in by_id["stock-sheets"]["characteristics"]}
    assert statuses["owned"] == "not-met"
    statuses = {c["key"]: c["status"] for c in by_id["orders"]["characteristics"]}
    assert statuses["testable"] == "met"  # repository evidence from the working tree


def test_min_level_fails_when_a_product_is_below(capsys) -> None:
    code, out = _run(capsys, "--min-level", "established", str(DEMO_ORG))
    assert code == 1
    assert "below established" in out and "stock-sheets" in out


def test_min_level_passes_when_every_product_reaches_it(capsys) -> None:
    code, _ = _run(capsys, "--min-level", "none", str(DEMO_ORG))
    assert code == 0


def test_one_product_alone(capsys, tmp_path: Path) -> None:
    shutil.copytree(DEMO_ORG / "orders", tmp_path / "orders")
    code, out = _run(capsys, "--format", "text", "--partial", str(tmp_path))
    assert code == 0
    assert "orders:" in out and "1 product(s) assessed" in out


def test_github_annotations(capsys) -> None:
    code, out = _run(capsys, "--format", "github", "--min-level", "idea", str(DEMO_ORG))
    assert code == 1  # gift-boxes and carbon-labels are not even ideas yet
    assert "::error file=" in out and "is below idea" in out
    assert "::notice file=" in out and "title=assess%3A owned" in out


def test_junit_is_well_formed_with_failures(capsys) -> None:
    _, out = _run(capsys, "--format", "junit", str(DEMO_ORG))
    root = ET.fromstring(out)  # noqa: S314 (our own output)
    assert root.tag == "testsuites" and int(root.get("failures", "0")) > 0
    failing = [
        case.get("classname")
        for case in root.iter("testcase")
        if case.get("name") == "owned" and case.find("failure") is not None
    ]
    assert "stock-sheets" in failing


def test_sarif_names_rules_and_locations(capsys) -> None:
    _, out = _run(capsys, "--format", "sarif", str(DEMO_ORG))
    data = json.loads(out)
    assert data["version"] == "2.1.0"
    results = data["runs"][0]["results"]
    shop = [r for r in results if r["message"]["text"].startswith("shop-app:")]
    assert any(r["ruleId"] == "well-defined" for r in shop)
    uri = shop[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("shop-app/product.yaml")


def test_a_broken_characteristics_file_fails_the_check(capsys, tmp_path: Path) -> None:
    shutil.copytree(DEMO_ORG / "orders", tmp_path / "orders")
    (tmp_path / "characteristics.yaml").write_text("characteristics: [{key: Bad Key}]\n")
    code, out = _run(capsys, "--partial", str(tmp_path))
    assert code == 1
    assert "characteristics.yaml:1" in out


def test_junit_and_min_level_need_assess(capsys) -> None:
    assert main(["check", "--format", "junit", str(DEMO_ORG)]) == 2
    assert main(["check", "--min-level", "idea", str(DEMO_ORG)]) == 2


@pytest.mark.django_db(transaction=True)
def test_assess_command_runs_stored_assessment(capsys) -> None:
    from productize.assessment.models import ProductAssessment
    from productize.ingest.runner import ingest_path

    ingest_path(location=DEMO_ORG)
    assert main(["assess", "--all", "--force"]) == 0
    out = capsys.readouterr().out
    assert "assessed" in out
    assert ProductAssessment.objects.filter(product__slug="orders").exists()
    assert main(["assess", "no-such-product"]) == 1
    assert main(["assess"]) == 2
