"""Backstage entities as read from YAML: the envelope checked, the rest kept as plain data."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from productize.domain.backstage.refs import DEFAULT_NAMESPACE, NAME_MAX, NAME_PATTERN, EntityRef
from productize.domain.findings import Finding, Severity
from productize.domain.parse import dotted
from productize.domain.suggest import hint_for
from productize.domain.yamlload import PathKey, PositionIndex, describe

API_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")
# Kinds read into descriptors, by their lower-cased name.
KINDS: dict[str, str] = {
    k.lower(): k
    for k in ("Component", "API", "System", "Domain", "Group", "User", "Resource", "Location")
}
SKIPPED_KINDS: dict[str, str] = {"template": "Template"}  # recognised, not a catalog entry

# Where each descriptor field the set checks report on (`owners[0]`, `loop`, ...) came from in
# the entity: the first of these Backstage fields present. The set checks then point at what
# the Backstage author wrote, not at the document's start.
PLACE_ORIGINS: tuple[tuple[PathKey, tuple[PathKey, ...]], ...] = (
    (("id",), (("metadata", "name"),)),
    (("kind",), (("kind",),)),
    (("name",), (("metadata", "title"), ("metadata", "name"))),
    (("owners",), (("spec", "owner"),)),
    (("loop",), (("spec", "system"), ("spec", "domain"))),
    (("part_of",), (("spec", "subcomponentOf"), ("spec", "system"))),
    (("parent",), (("spec", "parent"), ("spec", "subdomainOf"), ("spec", "domain"))),
    (("members",), (("spec", "members"),)),
    (("teams",), (("spec", "memberOf"),)),
    (("interfaces", "consumes"), (("spec", "consumesApis"), ("spec", "dependsOn"))),
    (("interfaces", "provides"), (("spec", "providesApis"),)),
)


def compact_places(positions: PositionIndex) -> array[int]:
    """(line, column) of each `PLACE_ORIGINS` field in a flat array; 0, 0 where absent.

    Kept per entity instead of its whole position index (a few dozen bytes, not kilobytes).
    """
    flat = array("I")
    values = positions.values
    for _, origins in PLACE_ORIGINS:
        pos = next((values[o] for o in origins if o in values), (0, 0))
        flat.extend(pos)
    return flat


_NOTHING: dict[Any, Any] = {}  # shared, never written: mapped documents have no keys or raw


class PlacesIndex(PositionIndex):
    """A position index over descriptor fields, made from `compact_places` when asked.

    Every mapped document carries one for the set checks, which look positions up only for
    the few documents they report on: holding a dict per document (~1.4 KiB) for a catalog
    of 50,000 entities would cost more memory than the positions are worth.
    """

    __slots__ = ("column", "line", "places")

    def __init__(self, places: array[int] | None, line: int, column: int) -> None:
        self.places, self.line, self.column = places, line, column
        self.keys = self.raw = _NOTHING

    @property
    def values(self) -> dict[PathKey, tuple[int, int]]:  # type: ignore[override]
        """The positions by descriptor field, built on each call (findings are few)."""
        values: dict[PathKey, tuple[int, int]] = {(): (self.line, self.column)}
        places = self.places
        if places:
            for i, (key, _) in enumerate(PLACE_ORIGINS):
                if places[2 * i]:
                    values[key] = (places[2 * i], places[2 * i + 1])
        return values


def places_index(places: array[int] | None, line: int, column: int) -> PositionIndex:
    """A position index over descriptor fields, for the set checks of a mapped document."""
    return PlacesIndex(places, line, column)


CODES: dict[str, str] = {
    "backstage-not-an-entity": "a document that is not a Backstage entity (no mapping, no kind)",
    "backstage-api-version": "an apiVersion other than backstage.io/v1alpha1 or v1beta1 "
    "(warning; the entity is still read)",
    "backstage-unknown-kind": "a kind that productize does not read (warning; skipped)",
    "backstage-template-skipped": "a scaffolder Template: recognised and skipped (warning)",
    "backstage-missing-field": "a required field is missing (`metadata.name`)",
    "backstage-missing-spec": "a field the kind expects is missing from `spec` (warning)",
    "backstage-invalid-name": "a name Backstage would reject (warning; still read)",
    "backstage-wrong-type": "a field of the wrong type (text where a list is expected, ...)",
    "backstage-duplicate-entity": "the same kind, namespace and name twice; the first is kept",
    "backstage-id-collision": "two entities that map to the same id; the later one is renamed "
    "(warning)",
    "backstage-invalid-reference": "an entity reference that is not well formed",
    "backstage-unknown-reference": "a reference to an entity that is not in the catalog "
    "(warning; kept so the checker reports it too)",
    "backstage-wrong-kind-reference": "a reference to an entity of a kind the field does not "
    "allow (warning)",
    "backstage-unknown-lifecycle": "a lifecycle with no stage in the mapping (warning)",
    "backstage-invalid-value": "a value productize cannot take over as is (warning; kept in "
    "annotations)",
    "backstage-unprovided-api": "an API that no component provides (warning)",
    "backstage-api-provided-twice": "an API listed in `providesApis` of several components "
    "(warning; the first provides it)",
    "backstage-unattached-resource": "a Resource no component depends on (warning)",
    "backstage-location-missing": "a Location target that does not exist",
    "backstage-location-outside": "a Location target outside the root being read",
    "backstage-url-not-followed": "a `url` Location target outside the root (warning)",
    "backstage-location-cycle": "a Location that leads back to itself (warning)",
    "backstage-substitution-missing": "a `$text`/`$json`/`$yaml` file that does not exist",
    "backstage-substitution-outside": "a `$text`/`$json`/`$yaml` path that escapes the root",
    "backstage-substitution-too-large": "a substituted file over the size limit",
    "backstage-substitution-invalid": "a `$json`/`$yaml` file that does not parse",
    "backstage-substitution-url": "a substitution from a URL (warning; not fetched)",
    "backstage-invalid-document": "a mapped document our descriptor model rejects",
}


@dataclass(slots=True)
class Entity:
    """One Backstage entity: where it is, its envelope, and its metadata and spec as loaded."""

    kind: str  # canonical spelling, e.g. `API`
    namespace: str
    name: str
    api_version: str
    metadata: dict[str, Any]
    spec: dict[str, Any]
    path: str
    index: int
    # Where every value is: dropped once the file is read (it is a third of the memory of a
    # large catalog); `locator` finds it again, re-reading the file, for the rare finding.
    positions: PositionIndex | None = field(repr=False)
    sources: dict[PathKey, str] = field(default_factory=dict, repr=False)  # `$text` origins
    key: tuple[str, str, str] = field(default=("", "", ""), repr=False)
    line: int = 1
    column: int = 1
    locator: Callable[[str, int], PositionIndex | None] | None = field(default=None, repr=False)
    places: array[int] | None = field(default=None, repr=False)  # see `compact_places`

    def __post_init__(self) -> None:
        self.key = (self.kind.lower(), self.namespace.lower(), self.name.lower())
        if self.positions is not None:
            self.line, self.column = self.positions.value(())

    @property
    def ref(self) -> EntityRef:
        """The entity's own full reference."""
        return EntityRef(self.kind, self.namespace, self.name)

    def finding(
        self,
        field_path: PathKey,
        severity: Severity,
        code: str,
        message: str,
        hint: str | None = None,
    ) -> Finding:
        """A finding located at a field of this entity (or its nearest located parent)."""
        if self.positions is None and self.locator is not None:
            self.positions = self.locator(self.path, self.index)
        if self.positions is not None:
            line, column = self.positions.value(field_path)
        else:
            line, column = self.line, self.column
        return Finding(
            self.path, line, column, severity, code, message, hint, dotted(field_path), self.index
        )


