"""`productize check`, `ingest` and `export --format backstage` on Backstage catalogs."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from productize.catalog.models import Loop, Person, Product, Team
from productize.catalog.services.rows import document_from_row
from productize.cli import main
from productize.ingest.models import Source
from tests.domain.backstage.test_export_schema import _schemas
from tests.ingest.trees import write

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "backstage"
GENERATOR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_catalog.py"


def test_check_finds_catalog_info_and_reports_located_findings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check", str(CORPUS / "basic")]) == 0
    out = capsys.readouterr().out
    assert f"{CORPUS / 'basic'}/apis.yaml:80:7: warning[backstage-unknown-kind]" in out
    assert "6 files, 13 documents: 0 errors, 5 warnings" in out

    assert main(["check", "--strict", str(CORPUS / "basic")]) == 1
    capsys.readouterr()
    assert main(["check", "--format", "json", str(CORPUS / "messy")]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] > 0
    codes = {f["code"] for f in report["findings"]}
    assert {"yaml-syntax", "backstage-duplicate-entity", "backstage-unknown-reference"} <= codes
    assert all(f["line"] > 0 and f["column"] > 0 for f in report["findings"])


def test_check_applies_the_ingest_rules_across_both_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
          "metadata: {name: ledger}\nspec: {type: service, lifecycle: production, "
          "owner: group:nobody}\n")  # fmt: skip
    write(tmp_path, "product.yaml", "kind: product\nid: report\nname: Report\n"
          "mission: Shows the books.\ninterfaces: {consumes: [ledger/missing]}\n")  # fmt: skip
    assert main(["check", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    # The set checks' finding points at the Backstage field the owner came from.
    assert "catalog-info.yaml:4:53: error[unknown-reference]: `owners` names team `nobody`" in out
    assert "catalog-info.yaml:4:53: warning[backstage-unknown-reference]" in out
    assert "product.yaml:5:25: error[unknown-reference]" in out and "`missing`" in out
    # Other names only when asked: with --backstage every YAML file is Backstage.
    shutil.move(tmp_path / "catalog-info.yaml", tmp_path / "services.yaml")
    assert main(["check", "--partial", "--backstage", str(tmp_path / "services.yaml")]) == 0
    assert "1 file, 1 document: 0 errors, 1 warning" in capsys.readouterr().out
    assert main(["check", "--backstage-names", "services.yaml", str(tmp_path)]) == 1


def _catalog() -> dict[str, Any]:
    """Every entity as its document plus its stored annotations."""
    out: dict[str, Any] = {}
    querysets: list[tuple[str, Any]] = [
        ("loop", Loop.objects.prefetch_related("ownerships")),
        ("team", Team.objects.all()),
        ("person", Person.objects.all()),
        ("product", Product.objects.prefetch_related("ownerships", "interfaces", "consumptions")),
    ]
    for kind, queryset in querysets:
        for row in queryset:
            out[f"{kind}/{row.slug}"] = (document_from_row(kind, row), row.annotations)
    return out


def _empty_the_catalog() -> None:
    """Start again from an empty database (as far as the catalog goes)."""
    for model in (Product, Person, Team, Loop, Source):
        model.objects.all().delete()


@pytest.mark.django_db
@pytest.mark.parametrize("corpus", ["basic", "complete", "generated"])
def test_ingest_export_ingest_gives_the_same_catalog(
    corpus: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if corpus == "generated":
        source = tmp_path / "gen"
        subprocess.run(
            [sys.executable, str(GENERATOR), "--entities", "500", "--out", str(source)],
            check=True,
            capture_output=True,
        )
        assert main(["ingest", "-q", "--format", "backstage", str(source)]) == 0
    else:
        source = shutil.copytree(CORPUS / corpus, tmp_path / corpus)
        main(["ingest", "-q", str(source)])
    before = _catalog()
    assert any(key.startswith("product/") for key in before)
    out = tmp_path / "export"
    capsys.readouterr()
    assert main(["export", "--format", "backstage", str(out)]) == 0
    assert "Component" in capsys.readouterr().out
    assert main(["export", "--format", "backstage", str(out)]) == 2  # not into a full directory

    _empty_the_catalog()
    assert main(["ingest", "-q", str(out)]) == 0, capsys.readouterr().out
    assert _catalog() == before


@pytest.mark.django_db
def test_exported_files_match_backstage_schemas(tmp_path: Path) -> None:
    kinds, registry = _schemas()
    import jsonschema

    main(["ingest", "-q", str(shutil.copytree(CORPUS / "basic", tmp_path / "in"))])
    write(tmp_path / "native", "product.yaml", "kind: product\nid: plain\nname: Plain\n"
          "mission: Never saw Backstage.\nowners: [team:a, team:b]\n"
          "interfaces: {provides: [{name: feed, kind: event}]}\n")  # fmt: skip
    write(tmp_path / "native", "teams.productize.yaml", "kind: team\nid: a\nname: A\n---\n"
          "kind: team\nid: b\nname: B\nparent: a\n")  # fmt: skip
    main(["ingest", "-q", str(tmp_path / "native")])
    main(["export", "--format", "backstage", str(tmp_path / "out")])
    seen = set()
    for file in (tmp_path / "out").glob("*.yaml"):
        for entity in yaml.safe_load_all(file.read_text()):
            seen.add(entity["kind"])
            if entity["kind"] not in kinds:
                continue
            validator = jsonschema.Draft7Validator(kinds[entity["kind"]], registry=registry)
            errors = [e.message for e in validator.iter_errors(entity)]
            assert errors == [], (file.name, entity["metadata"]["name"], errors)
    assert {"Component", "API", "Group", "User", "Domain", "System", "Location"} <= seen
