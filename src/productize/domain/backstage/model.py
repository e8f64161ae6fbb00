"""Backstage entities as read from YAML: the envelope checked, the rest kept as plain data."""

from __future__ import annotations

import sys
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import InitVar, dataclass, field
from typing import Any

from productize.domain.backstage.packed import pack_tree, unpack_tree
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


# Entity fields whose position `compact_places` keeps exactly (the only origin of their
# descriptor field): offset of the line in the flat array, the column follows.
_EXACT_SLOTS: dict[PathKey, int] = {
    origins[0]: 2 * i for i, (_, origins) in enumerate(PLACE_ORIGINS) if len(origins) == 1
}


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


_EMPTY = pack_tree(({}, {}))
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


OPEN_TREES = 64  # packed entities whose trees are kept decoded (the ones being mapped)


class _Open:
    """The few packed entities whose trees are decoded now, oldest first.

    Mapping one entity looks at its trees dozens of times and at a few others' (its System,
    its APIs): decoding on each look would cost more than the memory it saves.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self.ring: deque[Entity] = deque()

    def add(self, entity: Entity) -> None:
        ring = self.ring
        ring.append(entity)
        if len(ring) > self.size:
            old = ring.popleft()
            if old._packed is not None:
                old._trees = None

    def clear(self) -> None:
        """Let every decoded entity go (a read is over: hold nothing past it)."""
        while self.ring:
            old = self.ring.popleft()
            if old._packed is not None:
                old._trees = None


_OPEN = _Open(OPEN_TREES)


def close_decoded() -> None:
    """Forget the entities kept decoded; called when a read is over."""
    _OPEN.clear()


@dataclass(slots=True)
class Entity:
    """One Backstage entity: where it is, its envelope, and its metadata and spec as loaded.

    Once its file is read, `pack()` keeps `metadata` and `spec` as bytes (a fifth of their
    size as objects: for a catalog of 50,000 entities, ~230 MiB less held until mapping);
    they are decoded when looked at. The trees are read-only once packed: assign
    `entity.metadata`/`entity.spec` to change them, never change them in place.
    """

    kind: str  # canonical spelling, e.g. `API`
    namespace: str
    name: str
    api_version: str
    _metadata: InitVar[dict[str, Any]]
    _spec: InitVar[dict[str, Any]]
    path: str
    index: int
    # Where every value is: dropped once the file is read (it is a third of the memory of a
    # large catalog); `locator` finds it again, re-reading the file, for the rare finding.
    positions: PositionIndex | None = field(repr=False)
    # `$text` origins; None until there is one (an empty dict each is 3 MiB at 50,000).
    sources: dict[PathKey, str] | None = field(default=None, repr=False)
    key: tuple[str, str, str] = field(default=("", "", ""), repr=False)
    line: int = 1
    column: int = 1
    locator: Callable[[str, int], PositionIndex | None] | None = field(default=None, repr=False)
    places: array[int] | None = field(default=None, repr=False)  # see `compact_places`
    _trees: list[Any] | None = field(default=None, init=False, repr=False)
    _packed: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self, _metadata: dict[str, Any], _spec: dict[str, Any]) -> None:
        self._trees = [_metadata, _spec]
        # Kinds and namespaces repeat across a catalog: one string each, not one per entity.
        lowered = self.name.lower()
        self.key = (
            sys.intern(self.kind.lower()),
            sys.intern(self.namespace.lower()),
            self.name if lowered == self.name else lowered,
        )
        if self.positions is not None:
            self.line, self.column = self.positions.value(())

    def _open(self) -> list[Any]:
        trees = self._trees
        if trees is None:
            trees = self._trees = list(unpack_tree(self._packed or _EMPTY))
            _OPEN.add(self)
        return trees

    @property
    def metadata(self) -> dict[str, Any]:
        """`metadata` as loaded (decoded again when packed: do not change it in place)."""
        return self._open()[0]

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        self._open()[0] = value
        if self._packed is not None:
            self.pack()

    @property
    def spec(self) -> dict[str, Any]:
        """`spec` as loaded (decoded again when packed: do not change it in place)."""
        return self._open()[1]

    @spec.setter
    def spec(self, value: dict[str, Any]) -> None:
        self._open()[1] = value
        if self._packed is not None:
            self.pack()

    def pack(self) -> None:
        """Hold `metadata` and `spec` as bytes from now on (kept as objects if they cannot be)."""
        trees = self._open()
        try:
            self._packed = pack_tree((trees[0], trees[1]))
        except ValueError:  # a value marshal does not know: rare, keep the objects
            self._packed = None
            return
        self._trees = None

    def release(self) -> None:
        """Forget `metadata` and `spec` (mapped: others need only its reference now)."""
        # Empty trees, decoded if ever asked for: no objects held per released entity.
        self._packed, self._trees = _EMPTY, None

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
        slot = _EXACT_SLOTS.get(field_path)
        if self.positions is None and slot is not None and self.places and self.places[slot]:
            # Kept exactly in the compact places: no need to read the file again.
            line, column = self.places[slot], self.places[slot + 1]
            return Finding(
                self.path,
                line,
                column,
                severity,
                code,
                message,
                hint,
                dotted(field_path),
                self.index,
            )
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
        KINDS[lowered],
        sys.intern(namespace),
        name,
        sys.intern(str(api_version)),
        metadata,
        spec,
        path,
        index,
        positions,
    )
    return entity, findings
