"""Backstage -> documents -> export -> documents gives the same documents; the generator too."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from productize.domain.backstage.export import (
    check_entity,
    export_backstage,
    export_mapped,
    write_backstage,
)
from productize.domain.backstage.reader import BackstageResult, read_backstage
from productize.domain.descriptors import AnyDoc, LoopDoc, PersonDoc, ProductDoc, TeamDoc
from productize.domain.findings import Severity
from tests.domain.backstage.conftest import GENERATOR, read_case


def _dumps(result: BackstageResult) -> dict[tuple[str, str], dict[str, object]]:
    return {(d.model.kind, d.model.id): d.model.model_dump() for d in result.documents}


def _round_trip(result: BackstageResult, out: Path) -> BackstageResult:
    entities = export_mapped(result.documents, result.definitions)
    assert [e for e in entities if check_entity(e)] == []
    write_backstage(out, entities)
    return read_backstage(out)


def test_the_basic_corpus_survives_a_round_trip(tmp_path: Path) -> None:
    first = read_case("basic")
    again = _round_trip(first, tmp_path)
    assert _dumps(again) == _dumps(first)
    assert again.definitions == first.definitions
    extras = {(d.model.kind, d.model.id): d.extras for d in first.documents}
    assert {(d.model.kind, d.model.id): d.extras for d in again.documents} == extras
    # The first read reported what had no home; the export holds only what was mapped.
    assert [f.code for f in again.findings] == ["backstage-unknown-lifecycle"]


def test_export_of_documents_that_never_came_from_backstage() -> None:
    docs: list[AnyDoc] = [
        LoopDoc(kind="loop", id="ops", name="Operations"),
        LoopDoc(kind="loop", id="tools", name="Tools", parent="ops"),
        LoopDoc(kind="loop", id="deep", name="Deep", parent="tools"),
        TeamDoc(kind="team", id="core", name="Core", members=["kim"]),
        PersonDoc(kind="person", id="kim", name="Kim", teams=["core"]),
        ProductDoc.model_validate({
            "kind": "product", "id": "wiki", "name": "Wiki", "stage": "growing", "loop": "deep",
            "owners": ["core", "person:kim"], "tags": ["docs_site"],
            "interfaces": {"provides": [{"name": "pages", "kind": "ui"}],
                           "consumes": ["search/query", "gone/default"]},
        }),
        ProductDoc.model_validate({
            "kind": "product", "id": "search", "name": "Search", "loop": "tools",
            "interfaces": {"provides": [{"name": "query", "kind": "api", "stability": "stable"}]},
        }),
    ]  # fmt: skip
    entities = export_backstage(docs)
    assert [e for e in entities if check_entity(e)] == []
    by_name = {(e["kind"], e["metadata"]["name"]): e for e in entities}
    assert set(by_name) == {
        ("Domain", "ops"), ("System", "tools"), ("System", "deep"), ("Group", "core"),
        ("User", "kim"), ("Component", "wiki"), ("API", "wiki-pages"), ("Component", "search"),
        ("API", "search-query"),
    }  # fmt: skip
    wiki = by_name[("Component", "wiki")]
    assert wiki["spec"]["type"] == "website"
    assert wiki["spec"]["lifecycle"] == "production"
    assert wiki["spec"]["owner"] == "group:default/core"
    assert wiki["metadata"]["annotations"]["productize.io/owners"] == "core,person:kim"
    assert wiki["spec"]["system"] == "system:default/deep"
    assert wiki["spec"]["consumesApis"] == ["api:default/search-query"]
    assert wiki["spec"]["dependsOn"] == ["component:default/gone"]
    assert wiki["metadata"]["tags"] == ["docs-site"]
    assert by_name[("Component", "search")]["spec"]["owner"] == "group:default/unowned"
    assert by_name[("System", "deep")]["metadata"]["annotations"] == {
        "productize.io/owners": "",  # no owner: Backstage needs one, the reader drops it again
        "productize.io/loop": "tools",  # Backstage cannot nest a System in a System
    }


def test_exported_documents_read_back_the_same(tmp_path: Path) -> None:
    docs: list[AnyDoc] = [
        LoopDoc(kind="loop", id="ops", name="Operations"),
        LoopDoc(kind="loop", id="tools", name="Tools", parent="ops", owners=["team:core"]),
        LoopDoc(kind="loop", id="deep", name="Deep", parent="tools"),
        TeamDoc(kind="team", id="core", name="Core", members=["kim"]),
        PersonDoc(kind="person", id="kim", name="Kim", teams=["core"]),
        ProductDoc.model_validate({
            "kind": "product", "id": "wiki", "name": "Wiki", "stage": "retired", "loop": "deep",
            "owners": ["team:core", "person:kim"],
            "interfaces": {"provides": [{"name": "pages", "kind": "ui"}],
                           "consumes": ["search/query"]},
        }),
        ProductDoc.model_validate({
            "kind": "product", "id": "search", "name": "Search", "loop": "tools",
            "stage": "prototype", "owners": ["team:core"],
            "interfaces": {"provides": [{"name": "query", "kind": "api", "stability": "stable"}]},
        }),
    ]  # fmt: skip
    write_backstage(tmp_path, export_backstage(docs))
    again = read_backstage(tmp_path)
    assert again.ok, [f.render() for f in again.findings]
    got = {(d.model.kind, d.model.id): d.model for d in again.documents}
    assert got[("loop", "deep")].parent == "tools"  # type: ignore[union-attr]
    wiki = got[("product", "wiki")]
    assert isinstance(wiki, ProductDoc)
    assert (wiki.stage, wiki.loop, wiki.owners) == ("retired", "deep", ["team:core", "person:kim"])
    assert [c.interface for c in wiki.interfaces.consumes] == ["search/search-query"]
    search = got[("product", "search")]
    assert isinstance(search, ProductDoc)
    assert [(i.name, i.kind, i.stability) for i in search.interfaces.provides] == [
        ("search-query", "api", "stable")  # the interface takes the API entity's name
    ]


def _generate(out: Path, entities: int) -> dict[str, object]:
    if not GENERATOR.is_file():
        pytest.skip(f"the catalog generator is not at {GENERATOR}")
    subprocess.run(
        [sys.executable, str(GENERATOR), "--entities", str(entities), "--out", str(out),
         "--seed", "1"],
        check=True, capture_output=True,
    )  # fmt: skip
    manifest: dict[str, object] = json.loads((out / "manifest.json").read_text())
    return manifest


def test_the_generated_catalog_reads_completely_and_round_trips(tmp_path: Path) -> None:
    manifest = _generate(tmp_path / "gen", 2000)
    result = read_backstage(tmp_path / "gen", [tmp_path / "gen" / "all.yaml"])
    assert [f.render() for f in result.findings if f.severity is Severity.ERROR] == []
    counts = manifest["counts"]
    assert isinstance(counts, dict)
    assert {k: v for k, v in result.entities.items() if k != "Location"} == counts
    kinds: dict[str, int] = {}
    for d in result.documents:
        kinds[d.model.kind] = kinds.get(d.model.kind, 0) + 1
    assert kinds == {
        "loop": counts["Domain"] + counts["System"],
        "team": counts["Group"],
        "person": counts["User"],
        "product": counts["Component"],
    }
    interfaces = sum(len(d.model.interfaces.provides) for d in result.documents
                     if isinstance(d.model, ProductDoc))  # fmt: skip
    attached = counts["API"] + counts["Resource"] - len(result.unmapped)
    assert interfaces >= attached  # plus the implicit ones
    again = _round_trip(result, tmp_path / "out")
    assert _dumps(again) == _dumps(result)