def entity_from_value(
    path: str, index: int, value: Any, positions: PositionIndex
) -> tuple[Entity | None, list[Finding]]:
    """Check a loaded document's envelope; None (with the reason) when it is not an entity."""

    def at(field_path: PathKey, severity: Severity, code: str, message: str, hint: str | None):
        line, column = positions.value(field_path)
        return Finding(path, line, column, severity, code, message, hint, dotted(field_path), index)

    if not isinstance(value, dict):
        return None, [
            at(
                (),
                Severity.ERROR,
                "backstage-not-an-entity",
                f"a Backstage entity is a mapping, but this document is {describe(value)}",
                "start it with `apiVersion:` and `kind:`",
            )
        ]
    kind = value.get("kind")
    if not isinstance(kind, str) or not kind:
        return None, [
            at(
                (),
                Severity.ERROR,
                "backstage-not-an-entity",
                "the document has no `kind`",
                "add `kind: Component` (or API, System, Domain, Group, User, Resource, Location)",
            )
        ]
    findings: list[Finding] = []
    lowered = kind.lower()
    if lowered in SKIPPED_KINDS:
        return None, [
            at(
                ("kind",),
                Severity.WARNING,
                "backstage-template-skipped",
                f"`{kind}` entities describe scaffolding, not catalog entries; skipped",
                None,
            )
        ]
    if lowered not in KINDS:
        return None, [
            at(
                ("kind",),
                Severity.WARNING,
                "backstage-unknown-kind",
                f"unknown kind `{kind}`; the entity is skipped",
                hint_for(kind, KINDS.values()),
            )
        ]
    api_version = value.get("apiVersion")
    if api_version not in API_VERSIONS:
        findings.append(
            at(
                ("apiVersion",),
                Severity.WARNING,
                "backstage-api-version",
                f"apiVersion `{api_version}` is not one of {', '.join(API_VERSIONS)}; read anyway",
                f"use `apiVersion: {API_VERSIONS[0]}`",
            )
        )
    metadata = value.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    name = metadata.get("name")
    if not isinstance(name, str) or not name:
        findings.append(
            at(
                ("metadata",),
                Severity.ERROR,
                "backstage-missing-field",
                "the entity has no `metadata.name`",
                "add `metadata: {name: ...}`",
            )
        )
        return None, findings
    if len(name) > NAME_MAX or not NAME_PATTERN.match(name):
        findings.append(
            at(
                ("metadata", "name"),
                Severity.WARNING,
                "backstage-invalid-name",
                f"`{name}` is not a valid Backstage name (letters, digits and single `-_.` "
                f"separators, at most {NAME_MAX} characters); read anyway",
                None,
            )
        )
    namespace = metadata.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        namespace = DEFAULT_NAMESPACE
    spec = value.get("spec")
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        findings.append(
            at(
                ("spec",),
                Severity.ERROR,
                "backstage-wrong-type",
                f"`spec` should be a mapping, got {describe(spec)}; it is ignored",
                None,
            )
        )
        spec = {}
    entity = Entity(
        KINDS[lowered], namespace, name, str(api_version), metadata, spec, path, index, positions
    )
    return entity, findings
