"""Repository evidence for many products of one tree: each folder walked once, same evidence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from productize.assessment import evidence as ev
from productize.domain.assessment import evidence as domain
from productize.domain.assessment.evidence import scan_repository
from tests.domain.assessment.conftest import make_product

OPENAPI = "openapi: 3.1.0\ninfo: {title: Orders, version: '1'}\npaths: {}\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders walked, in order."""
    seen: list[Path] = []
    walk = domain._walk

    def counting(root: Path) -> Any:
        seen.append(root)
        return walk(root)

    monkeypatch.setattr(domain, "_walk", counting)
    return seen


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A Backstage-like tree: one file describing several products, and a product folder."""
    write(
        tmp_path,
        {
            "components/all.yaml": "",
            "components/README.md": "# Components",
            "components/tests/test_it.py": "",
            "components/logo.png": "",
            "components/orders.yaml": OPENAPI,
            "components/broken.yaml": "openapi: [",
            "billing/product.yaml": "",
            "billing/brand.svg": "<svg/>",
            "billing/CHANGELOG.md": "",
        },
    )
    return tmp_path


def products() -> list[Any]:
    """Products that differ in what is read per product: the logo and the specs."""
    provides = [{"name": "api", "kind": "api", "stability": "stable", "spec": "orders.yaml"}]
    return [
        make_product(id="orders", interfaces__provides=provides),
        make_product(id="cart", brand__logo="missing.svg", interfaces__provides=[]),
        make_product(
            id="search",
            brand__logo=...,
            interfaces__provides=[{"name": "api", "kind": "api", "spec": "broken.yaml"}],
        ),
        make_product(id="till", interfaces__provides=[{"name": "api", "kind": "api"}]),
    ]


def test_products_sharing_a_folder_walk_it_once_and_get_the_evidence_of_their_own_scan(
    tree: Path, walks: list[Path]
):
    scans = ev.RepoScans(tree, solo=False)
    got = [scans.scan(doc, "components/all.yaml") for doc in products()]
    assert len(walks) == 1
    walks.clear()
    folder = tree / "components"
    expected = [scan_repository(folder, doc, folder) for doc in products()]
    assert len(walks) == len(expected)  # a scan of their own walks the folder each time
    assert got == expected
    assert got[0].specs[0].spec_kind == "openapi" and got[0].logo  # logo.png in the folder
    assert got[2].specs[0].parses is False and got[2].tests and got[2].readme


def test_each_folder_is_walked_once_whatever_the_order_of_products(tree: Path, walks: list[Path]):
    scans = ev.RepoScans(tree, solo=False)
    docs = products()
    for doc, path in zip(
        docs * 2, ["components/all.yaml", "billing/product.yaml"] * 4, strict=True
    ):
        scans.scan(doc, path)
    assert sorted(p.name for p in walks) == ["billing", "components"]
    billing = scans.scan(
        make_product(id="billing", brand__logo="brand.svg"), "billing/product.yaml"
    )
    assert billing.logo and billing.changelog and not billing.readme


def test_a_solo_tree_is_walked_from_its_root(tree: Path, walks: list[Path]):
    scans = ev.RepoScans(tree, solo=True)
    doc = make_product(id="billing", brand__logo="brand.svg")
    assert scans.scan(doc, "billing/product.yaml") == scan_repository(tree, doc, tree / "billing")
    assert walks == [tree.resolve(), tree.resolve()]


def test_an_unreadable_tree_gives_the_same_evidence_to_every_product(tmp_path: Path):
    scans = ev.RepoScans(tmp_path / "gone", solo=True)
    first, second = (scans.scan(doc, "x/product.yaml") for doc in products()[:2])
    assert first == second and not first.readable
    assert first == scan_repository(tmp_path / "gone", products()[0], tmp_path / "gone" / "x")


def test_stored_evidence_is_encoded_once_as_the_json_field_would_store_it(tree: Path):
    scans = ev.RepoScans(tree, solo=False)
    repo = scans.scan(products()[3], "components/all.yaml")
    text, digest = scans.stored(repo)
    assert json.loads(text) == ev.repo_to_json(repo)
    assert text == json.dumps(ev.repo_to_json(repo))
    assert digest == ev.digest(ev.repo_to_json(repo))
    assert scans.stored(scans.scan(products()[3], "components/all.yaml"))[0] is text


@pytest.mark.django_db
def test_an_assessment_run_stores_for_each_product_of_a_shared_folder_its_own_scan(
    tree: Path, walks: list[Path]
):
    from productize.assessment.models import ProductAssessment
    from productize.assessment.services import assess_products
    from productize.audit.services import Actor
    from tests.web import factories as f

    for slug in ("orders", "cart", "till"):
        f.product(slug, source_path="components/all.yaml")
    summary = assess_products(
        slugs={"orders", "cart", "till"},
        actor=Actor.system("test"),
        root=tree,
        product_paths=dict.fromkeys(("orders", "cart", "till"), "components/all.yaml"),
    )
    assert summary.assessed == 3 and len(walks) == 1
    folder = tree / "components"
    for row in ProductAssessment.objects.select_related("product"):
        doc = ev.product_documents(ev.product_rows([row.product_id]))[row.product_id]
        assert not isinstance(doc, str)
        own = scan_repository(folder, doc, folder)
        assert row.repository == ev.repo_to_json(own)
        assert row.repository_digest == ev.digest(ev.repo_to_json(own))
