"""The JSON Schema of descriptor format v1, generated from the pydantic models.

Editors use it to validate and complete descriptors as people type, e.g. with
yaml-language-server, by a first line `# yaml-language-server: $schema=<path or URL>`.
It has one `oneOf` branch per kind, each told apart by its `kind` constant, and it accepts
what the parser accepts: a single value where a list is expected, and `organisation`.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, BeforeValidator
from pydantic.json_schema import models_json_schema

from productize.domain.descriptors import FORMAT_VERSION, KIND_ALIASES, KINDS, MODEL_BY_KIND

SCHEMA_ID = f"urn:productize:descriptor:v{FORMAT_VERSION}"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


_LIST_FORGIVING = frozenset(("_one_or_many", "_consumed_long_form"))
_SECTION_FORGIVING = frozenset(("_none_is_empty",))


def _forgiving_fields(model: type[BaseModel]) -> dict[str, str]:
    """Fields whose before-validator accepts more than the type says, by validator name."""
    found: dict[str, str] = {}
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            func_name = getattr(getattr(meta, "func", None), "__name__", "")
            if isinstance(meta, BeforeValidator) and func_name in (
                _LIST_FORGIVING | _SECTION_FORGIVING
            ):
                found[name] = func_name
    return found


def _models() -> list[type[BaseModel]]:
    """Every model reachable from the document models."""
    seen: list[type[BaseModel]] = []
    pending: list[type[BaseModel]] = [MODEL_BY_KIND[kind] for kind in KINDS]
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            pending.extend(_nested(info.annotation))
    return seen


def _nested(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found = []
    for arg in getattr(annotation, "__args__", ()):
        found.extend(_nested(arg))
    return found


def _widen(prop: dict[str, Any], validator: str) -> dict[str, Any]:
    """Make a property accept what its forgiving validator accepts (one item, or nothing)."""
    keep: dict[str, Any] = {k: prop[k] for k in ("title", "description", "default") if k in prop}
    rest = {k: v for k, v in prop.items() if k not in keep}
    null = {"type": "null"}
    if "anyOf" in rest:  # already widened by the model (json_schema_input_type): allow nothing
        options = rest["anyOf"] if null in rest["anyOf"] else [*rest["anyOf"], null]
        return {**keep, **rest, "anyOf": options}
    if validator in _LIST_FORGIVING and rest.get("type") == "array" and "items" in rest:
        return {**keep, "anyOf": [copy.deepcopy(rest["items"]), rest, null]}
    if validator in _SECTION_FORGIVING:
        return {**keep, "anyOf": [rest, null]}
    return prop


def descriptor_json_schema() -> dict[str, Any]:
    """A draft 2020-12 JSON Schema for any one descriptor document."""
    documents = [MODEL_BY_KIND[kind] for kind in KINDS]
    _, top = models_json_schema(
        [(model, "validation") for model in documents], ref_template="#/$defs/{model}"
    )
    defs: dict[str, Any] = top.get("$defs", {})
    for model in _models():
        definition = defs.get(model.__name__)
        if definition is None:
            continue
        props = definition.get("properties", {})
        for name, validator in _forgiving_fields(model).items():
            if name in props:
                props[name] = _widen(props[name], validator)
    for kind, model in zip(KINDS, documents, strict=True):
        spellings = [kind, *(alias for alias, target in KIND_ALIASES.items() if target == kind)]
        kind_schema: dict[str, Any] = {"description": f"Always `{kind}`."}
        if len(spellings) > 1:
            kind_schema["enum"] = spellings
        else:
            kind_schema["const"] = kind
        defs[model.__name__]["properties"]["kind"] = kind_schema
        defs[model.__name__].setdefault("required", [])
        for required in ("kind", "id"):
            if required not in defs[model.__name__]["required"]:
                defs[model.__name__]["required"].insert(0, required)
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_ID,
        "title": f"productize descriptor (format {FORMAT_VERSION})",
        "description": "One YAML document of a productize descriptor file: an organization, "
        "loop, team, person or product, told apart by `kind`. A file may hold several "
        "documents separated by `---`.",
        "type": "object",
        "required": ["kind"],
        "oneOf": [
            {"title": kind, "$ref": f"#/$defs/{model.__name__}"}
            for kind, model in zip(KINDS, documents, strict=True)
        ],
        "$defs": defs,
    }
