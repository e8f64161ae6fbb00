"""Schema-level comparison: types, formats, enums, fields, bounds, variants, `$ref`s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from productize.domain.openapi_diff.kinds import PREFIXES

MAX_REF_HOPS = 32  # a chain of refs longer than this is a loop (a → b → a) or abuse
MAX_SCHEMA_DEPTH = 64  # deep enough for real specs, shallow enough to stay fast
MAX_ALLOF_DEPTH = 8

UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")

Emit = Callable[[str, str, str], None]


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def lookup(spec: dict[str, Any], ref: str) -> Any:
    """The node a local `$ref` (`#/components/...`) points at, or None."""
    node: Any = spec
    for segment in ref[2:].split("/"):
        key = _unescape(segment)
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


def resolve(spec: dict[str, Any], node: Any, where: str) -> tuple[dict[str, Any], str, bool]:
    """Follow local `$ref`s: the target mapping, its pointer, and whether a ref was followed.

    External refs (`other.yaml#/...`) and dangling ones are left as they are: the node is
    compared as written.
    """
    followed = False
    for _ in range(MAX_REF_HOPS):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        ref = node["$ref"]
        target = lookup(spec, ref) if ref.startswith("#/") else None
        if target is None:
            break
        node, where, followed = target, ref[1:], True
    return (node if isinstance(node, dict) else {}), where, followed


def _types(schema: dict[str, Any]) -> tuple[frozenset[str], bool]:
    """Non-null types and whether null is allowed (3.0 `nullable`, 3.1 `type: [.., null]`)."""
    raw = schema.get("type")
    types = (
        {raw}
        if isinstance(raw, str)
        else {t for t in raw if isinstance(t, str)}
        if isinstance(raw, list)
        else set()
    )
    nullable = bool(schema.get("nullable")) or "null" in types
    return frozenset(types - {"null"}), nullable


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


class SchemaDiffer:
    """Compares two schemas in a request or response context and emits changes."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any], emit: Emit) -> None:
        self.old = old
        self.new = new
        self.emit = emit

    def compare(
        self, old: Any, old_where: str, new: Any, new_where: str, prefix: str, label: str
    ) -> None:
        """Compare `old` and `new` schemas found at the given pointers."""
        self._schema(old, old_where, new, new_where, prefix, label, frozenset(), 0)

    def _schema(
        self,
        old_raw: Any,
        old_where: str,
        new_raw: Any,
        new_where: str,
        prefix: str,
        label: str,
        seen: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        old, old_where, old_ref = resolve(self.old, old_raw, old_where)
        new, new_where, new_ref = resolve(self.new, new_raw, new_where)
        if old_ref or new_ref:
            # Recursive schemas (a tree node holding children of its own type) end here.
            if (old_where, new_where) in seen:
                return
            seen = seen | {(old_where, new_where)}
        if depth > MAX_SCHEMA_DEPTH:
            return
        old, old_props = self._flatten(self.old, old, old_where, 0)
        new, new_props = self._flatten(self.new, new, new_where, 0)
        side = PREFIXES[prefix]

        def emit(suffix: str, where: str, message: str) -> None:
            self.emit(f"{prefix}-{suffix}", where, f"{label}: {message}")

        old_types, old_null = _types(old)
        new_types, new_null = _types(new)
        if old_types and new_types and old_types != new_types:
            before, after = "|".join(sorted(old_types)), "|".join(sorted(new_types))
            widened = old_types == {"integer"} and new_types == {"number"}
            emit("type-widened" if widened else "type-changed", new_where, f"{before} → {after}")
            return  # below a type change, field-level differences are noise
        if new_null and not old_null:
            emit("nullable-added", new_where, "may now be null")
        elif old_null and not new_null:
            emit("nullable-removed", new_where, "may no longer be null")
        if old.get("format") != new.get("format"):
            emit("format-changed", new_where, f"format {old.get('format')} → {new.get('format')}")
        self._enum(old, new, new_where, emit)
        self._bounds(old, new, new_where, emit)
        if old.get("pattern") != new.get("pattern") and new.get("pattern") is not None:
            emit("pattern-changed", new_where + "/pattern", f"pattern is {new.get('pattern')}")
        if "default" in old and "default" in new and _key(old["default"]) != _key(new["default"]):
            emit(
                "default-changed",
                new_where + "/default",
                f"default {old['default']!r} → {new['default']!r}",
            )
        if new.get("deprecated") and not old.get("deprecated"):
            emit("property-deprecated", new_where, "is now deprecated")
        if old.get("description") != new.get("description"):
            self.emit("description-changed", new_where + "/description", f"{label}: description")
        self._properties(old, old_props, new, new_props, side, emit, prefix, label, seen, depth)
        if "items" in old and "items" in new:
            self._schema(
                old["items"], old_where + "/items", new["items"], new_where + "/items",
                prefix, f"{label}[]", seen, depth + 1,
            )  # fmt: skip
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self._schema(
                old_extra, old_where + "/additionalProperties", new_extra,
                new_where + "/additionalProperties", prefix, f"{label}.*", seen, depth + 1,
            )  # fmt: skip
        for keyword in ("oneOf", "anyOf"):
            self._variants(
                old, old_where, new, new_where, keyword, emit, prefix, label, seen, depth
            )

    def _flatten(
        self, spec: dict[str, Any], schema: dict[str, Any], where: str, depth: int
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """Merge `allOf` parts into one schema; also return each property's pointer."""
        props = {
            name: f"{where}/properties/{name.replace('~', '~0').replace('/', '~1')}"
            for name in _mapping(schema.get("properties"))
        }
        parts = schema.get("allOf")
        if not isinstance(parts, list) or depth >= MAX_ALLOF_DEPTH:
            return schema, props
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        properties = dict(_mapping(schema.get("properties")))
        required = list(schema.get("required") or [])
        for index, raw in enumerate(parts):
            part, part_where, _ = resolve(spec, raw, f"{where}/allOf/{index}")
            part, part_props = self._flatten(spec, part, part_where, depth + 1)
            for name, value in _mapping(part.get("properties")).items():
                properties.setdefault(name, value)
                props.setdefault(name, part_props[name])
            required.extend(r for r in part.get("required") or [] if r not in required)
            for key, value in part.items():
                if key not in ("properties", "required"):
                    merged.setdefault(key, value)
        merged["properties"] = properties
        merged["required"] = required
        return merged, props

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: str, emit: Emit) -> None:
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if isinstance(old_enum, list) and isinstance(new_enum, list):
            before = {_key(v): v for v in old_enum}
            after = {_key(v): v for v in new_enum}
            if removed := sorted(before.keys() - after.keys()):
                emit("enum-value-removed", where + "/enum", f"enum lost {', '.join(removed)}")
            if added := sorted(after.keys() - before.keys()):
                emit("enum-value-added", where + "/enum", f"enum gained {', '.join(added)}")
        elif isinstance(new_enum, list):
            emit("enum-added", where + "/enum", "values are now restricted to an enum")
        elif isinstance(old_enum, list):
            emit("enum-removed", where, "values are no longer restricted to an enum")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], where: str, emit: Emit) -> None:
        for keys, upper in ((UPPER_BOUNDS, True), (LOWER_BOUNDS, False)):
            for key in keys:
                before, after = old.get(key), new.get(key)
                # OpenAPI 3.0 spells exclusive bounds as booleans; only numbers are bounds here.
                if not _number(before) and not _number(after):
                    continue
                if before == after:
                    continue
                if after is None or not _number(after):
                    tighter = False
                elif before is None or not _number(before):
                    tighter = True
                else:
                    tighter = after < before if upper else after > before
                suffix = "constraint-tightened" if tighter else "constraint-loosened"
                emit(suffix, f"{where}/{key}", f"{key} {before} → {after}")
        if new.get("uniqueItems") and not old.get("uniqueItems"):
            emit("constraint-tightened", where + "/uniqueItems", "items must now be unique")

    def _properties(
        self,
        old: dict[str, Any],
        old_props: dict[str, str],
        new: dict[str, Any],
        new_props: dict[str, str],
        side: str,
        emit: Emit,
        prefix: str,
        label: str,
        seen: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        before, after = _mapping(old.get("properties")), _mapping(new.get("properties"))
        old_required = set(old.get("required") or [])
        new_required = set(new.get("required") or [])
        for name in sorted(before.keys() - after.keys()):
            note = "required " if name in old_required else ""
            emit("property-removed", old_props[name], f"{note}field {name} was removed")
        for name in sorted(after.keys() - before.keys()):
            # A read-only field is never sent, so it cannot be "required" of a request.
            sent = not (side == "request" and _mapping(after[name]).get("readOnly"))
            if name in new_required and sent:
                emit("property-added-required", new_props[name], f"new required field {name}")
            else:
                emit("property-added", new_props[name], f"new field {name}")
        for name in sorted(before.keys() & after.keys()):
            if name in new_required and name not in old_required:
                emit("property-became-required", new_props[name], f"field {name} became required")
            elif name in old_required and name not in new_required:
                emit("property-became-optional", new_props[name], f"field {name} became optional")
            self._schema(
                before[name], old_props[name], after[name], new_props[name],
                prefix, f"{label}.{name}", seen, depth + 1,
            )  # fmt: skip

    def _variants(
        self,
        old: dict[str, Any],
        old_where: str,
        new: dict[str, Any],
        new_where: str,
        keyword: str,
        emit: Emit,
        prefix: str,
        label: str,
        seen: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        """Match variants by their `$ref` (or by position when inline) and compare pairs."""

        def keyed(schema: dict[str, Any]) -> dict[str, tuple[int, Any]]:
            variants = schema.get(keyword)
            if not isinstance(variants, list):
                return {}
            result: dict[str, tuple[int, Any]] = {}
            for i, variant in enumerate(variants):
                ref = variant.get("$ref") if isinstance(variant, dict) else None
                result[ref if isinstance(ref, str) else f"#{i}"] = (i, variant)
            return result

        before, after = keyed(old), keyed(new)
        for key in sorted(before.keys() - after.keys()):
            emit(
                "variant-removed",
                f"{old_where}/{keyword}/{before[key][0]}",
                f"{keyword} lost {key}",
            )
        for key in sorted(after.keys() - before.keys()):
            emit(
                "variant-added", f"{new_where}/{keyword}/{after[key][0]}", f"{keyword} gained {key}"
            )
        for key in sorted(before.keys() & after.keys()):
            (i, old_variant), (j, new_variant) = before[key], after[key]
            self._schema(
                old_variant, f"{old_where}/{keyword}/{i}",
                new_variant, f"{new_where}/{keyword}/{j}",
                prefix, label, seen, depth + 1,
            )  # fmt: skip


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
