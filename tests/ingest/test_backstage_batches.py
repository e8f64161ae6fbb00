"""A Backstage import held packed and written in batches gives the same catalog as one batch.

Mapped documents are held as packed bytes (`domain.backstage.packed`) and the sync unpacks
one batch at a time (bench/RESULTS.md, "Backstage import"). Here the batches are forced
down to 2 and 3 documents, so that every cross-batch reference (consumed interfaces,
owners, loops, memberships), every removal, clash and finding must still come out as with
the default sizes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Ownership,
    Person,
    Product,
    Team,
)
from productize.catalog.services import sync as sync_module
from productize.ingest import hooks
from productize.ingest.export import export_backstage_catalog, export_catalog
from productize.ingest.models import IngestProblem, IngestRun, RunStatus, Source
from productize.ingest.runner import ingest_path
from productize.ingest.services import source_remove
from tests.ingest.trees import write

pytestmark = pytest.mark.django_db
CATALOG_KINDS = ("organization", "loop", "team", "person", "product")


@pytest.fixture(autouse=True)
def _without_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The ingest alone: re-assessment after it is not what is compared (and is slow)."""
    monkeypatch.setattr(hooks, "_handlers", [])


GENERATOR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_catalog.py"
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "backstage"


def _small_batches(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    monkeypatch.setattr(sync_module, "CREATE_BATCH", size)
    monkeypatch.setattr(sync_module, "UPDATE_BATCH", size)
    monkeypatch.setattr(sync_module, "WRITE_BATCH", size)


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def _state(run: IngestRun, tmp: Path) -> dict[str, Any]:
    """The catalog (exported both ways, plus resolved keys and hashes), the run's problems
    and audit records: everything an ingest decides, without row ids or times."""
    shutil.rmtree(tmp, ignore_errors=True)
    export_catalog(tmp / "native")
    export_backstage_catalog(tmp / "backstage")
    return {
        "native": _files(tmp / "native"),
        "backstage": _files(tmp / "backstage"),
        "hashes": sorted(
            (model.__name__, *row)
            for model in (Product, Loop, Team, Person)
            for row in model.objects.values_list("slug", "descriptor_hash", "source_line")
        ),
        "keys": sorted(
            Product.objects.values_list("slug", "loop__slug", "part_of__slug", "loop_ref")
        ),
        "consumes": sorted(
            Consumption.objects.values_list("consumer__slug", "interface_ref", "interface__ref")
        ),
        "owners": sorted(
            Ownership.objects.values_list(
                "product__slug", "loop__slug", "team__slug", "person__slug"
            ),
            key=repr,
        ),
        "members": sorted(Membership.objects.values_list("team__slug", "person__slug")),
        "interfaces": Interface.objects.count(),
        "problems": sorted(
            IngestProblem.objects.filter(run=run).values_list(
                "path", "line", "column", "severity", "code", "message", "product_slug"
            )
        ),
        "audit": sorted(
            ChangeRecord.objects.filter(
                ingest_run_id=run.pk, object_type__in=CATALOG_KINDS
            ).values_list("action", "object_type", "object_id", "after"),
            key=repr,
        ),
        "counts": (run.status, run.created, run.updated, run.removed, run.errors, run.warnings),
    }


def _generated(tmp_path: Path, entities: int = 300) -> Path:
    out = tmp_path / "gen"
    subprocess.run(
        [
            sys.executable,
            str(GENERATOR),
            "--entities",
            str(entities),
            "--out",
            str(out),
            "--seed",
            "3",
        ],
        check=True,
        capture_output=True,
    )
    return out


def _forget(location: Path) -> None:
    """Remove the source of `location` and all it declared (a fresh start, same database)."""
    source = Source.objects.get(location=str(location))
    source_remove(actor=Actor.system("test"), source=source)


def test_batches_of_two_give_the_same_catalog_problems_and_audit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    whole = ingest_path(location=root, backstage_names="all.yaml")
    assert whole.status == RunStatus.SUCCEEDED
    expected = _state(whole, tmp_path / "out")
    assert expected["consumes"] and all(resolved for _, _, resolved in expected["consumes"])
    _forget(root)
    assert not Product.objects.exists()

    _small_batches(monkeypatch, 2)
    batched = ingest_path(location=root, backstage_names="all.yaml")
    assert _state(batched, tmp_path / "out") == expected


def test_batches_of_three_update_remove_and_report_as_one_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run that changes, drops and breaks entities: updates, removals, findings."""
    root = _generated(tmp_path)
    states = []
    for size in (None, 3):
        if size is not None:
            _small_batches(monkeypatch, size)
        shutil.rmtree(tmp_path / "tree", ignore_errors=True)
        tree = shutil.copytree(root, tmp_path / "tree")
        ingest_path(location=tree, backstage_names="all.yaml")
        components = tree / "components" / "components-0001.yaml"
        text = components.read_text()
        components.write_text(text.replace("lifecycle: production", "lifecycle: deprecated", 5))
        users = tree / "users" / "users-0001.yaml"
        people = users.read_text().split("\n---\n")
        users.write_text("\n---\n".join(people[:2] + people[5:]))  # 3 fewer: teams name them
        changed = ingest_path(location=tree, backstage_names="all.yaml")
        assert changed.updated and changed.removed and changed.errors
        states.append(_state(changed, tmp_path / "out"))
        _forget(tree)
    assert states[0] == states[1]


def test_a_product_claimed_by_two_sources_is_refused_in_any_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_batches(monkeypatch, 2)
    first = ingest_path(location=shutil.copytree(CORPUS / "basic", tmp_path / "one"))
    assert first.status == RunStatus.SUCCEEDED
    products = set(Product.objects.values_list("slug", flat=True))
    second = ingest_path(location=shutil.copytree(CORPUS / "basic", tmp_path / "two"))
    assert second.created == 0 and second.status == RunStatus.PARTIAL
    refused = IngestProblem.objects.filter(source=second.source, code="id-claimed-elsewhere")
    assert {p.product_slug for p in refused} >= products
    assert set(Product.objects.values_list("slug", flat=True)) == products
    assert not Product.objects.exclude(source=first.source).exists()


def test_the_same_id_twice_in_one_import_is_a_clash_across_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`shop-checkout` and `shop/checkout` both map to one id: the second is renamed
    (warning), and products consuming an API across batches still resolve."""
    _small_batches(monkeypatch, 2)
    entity = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: {name}, namespace: {ns}}}
