"""The JSON Schema generated from the descriptor models."""

from __future__ import annotations

import json
from typing import Any

from productize.domain.descriptors import KINDS, MODEL_BY_KIND
from productize.domain.schema import DIALECT, SCHEMA_ID, _models, descriptor_json_schema


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    return schema["$defs"][ref.rsplit("/", 1)[1]] if ref else node


def _types(schema: dict[str, Any], prop: dict[str, Any]) -> set[str]:
    """The JSON types a property accepts (following anyOf and $ref one level)."""
    options = prop.get("anyOf", [prop])
    found = set()
    for option in options:
        option = _resolve(schema, option)
        found.add(option.get("type", "object" if "properties" in option else "?"))
    return found


def test_header_and_one_branch_per_kind() -> None:
    schema = descriptor_json_schema()
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] and schema["description"]
    branches = [_resolve(schema, branch) for branch in schema["oneOf"]]
    kinds = [branch["properties"]["kind"] for branch in branches]
    assert kinds[0]["enum"] == ["organization", "organisation"]
    assert [k.get("const") for k in kinds[1:]] == list(KINDS[1:])
    for branch in branches:
        assert {"id", "kind"} <= set(branch["required"])
        assert branch["additionalProperties"] is False
        assert branch["description"]


def test_every_model_field_is_in_the_schema() -> None:
    schema = descriptor_json_schema()
    for model in _models():
        definition = schema["$defs"][model.__name__]
        assert set(definition["properties"]) == set(model.model_fields), model.__name__


def test_forgiving_forms_are_accepted_by_the_schema() -> None:
    schema = descriptor_json_schema()
    product = schema["$defs"]["ProductDoc"]["properties"]
    for name in ("owners", "tags", "audience"):
        assert {"string", "array", "null"} <= _types(schema, product[name]), name
    assert "null" in _types(schema, product["scope"])
    scope = schema["$defs"]["Scope"]["properties"]
    assert {"string", "array", "null"} <= _types(schema, scope["does_not"])
    consumes = schema["$defs"]["Interfaces"]["properties"]["consumes"]
    assert {"string", "array"} <= _types(schema, consumes)


def test_enums_and_patterns_come_from_the_models() -> None:
    schema = descriptor_json_schema()
    assert schema["$defs"]["Stage"]["enum"][0] == "idea"
    product_id = schema["$defs"]["ProductDoc"]["properties"]["id"]
    assert product_id["pattern"].startswith("^[a-z0-9]")
    assert MODEL_BY_KIND["product"].__name__ == "ProductDoc"


def test_schema_is_plain_json_and_stable() -> None:
    first = json.dumps(descriptor_json_schema(), sort_keys=True)
    assert first == json.dumps(descriptor_json_schema(), sort_keys=True)
    assert "#/$defs/" in first and "definitions" not in first
