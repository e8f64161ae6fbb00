"""Real-world files are messy: each problem gets a located finding, the rest still imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from productize.domain.backstage.model import PLACE_ORIGINS, compact_places, places_index
from productize.domain.backstage.reader import BackstageResult, read_backstage
from productize.domain.descriptors import ProductDoc
from productize.domain.yamlload import load_yaml
from tests.domain.backstage.conftest import CORPUS, doc, located, read_case


@pytest.fixture(scope="module")
def messy() -> BackstageResult:
    return read_case("messy")


def test_every_problem_is_located(messy: BackstageResult) -> None:
    got = [(code, line, col) for code, _, line, col in located(messy.findings)]
    assert got == [
        ("backstage-unknown-reference", 8, 10),  # owner group:ghosts
        ("backstage-unknown-reference", 9, 11),  # system nowhere
        ("yaml-syntax", 16, 5),  # the broken document
        ("backstage-unknown-reference", 26, 10),  # user:nobody
        ("backstage-unknown-reference", 27, 18),  # api:missing-api
        ("backstage-unknown-reference", 28, 15),  # dependsOn ghost-thing
        ("backstage-unknown-reference", 28, 28),  # resource:ghost-db
        ("backstage-missing-spec", 30, 1),
        ("backstage-missing-spec", 30, 1),
        ("backstage-missing-spec", 30, 1),
        ("backstage-missing-field", 38, 3),  # no metadata.name
        ("backstage-duplicate-entity", 45, 9),
        ("backstage-id-collision", 52, 9),  # Foo_Bar
        ("backstage-invalid-reference", 56, 10),  # owner "group:"
        ("backstage-unknown-reference", 65, 10),
        ("backstage-api-version", 67, 13),
        ("backstage-unknown-reference", 75, 10),
        ("backstage-id-collision", 80, 9),  # foo/bar
        ("backstage-unknown-reference", 85, 10),
        ("backstage-wrong-kind-reference", 85, 10),  # owner: component:good-one
        ("backstage-duplicate-entity", 90, 9),
        ("backstage-not-an-entity", 95, 1),  # a list
        ("backstage-invalid-name", 101, 9),
        ("backstage-unknown-reference", 105, 10),
    ]
    errors = {f.code for f in messy.findings if f.severity == "error"}
    assert errors == {
        "yaml-syntax", "backstage-missing-field", "backstage-duplicate-entity",
        "backstage-invalid-reference", "backstage-not-an-entity",
    }  # fmt: skip


def test_the_documents_after_a_broken_one_still_import(messy: BackstageResult) -> None:
    ids = sorted(d.model.id for d in messy.documents)
    assert ids == [
        "after-the-break", "foo-bar", "foo-bar-2", "foo-bar-3", "foo-future", "good-one",
        "no-spec", "this-name-is-far-too-long-for-backstage-because-it-goe-df6ae1a6",
    ]  # fmt: skip


def test_collisions_are_resolved_predictably(messy: BackstageResult) -> None:
    names = {d.model.id: d.entity for d in messy.documents}
    assert names["foo-bar"] == "component:default/foo-bar"  # default namespace, `-` before `_`
    assert names["foo-bar-2"] == "component:default/Foo_Bar"
    assert names["foo-bar-3"] == "component:foo/bar"  # other namespaces come last


def test_dangling_references_are_kept_for_the_checker(messy: BackstageResult) -> None:
    good = doc(messy, "product", "good-one")
    after = doc(messy, "product", "after-the-break")
    assert isinstance(good, ProductDoc) and isinstance(after, ProductDoc)
    assert (good.owners, good.loop) == (["team:ghosts"], "nowhere")
    assert after.owners == ["person:nobody"]
    assert [c.interface for c in after.interfaces.consumes] == ["ghost-thing/default"]
    left = json.loads(after.annotations["backstage/spec"])
    assert left["consumesApis"] == ["api:missing-api"]
    assert left["dependsOn"] == ["resource:ghost-db"]


def test_missing_spec_fields_still_give_a_product(messy: BackstageResult) -> None:
    bare = doc(messy, "product", "no-spec")
    assert isinstance(bare, ProductDoc)
    assert (bare.stage, bare.owners, bare.loop) == ("established", [], None)


def test_one_file_order_does_not_change_the_ids(tmp_path: Path) -> None:
    text = (CORPUS / "messy" / "catalog-info.yaml").read_text()
    reversed_text = "---\n".join(reversed(text.split("---\n")))
    (tmp_path / "catalog-info.yaml").write_text(reversed_text)
    again = read_backstage(tmp_path)
    names = {d.model.id: d.entity for d in again.documents}
    assert names["foo-bar-2"] == "component:default/Foo_Bar"
    assert names["foo-bar-3"] == "component:foo/bar"


def test_dependency_of_and_dependencies_on_non_products(tmp_path: Path) -> None:
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Domain\nmetadata: {name: d}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: s}\n"
        "spec: {owner: t, domain: d}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: t}\n"
        "spec: {type: team, children: []}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: lib}\n"
        "spec: {type: library, lifecycle: production, owner: t, dependencyOf: [app]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: app}\n"
        "spec: {type: service, lifecycle: production, owner: t, dependsOn: [system:s]}\n"
    )
    result = read_backstage(tmp_path)
    app, lib = doc(result, "product", "app"), doc(result, "product", "lib")
    assert isinstance(app, ProductDoc) and isinstance(lib, ProductDoc)
    # A System is a loop here, not a product: depending on it has no interface to consume.
    assert [c.interface for c in app.interfaces.consumes] == ["lib/default"]
    assert json.loads(app.annotations["backstage/spec"])["dependsOn"] == ["system:s"]
    assert [i.name for i in lib.interfaces.provides] == ["default"]
    assert [f.code for f in result.findings] == [
        "backstage-missing-spec",  # the Domain has no owner
        "backstage-wrong-kind-reference",  # dependsOn names components and resources
    ]


def test_a_bug_while_mapping_one_entity_costs_only_that_entity(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from productize.domain.backstage import products

    real = products._product

    def flaky(m: Any, entity: Any, *args: Any) -> Any:
        if entity.name == "checkout-web":
            raise RuntimeError("boom")
        return real(m, entity, *args)

    monkeypatch.setattr(products, "_product", flaky)
    result = read_case("basic")
    (bug,) = [f for f in result.findings if f.code == "internal-error"]
    assert (bug.path, bug.line, "boom" in bug.message) == ("components/checkout-web.yaml", 1, True)
    assert len([d for d in result.documents if d.model.kind == "product"]) == 3


def test_set_check_positions_come_from_the_compact_places() -> None:
    """A mapped document's position index answers from its 11 compact places, lazily."""
    text = (
        b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: shop\n"
        b"spec:\n  owner: team-a\n  system: sales\n  consumesApis:\n    - pay-api\n"
    )
    loaded = load_yaml("c.yaml", text).documents[0]
    places = compact_places(loaded.positions)
    assert len(places) == 2 * len(PLACE_ORIGINS)
    index = places_index(places, 1, 1)
    assert index.value(("owners", 0)) == loaded.positions.value(("spec", "owner"))
    assert index.value(("loop",)) == loaded.positions.value(("spec", "system"))
    # An item of a list is placed at the Backstage list it came from.
    assert index.key(("interfaces", "consumes", 0)) == (9, 5)
    assert index.value(("id",)) == (4, 9)
    assert index.value(("name",)) == (4, 9)  # no title: the name is where it came from
    assert index.value(("stage",)) == (1, 1)  # no origin: the document's start
    assert index.value(("members",)) == (1, 1)  # absent in the entity
    # Nothing but the compact array is held per document: no keys, no raw texts, no dict.
    assert not index.keys and not index.raw
    assert not hasattr(index, "__dict__")
    assert places_index(None, 3, 2).value(("owners", 0)) == (3, 2)
