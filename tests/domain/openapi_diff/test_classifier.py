"""Loading limits, `$ref` handling and edge cases of the OpenAPI change classifier."""

from __future__ import annotations

import json

import pytest

from productize.domain.openapi_diff import (
    KINDS,
    SpecError,
    breaking_changes,
    compare,
    load_spec,
    loader,
    pointer,
)


def _spec(schema: dict, *, parameters: list | None = None, components: dict | None = None) -> dict:
    operation: dict = {
        "requestBody": {"content": {"application/json": {"schema": schema}}},
        "responses": {"200": {"description": "OK"}},
    }
    if parameters is not None:
        operation["parameters"] = parameters
    return {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": {"/things": {"post": operation}},
        "components": components or {},
    }


def test_load_spec_reads_yaml_and_json_alike() -> None:
    yaml_text = "openapi: 3.0.3\npaths:\n  /a:\n    get:\n      responses:\n        200: {}\n"
    json_text = json.dumps(
        {"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {"200": {}}}}}}
    )
    assert load_spec(yaml_text) == load_spec(json_text)
    # YAML reads an unquoted 200 as an int; keys become strings so statuses compare.
    assert "200" in load_spec(yaml_text)["paths"]["/a"]["get"]["responses"]


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text", "", "{not: [json"])
def test_load_spec_rejects_what_is_not_a_mapping(text: str) -> None:
    with pytest.raises(SpecError):
        load_spec(text)


def test_load_spec_rejects_unsafe_yaml_tags() -> None:
    with pytest.raises(SpecError):
        load_spec("a: !!python/object/apply:os.system ['true']\n")


def test_load_spec_limits_size_depth_and_alias_expansion(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    with pytest.raises(SpecError, match="larger"):
        load_spec("a: " + "x" * 200)
    monkeypatch.undo()
    with pytest.raises(SpecError, match="deeper"):
        load_spec("a: " + "[" * 150 + "]" * 150)
    laughs = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        laughs.append(
            f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, "
            f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]"
        )
    with pytest.raises(SpecError, match="nodes"):
        load_spec("\n".join(laughs) + "\n")


def test_pointer_escapes_slashes_and_tildes() -> None:
    assert pointer("paths", "/orders/{id}", "get") == "/paths/~1orders~1{id}/get"
    assert pointer("a~b") == "/a~0b"


def test_reference_loops_terminate() -> None:
    components = {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }
    }
    spec = _spec({"$ref": "#/components/schemas/A"}, components=components)
    assert compare(spec, spec) == []


def test_dangling_and_external_refs_are_compared_as_written() -> None:
    old = _spec({"$ref": "#/components/schemas/Missing"})
    new = _spec({"$ref": "other.yaml#/Thing"})
    assert compare(old, old) == []
    assert compare(old, new) == []  # nothing resolvable to compare; no crash


def test_header_names_match_case_insensitively() -> None:
    old = _spec({"type": "object"}, parameters=[{"name": "X-Request-Id", "in": "header"}])
    new = _spec({"type": "object"}, parameters=[{"name": "x-request-id", "in": "header"}])
    assert compare(old, new) == []


def test_request_fields_that_are_read_only_are_not_required_of_clients() -> None:
    old = _spec({"type": "object", "properties": {}})
    new = _spec(
        {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "readOnly": True}},
        }
    )
    assert [c.kind for c in compare(old, new)] == ["request-property-added"]


def test_shared_schema_change_is_reported_once_with_its_first_operation() -> None:
    shared = {"schemas": {"Thing": {"type": "object", "properties": {"a": {"type": "string"}}}}}
    changed = {"schemas": {"Thing": {"type": "object", "properties": {"a": {"type": "integer"}}}}}
    old = _spec({"$ref": "#/components/schemas/Thing"}, components=shared)
    new = _spec({"$ref": "#/components/schemas/Thing"}, components=changed)
    old["paths"]["/other"] = new["paths"]["/other"] = {"put": old["paths"]["/things"]["post"]}
    (change,) = compare(old, new)
    assert change.kind == "request-type-changed"
    assert change.location == "/components/schemas/Thing/properties/a"
    assert change.operation == "PUT /other"
    assert change.as_dict()["level"] == "breaking"


def test_breaking_changes_filters_and_info_kinds_are_not_breaking() -> None:
    old = _spec({"type": "string", "description": "old"})
    new = _spec({"type": "integer", "description": "new"})
    assert [c.kind for c in breaking_changes(old, new)] == ["request-type-changed"]
    for kind, (breaking, meaning) in KINDS.items():
        assert meaning, kind
        if kind.endswith(("deprecated", "description-changed", "default-changed")):
            assert not breaking, kind


def test_enum_introduced_and_lifted() -> None:
    plain, enum = _spec({"type": "string"}), _spec({"type": "string", "enum": ["a", "b"]})
    assert [c.kind for c in compare(plain, enum)] == ["request-enum-added"]
    assert [c.kind for c in compare(enum, plain)] == ["request-enum-removed"]
    assert [c.breaking for c in compare(plain, enum)] == [True]


def test_garbage_shapes_do_not_crash() -> None:
    weird = {"paths": {"/a": None, "/b": {"get": "nonsense", "post": {"parameters": "x"}}}}
    other = {"paths": {"/a": {"get": {"responses": []}}, "/b": {"get": {}, "post": {}}}}
    compare(weird, other)
    compare(other, weird)
    compare({}, {"paths": []})
