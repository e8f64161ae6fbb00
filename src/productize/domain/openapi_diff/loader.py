"""Loading an OpenAPI document safely: YAML or JSON, bounded in size, depth and node count."""

from __future__ import annotations

import json
from typing import Any

import yaml

MAX_BYTES = 5_000_000
MAX_DEPTH = 100
# Counted with repeats: YAML aliases can make a small file expand exponentially when walked
# ("billion laughs"); the walk stops as soon as this many nodes are seen.
MAX_NODES = 2_000_000

# The C loader is much faster on big specs; fall back where libyaml is missing.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(ValueError):
    """The text is not a usable OpenAPI document (syntax, size, depth or shape)."""


def load_spec(text: str) -> dict[str, Any]:
    """Parse a spec from YAML or JSON text; reject non-mappings and oversized documents."""
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise SpecError(f"spec is larger than {MAX_BYTES // 1_000_000} MB")
    stripped = text.lstrip()
    try:
        # JSON first when it looks like JSON: faster, and exact about numbers and escapes.
        is_json = stripped.startswith("{")
        data = json.loads(text) if is_json else yaml.load(text, Loader=_Loader)  # noqa: S506
    except (ValueError, yaml.YAMLError) as error:
        raise SpecError(f"not valid YAML or JSON: {error}") from None
    if not isinstance(data, dict):
        raise SpecError(f"a spec must be a mapping, not {type(data).__name__}")
    result = _normalise(data, 0, [0])
    assert isinstance(result, dict)
    return result


def _normalise(value: Any, depth: int, seen: list[int]) -> Any:
    """Copy with string keys (YAML reads `200:` as an int) while enforcing the limits."""
    seen[0] += 1
    if seen[0] > MAX_NODES:
        raise SpecError(f"spec has more than {MAX_NODES} nodes (or expands through aliases)")
    if depth > MAX_DEPTH:
        raise SpecError(f"spec is nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        return {str(k): _normalise(v, depth + 1, seen) for k, v in value.items()}
    if isinstance(value, list):
        return [_normalise(v, depth + 1, seen) for v in value]
    return value
