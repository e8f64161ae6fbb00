"""The stable codes of OpenAPI changes, whether each breaks existing clients, and why.

The rule of thumb (as in oasdiff): clients *send* requests and *read* responses. Narrowing
what a request may contain breaks clients that sent the old shape; widening it does not.
Narrowing what a response contains is safe for readers; widening it — a new enum value, a
field that may now be missing or null, a looser bound — is breaking, because a strict client
(generated code, exhaustive `switch`, schema validation) rejects what it was never told about.
That last decision is deliberate: we would rather warn an owner once too often than let a
generated client crash in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Side = Literal["request", "response"]

# code → (breaking, what it means). Info kinds (descriptions, deprecation, defaults) are not
# breaking but are worth showing to consumers.
FIXED_KINDS: dict[str, tuple[bool, str]] = {
    "path-added": (False, "A new path."),
    "path-removed": (True, "A path was removed: every call to it fails."),
    "operation-added": (False, "A new operation (method) on a path."),
    "operation-removed": (True, "An operation was removed: calls to it fail."),
    "operation-deprecated": (False, "An operation is now marked deprecated."),
    "operation-id-changed": (False, "operationId changed: generated clients rename a method."),
    "parameter-added-required": (True, "A new required parameter: old calls lack it."),
    "parameter-added-optional": (False, "A new optional parameter."),
    "parameter-removed": (True, "A parameter was removed: clients still send it, to no effect."),
    "parameter-became-required": (True, "An optional parameter became required."),
    "parameter-became-optional": (False, "A required parameter became optional."),
    "parameter-location-changed": (True, "A parameter moved (e.g. from query to header)."),
    "parameter-deprecated": (False, "A parameter is now marked deprecated."),
    "request-body-added-required": (True, "A required request body where there was none."),
    "request-body-added-optional": (False, "An optional request body where there was none."),
    "request-body-removed": (True, "The request body is no longer accepted."),
    "request-body-became-required": (True, "The request body became required."),
    "request-body-became-optional": (False, "The request body became optional."),
    "request-media-type-added": (False, "The request accepts a new media type."),
    "request-media-type-removed": (True, "The request no longer accepts a media type."),
    "response-status-added": (False, "A new response status code."),
    "response-status-removed": (True, "A response status code is no longer returned."),
    "response-media-type-added": (False, "A response offers a new media type."),
    "response-media-type-removed": (True, "A response no longer offers a media type."),
    "security-requirement-added": (True, "Calls need a credential (or scope) they did not."),
    "security-alternative-removed": (True, "A way to authenticate is no longer accepted."),
    "security-alternative-added": (False, "A new way to authenticate is accepted."),
    "security-scope-added": (True, "A security requirement needs an extra scope."),
    "security-scope-removed": (False, "A security requirement needs one scope fewer."),
    "description-changed": (False, "Only a description or summary changed."),
}

# Schema-level changes: suffix → (breaking in a request, breaking in a response, meaning).
# Parameters follow the request column.
SCHEMA_SUFFIXES: dict[str, tuple[bool, bool, str]] = {
    "type-changed": (True, True, "The type changed."),
    "type-widened": (False, True, "The type widened (integer → number)."),
    "format-changed": (True, True, "The format changed (e.g. int32 → int64, date → date-time)."),
    "enum-value-removed": (True, False, "An enum value was removed."),
    "enum-value-added": (False, True, "An enum value was added (strict clients reject it)."),
    "enum-added": (True, False, "Values are now restricted to an enum."),
    "enum-removed": (False, True, "Values are no longer restricted to an enum."),
    "property-removed": (True, True, "A field was removed."),
    "property-added-required": (True, False, "A new required field."),
    "property-added": (False, False, "A new optional field."),
    "property-became-required": (True, False, "A field became required."),
    "property-became-optional": (False, True, "A field became optional (may now be missing)."),
    "nullable-added": (False, True, "null is now allowed."),
    "nullable-removed": (True, False, "null is no longer allowed."),
    "constraint-tightened": (True, False, "A bound (length, range, items) got tighter."),
    "constraint-loosened": (False, True, "A bound (length, range, items) got looser."),
    "pattern-changed": (True, False, "The regular expression changed."),
    "variant-added": (False, True, "A oneOf/anyOf variant was added."),
    "variant-removed": (True, False, "A oneOf/anyOf variant was removed."),
    "default-changed": (False, False, "The default value changed (behaviour may differ)."),
    "property-deprecated": (False, False, "A field is now marked deprecated."),
}

PREFIXES: dict[str, Side] = {"parameter": "request", "request": "request", "response": "response"}

INFO_KINDS = frozenset(
    {
        "operation-deprecated",
        "operation-id-changed",
        "parameter-deprecated",
        "description-changed",
        *(f"{p}-default-changed" for p in PREFIXES),
        *(f"{p}-property-deprecated" for p in PREFIXES),
    }
)


def _all_kinds() -> dict[str, tuple[bool, str]]:
    kinds = dict(FIXED_KINDS)
    for prefix, side in PREFIXES.items():
        for suffix, (in_request, in_response, meaning) in SCHEMA_SUFFIXES.items():
            breaking = in_request if side == "request" else in_response
            kinds[f"{prefix}-{suffix}"] = (breaking, f"{prefix.title()}: {meaning}")
    return kinds


KINDS: dict[str, tuple[bool, str]] = _all_kinds()


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two versions of a spec.

    `location` is a JSON pointer into the new spec (into the old one for removals); when the
    change sits in a `$ref`-erenced component it points there, so a shared schema's change is
    reported once. `operation` names the first operation it was found through (`POST /orders`).
    """

    kind: str
    breaking: bool
    location: str
    message: str
    operation: str | None = None

    @property
    def info(self) -> bool:
        """Whether this is worth noting but changes no behaviour (description, deprecation)."""
        return self.kind in INFO_KINDS

    @property
    def level(self) -> Literal["breaking", "compatible", "info"]:
        """`breaking`, `info` or `compatible`."""
        if self.breaking:
            return "breaking"
        return "info" if self.info else "compatible"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "kind": self.kind,
            "breaking": self.breaking,
            "level": self.level,
            "location": self.location,
            "message": self.message,
            "operation": self.operation,
        }