spec: {{type: service, lifecycle: production, owner: group:default/team-a{extra}}}
"""
    group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: team-a}\n"
    group += "spec: {type: team, children: []}\n"
    api = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: pay-api}\n"
    api += "spec: {type: openapi, lifecycle: production, owner: team-a, definition: x}\n"
    docs = [
        entity.format(name="checkout", ns="default", extra=", providesApis: [pay-api]"),
        entity.format(name="checkout", ns="shop", extra=""),
        entity.format(name="shop-checkout", ns="default", extra=""),
        *(
            entity.format(name=f"user-{i}", ns="default", extra=", consumesApis: [pay-api]")
            for i in range(5)
        ),
        group,
        api,
    ]
    write(tmp_path / "repo", "catalog-info.yaml", "---\n".join(docs))
    run = ingest_path(location=tmp_path / "repo")
    assert run.status == RunStatus.SUCCEEDED
    assert IngestProblem.objects.filter(run=run, code="backstage-id-collision").count() == 1
    slugs = set(Product.objects.values_list("slug", flat=True))
    assert slugs >= {"checkout", "shop-checkout", "shop-checkout-2"}
    resolved = Consumption.objects.filter(interface__ref="checkout/pay-api")
    assert resolved.count() == 5
    assert Ownership.objects.filter(team__slug="team-a").count() == Product.objects.count()
