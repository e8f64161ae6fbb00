"""What a large import holds packed comes back exactly: documents, entity trees, places.

A Backstage catalog is held as bytes between reading and writing (bench/RESULTS.md,
"Backstage import"); these tests pin that nothing read back differs from what was packed,
and that findings located from the compact facts and places are where the full position
index puts them.
"""

from __future__ import annotations

import pytest

from productize.domain.backstage.model import Entity, compact_places, entity_from_value
from productize.domain.backstage.options import MappingOptions
from productize.domain.backstage.packed import pack, unpack
from productize.domain.checker import check_documents
from productize.domain.descriptors import InterfaceKind, ProductDoc, Stage
from productize.domain.parse import ParsedDocument
from productize.domain.setchecks import DocFacts, check_facts
from productize.domain.yamlload import PositionIndex, load_yaml
from tests.domain.backstage.conftest import CORPUS, read_case

CASES = ("basic", "complete", "locations", "messy", "substitutions")


@pytest.mark.parametrize("case", CASES)
def test_packed_documents_unpack_to_the_same_models(case: str) -> None:
    result = read_case(case, MappingOptions(file_names=("*.yaml",)))
    assert result.documents
    for mapped in result.documents:
        model = mapped.model
        again = unpack(pack(model))
        assert type(again) is type(model) and again == model
        assert again.__pydantic_fields_set__ == model.__pydantic_fields_set__
        assert again.model_dump_json() == model.model_dump_json()
        assert again.model_dump_json(exclude_unset=True) == model.model_dump_json(
            exclude_unset=True
        )
        assert (mapped.kind, mapped.id) == (model.kind, model.id)


def test_unpack_gives_enums_nested_models_and_a_new_copy_each_time() -> None:
    model = ProductDoc.model_validate(
        {
            "kind": "product",
            "id": "pay",
            "name": "Pay",
            "stage": "growing",
            "interfaces": {"provides": [{"name": "api", "kind": "api"}], "consumes": ["a/b"]},
            "annotations": {"k": "v"},
        }
    )
    data = pack(model)
    first, second = unpack(data), unpack(data)
    assert first.stage is Stage.GROWING
    assert first.interfaces.provides[0].kind is InterfaceKind.API
    assert first.interfaces.consumes[0].interface == "a/b"
    assert first is not second and first.annotations is not second.annotations
    first.annotations["k"] = "changed"
    assert unpack(data).annotations == {"k": "v"}


def _entities(path: str) -> list[Entity]:
    file = CORPUS / path
    loaded = load_yaml(path, file.read_bytes())
    out = []
    for doc in loaded.documents:
        entity, _ = entity_from_value(path, doc.index, doc.value, doc.positions)
        if entity is not None:
            out.append(entity)
    return out


def test_packed_entity_trees_read_back_and_changes_are_kept() -> None:
    entities = _entities("complete/services/search.yaml")
    trees = [(e.metadata, e.spec) for e in entities]
    for entity in entities:
        entity.pack()
    # More entities opened than the decoded ones kept: each is decoded again when asked.
    for _ in range(3):
        assert [(e.metadata, e.spec) for e in entities] == trees
    entity = entities[0]
    entity.spec = {**entity.spec, "owner": "group:other"}
    for other in entities * 40:  # push it out of the decoded ones
        _ = other.metadata
    assert entity.spec["owner"] == "group:other"
    entity.release()
    assert (entity.metadata, entity.spec) == ({}, {})


@pytest.mark.parametrize(
    "field_path", [("metadata", "name"), ("spec", "owner"), ("kind",), ("spec", "providesApis")]
)
def test_a_finding_from_compact_places_is_where_the_full_index_puts_it(
    field_path: tuple[str, ...],
) -> None:
    for entity in _entities("basic/components/checkout-service.yaml"):
        assert entity.positions is not None
        expected = entity.finding(field_path, "warning", "x", "m")  # type: ignore[arg-type]
        entity.places = compact_places(entity.positions)
        entity.positions = None

        def no_reading(path: str, index: int) -> PositionIndex | None:
            raise AssertionError("the file is read again")

        if expected.line and field_path in (("metadata", "name"), ("kind",)):
            entity.locator = no_reading
        else:
            entity.locator = lambda path, index, e=entity: (
                load_yaml(path, (CORPUS / path).read_bytes()).documents[index].positions
            )
        got = entity.finding(field_path, "warning", "x", "m")  # type: ignore[arg-type]
        assert (got.line, got.column) == (expected.line, expected.column)


@pytest.mark.parametrize("case", CASES)
def test_lazy_facts_locate_and_check_as_the_eager_ones(case: str) -> None:
    result = read_case(case, MappingOptions(file_names=("*.yaml",)))
    lazy = [mapped.facts for mapped in result.documents]
    assert all(facts is not None and facts.positions is not None for facts in lazy)
    parsed = [
        ParsedDocument(m.model, m.path, m.index, m.line, m.column, m.facts.positions)  # type: ignore[union-attr, arg-type]
        for m in result.documents
    ]
    eager = [DocFacts.of(doc) for doc in parsed]
    for one, other in zip(lazy, eager, strict=True):
        assert one is not None
        for path in [*other.paths(), ("name",), ("interfaces", "consumes", 99)]:
            assert one.locate(path) == other.locate(path)
    located = sorted((f.path, f.line, f.column, f.code, f.message) for f in check_documents(parsed))
    assert located == sorted(
        (f.path, f.line, f.column, f.code, f.message)
        for f in check_facts([f for f in lazy if f is not None])
    )
