"""`export_catalog`: the catalog written back as descriptors, and the round trip through ingest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from productize.catalog.models import (
    Consumption,
    Loop,
    Membership,
    Organization,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)
from productize.catalog.services.rows import ENTITY_MODELS, canonical_documents
from productize.ingest.export import ExportError, export_catalog
from productize.ingest.models import IngestProblem, RunStatus, Source
from productize.ingest.runner import ingest_path
from tests.conftest import DEMO_ORG
from tests.ingest.trees import small_catalog, write

pytestmark = pytest.mark.django_db


def catalog_dump() -> dict[str, Any]:
    """Everything the catalog says, independent of row ids, sources and file paths."""
    dump: dict[str, Any] = {}
    for kind, model in ENTITY_MODELS.items():
        ids = dict(model.objects.values_list("id", "slug"))  # type: ignore[attr-defined]
        documents = canonical_documents(kind, ids)
        dump[kind] = {ids[pk]: document for pk, document in documents.items()}
    dump["resolved"] = {
        "product.loop": sorted(Product.objects.values_list("slug", "loop__slug")),
        "product.part_of": sorted(Product.objects.values_list("slug", "part_of__slug")),
        "loop.parent": sorted(Loop.objects.values_list("slug", "parent__slug")),
        "team.parent": sorted(Team.objects.values_list("slug", "parent__slug")),
        "owners": sorted(
            (o.product.slug if o.product else f"loop:{o.loop.slug}", o.ref, o.resolved)  # type: ignore[union-attr]
            for o in Ownership.objects.select_related("product", "loop")
        ),
        "consumes": sorted(
            Consumption.objects.values_list("consumer__slug", "interface_ref", "interface__ref")
        ),
        "memberships": sorted(Membership.objects.values_list("team__slug", "person__slug")),
        "tags": sorted(ProductTag.objects.values_list("product__slug", "tag")),
        "search": sorted(Product.objects.values_list("slug", "search_text")),
    }
    return dump


def wipe_catalog() -> None:
    for model in (Product, Loop, Team, Person, Organization):
        model.objects.all().delete()
    Source.objects.all().delete()


def round_trip(tree: Path, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    first = ingest_path(location=tree)
    assert first.status != RunStatus.FAILED, first.message
    before = catalog_dump()
    export_catalog(out)
    wipe_catalog()
    second = ingest_path(location=out)
    assert second.status != RunStatus.FAILED, second.message
    return before, catalog_dump()


def test_round_trip_of_a_small_catalog(tmp_path: Path) -> None:
    tree = small_catalog(tmp_path / "in")
    # Multi-line text and unusual characters survive the trip too.
    write(
        tree,
        "products/notes/product.yaml",
        "kind: product\nid: notes\nname: Notes — «draft»\n"
        "mission: |\n  Line one.\n  Line two: yes\n"
        "annotations: {tier: '1', 'on': 'no'}\nsteady_state: {open_context: [who knows]}\n",
    )
    before, after = round_trip(tree, tmp_path / "out")

    assert after == before
    assert before["product"]["notes"]["mission"] == "Line one.\nLine two: yes"
    assert not IngestProblem.objects.filter(current=True).exists()


def test_round_trip_of_the_demo_organisation(tmp_path: Path) -> None:
    assert DEMO_ORG.is_dir(), "the bundled demo organisation exists"
    before, after = round_trip(DEMO_ORG, tmp_path / "out")
    assert len(before["product"]) >= 20
    assert after == before


def test_layout_is_one_a_person_would_write(tmp_path: Path) -> None:
    ingest_path(location=small_catalog(tmp_path / "in"))
    out = tmp_path / "out"

    counts = export_catalog(out)

    assert counts == {"organization": 1, "loop": 2, "team": 1, "person": 2, "product": 3}
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert files == [
        "loops.productize.yaml",
        "organization.yaml",
        "people.productize.yaml",
        "products/ledger/product.yaml",
        "products/payments/product.yaml",
        "products/search/product.yaml",
        "teams.productize.yaml",
    ]
    payments = yaml.safe_load((out / "products/payments/product.yaml").read_text())
    assert list(payments)[:3] == ["kind", "id", "name"]
    assert payments["interfaces"]["consumes"] == [
        {"interface": "ledger/events", "why": "to book each payment"}
    ]
    ledger = yaml.safe_load((out / "products/ledger/product.yaml").read_text())
    assert ledger["interfaces"]["consumes"] == ["payments/api"]  # the short form when it can


def test_export_refuses_a_directory_with_files_unless_forced(tmp_path: Path) -> None:
    ingest_path(location=small_catalog(tmp_path / "in"))
    out = tmp_path / "out"
    write(out, "keep.txt", "mine\n")
    with pytest.raises(ExportError, match="not empty"):
        export_catalog(out)
    export_catalog(out, overwrite=True)
    assert (out / "keep.txt").read_text() == "mine\n"
    assert (out / "organization.yaml").exists()
