"""Backstage entities -> descriptor documents: ids, references, loops, teams and people.

Products (Components, APIs, Resources) are mapped in `products`; this module owns the shared
state: the entity index, the id given to each entity, and reference resolution with findings.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from productize.domain.backstage.model import Entity, places_index
from productize.domain.backstage.options import MappedDocument, MappingOptions
from productize.domain.backstage.packed import pack
from productize.domain.backstage.refs import (
    DEFAULT_NAMESPACE,
    FIELD_KINDS,
    EntityRef,
    id_for,
    parse_ref,
)
from productize.domain.descriptors import AnyDoc, LoopDoc, PersonDoc, ProductDoc, TeamDoc
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument
from productize.domain.setchecks import DocFacts
from productize.domain.yamlload import PathKey

ERROR, WARNING = Severity.ERROR, Severity.WARNING
META_MAPPED = frozenset(("name", "namespace", "description", "annotations"))
_PEOPLE_META = frozenset(("name", "namespace", "annotations"))  # teams have no description
PRODUCTIZE_PREFIX = "productize.io/"  # annotations written by our export, read back here
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
KIND_ORDER = ("domain", "system", "component", "api", "resource", "group", "user", "location")


def dump(value: Any) -> str:
    """Compact JSON that keeps key order (export reads it back in the same order)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _sort_key(entity: Entity) -> tuple[Any, ...]:
    # Order-independent claim on ids: the default namespace first, then by kind and name.
    lowered = entity.kind.lower()
    return (
        entity.namespace.lower() != DEFAULT_NAMESPACE,
        KIND_ORDER.index(lowered) if lowered in KIND_ORDER else 99,
        entity.namespace.lower(),
        entity.name.lower(),
        entity.name,
    )


class Mapper:
    """The state of one mapping run: entities by reference, ids, findings."""

    def __init__(
        self,
        entities: list[Entity],
        options: MappingOptions,
        digest: Callable[[AnyDoc], str] | None = None,
    ) -> None:
        self.options = options
        self.digest = digest  # a hash the caller wants of each document, made while it is live
        self.findings: list[Finding] = []
        self.documents: list[MappedDocument] = []
        self.definitions: dict[str, str] = {}
        self.unmapped: list[str] = []
        self.by_key: dict[tuple[str, str, str], Entity] = {}
        self.by_kind: dict[str, list[Entity]] = defaultdict(list)
        for entity in entities:
            key = entity.key
            first = self.by_key.get(key)
            if first is not None:
                self.findings.append(
                    entity.finding(
                        ("metadata", "name"),
                        ERROR,
                        "backstage-duplicate-entity",
                        f"`{entity.ref}` is already defined at {first.path}:"
                        f"{first.line}; this one is ignored",
                        "give it another name or namespace, or remove one of them",
                    )
                )
                continue
            self.by_key[key] = entity
            self.by_kind[entity.kind.lower()].append(entity)
        product_kinds = ("system",) if options.product_from == "system" else ()
        self.product_kinds = frozenset(("component", *product_kinds))
        self.space = {
            "domain": "loop",
            "system": "product" if product_kinds else "loop",
            "component": "product",
            "group": "team",
            "user": "person",
            "api": "api",
            "resource": "resource",
            "location": "location",
        }
        self.ids: dict[tuple[str, str, str], str] = {}
        self._refs: dict[tuple[str, str, str], EntityRef | str] = {}
        self._assign_ids()

    # ---- ids ------------------------------------------------------------------------------
    def _assign_ids(self) -> None:
        """Give every entity an id, unique in its space; later claimants get `-2`, `-3`..."""
        spaces: dict[str, list[Entity]] = defaultdict(list)
        for entity in self.by_key.values():
            spaces[self.space[entity.kind.lower()]].append(entity)
        for members in spaces.values():
            members.sort(key=_sort_key)
            taken: dict[str, Entity] = {}
            losers: list[tuple[Entity, str]] = []
            for entity in members:
                base = id_for(entity.namespace, entity.name)
                if base in taken:
                    losers.append((entity, base))
                else:
                    taken[base] = entity
                    self.ids[entity.key] = base
            for entity, base in losers:
                n = 2
                while f"{base}-{n}" in taken:
                    n += 1
                new = f"{base}-{n}"
                taken[new] = entity
                self.ids[entity.key] = new
                winner = taken[base]
                self.findings.append(
                    entity.finding(
                        ("metadata", "name"),
                        WARNING,
                        "backstage-id-collision",
                        f"`{entity.ref}` and `{winner.ref}` both map to the id `{base}`; "
                        f"this one becomes `{new}`",
                        "rename one of them in Backstage to choose the ids yourself",
                    )
                )

    def id_of(self, entity: Entity) -> str:
        """The id given to an entity."""
        return self.ids[entity.key]

    def id_of_ref(self, ref: EntityRef, target: Entity | None) -> str:
        """The id of a resolved target, or the id a missing entity would get."""
        return self.ids[target.key] if target is not None else id_for(ref.namespace, ref.name)

    # ---- references -----------------------------------------------------------------------
    def resolve(
        self, entity: Entity, where: PathKey, value: Any, field: str
    ) -> tuple[EntityRef | None, Entity | None]:
        """Parse and look up one reference; problems become located findings.

        Returns (None, None) for a malformed reference, (ref, None) for a missing entity.
        """
        allowed = FIELD_KINDS.get(field, ())
        cache_key = (value, field, entity.namespace) if isinstance(value, str) else None
        parsed = self._refs.get(cache_key) if cache_key is not None else None
        if parsed is None:
            try:
                parsed = parse_ref(
                    value, default_kind=allowed[0] if allowed else None, namespace=entity.namespace
                )
            except ValueError as exc:
                parsed = str(exc)
            if cache_key is not None:  # catalogs repeat the same owners and systems a lot
                self._refs[cache_key] = parsed
        if isinstance(parsed, str):
            self.findings.append(
                entity.finding(where, ERROR, "backstage-invalid-reference", parsed)
            )
            return None, None
        ref = parsed
        target = self.by_key.get(ref.key)
        if target is None and isinstance(value, str) and ":" not in value:
            for kind in allowed[1:]:  # `dependsOn: x` may name a component or a resource
                alt = EntityRef(kind, ref.namespace, ref.name)
                if (found := self.by_key.get(alt.key)) is not None:
                    ref, target = alt, found
                    break
        if allowed and ref.kind.lower() not in allowed:
            self.findings.append(
                entity.finding(
                    where,
                    WARNING,
                    "backstage-wrong-kind-reference",
                    f"`{field}` refers to `{ref}`, but expects a {' or '.join(allowed)}",
                )
            )
        if target is None:
            self.findings.append(
                entity.finding(
                    where,
                    WARNING,
                    "backstage-unknown-reference",
                    f"`{field}` refers to `{ref}`, which is not in the catalog",
                    "kept as is; check the name, or add the entity",
                )
            )
        return ref, target

    def resolve_many(
        self, entity: Entity, field: str
    ) -> list[tuple[PathKey, EntityRef, Entity | None]]:
        """Every well-formed reference in a list field of `spec` (a single value counts too)."""
        value = entity.spec.get(field)
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            where: PathKey = ("spec", field, i) if isinstance(value, list) else ("spec", field)
            ref, target = self.resolve(entity, where, item, field)
            if ref is not None:
                out.append((where, ref, target))
        return out

    def owners(self, entity: Entity) -> list[str]:
        """`spec.owner` as our owner references (`team:x` / `person:x`)."""
        marked = entity.metadata.get("annotations") or {}
        if isinstance(marked, dict) and isinstance(marked.get(PRODUCTIZE_PREFIX + "owners"), str):
            # Our export writes every owner here when there is not exactly one.
            return [o for o in marked[PRODUCTIZE_PREFIX + "owners"].split(",") if o]
        if entity.spec.get("owner") is None:
            return []
        ref, target = self.resolve(entity, ("spec", "owner"), entity.spec["owner"], "owner")
        if ref is None:
            return []
        prefix = "person" if ref.kind.lower() == "user" else "team"
        return [f"{prefix}:{self.id_of_ref(ref, target)}"]

    def owner_key(self, entity: Entity) -> tuple[str, str, str] | None:
        """The identity of `spec.owner` (without findings: used for comparisons only)."""
        try:
            ref = parse_ref(
                entity.spec.get("owner"), default_kind="group", namespace=entity.namespace
            )
        except ValueError:
            return None
        return ref.key

    def guarded(self, entity: Entity, fn: Any, *args: Any) -> Any:
        """Call `fn`; a bug of ours then costs one entity (reported), not the whole catalog."""
        try:
            return fn(*args)
        except Exception as exc:
            self.findings.append(
                entity.finding(
                    (),
                    ERROR,
                    "internal-error",
                    f"productize could not map `{entity.ref}`: {type(exc).__name__}: {exc}",
                    "this is a bug in productize; please report it with the file",
                )
            )
            return None

    def require(self, entity: Entity, *fields: str) -> None:
        """A warning for each field the kind expects in `spec` but that is missing."""
        for name in fields:
            if entity.spec.get(name) in (None, "", []):
                self.findings.append(
                    entity.finding(
                        ("spec",),
                        WARNING,
                        "backstage-missing-spec",
                        f"{entity.kind} `{entity.name}` has no `spec.{name}`",
                        f"add `{name}:` to its spec",
                    )
                )

    # ---- extras ---------------------------------------------------------------------------
    def extras(
        self,
        entity: Entity,
        spec_mapped: frozenset[str],
        meta_mapped: frozenset[str] = META_MAPPED,
        *,
        meta_extra: dict[str, Any] | None = None,
        spec_extra: dict[str, Any] | None = None,
    ) -> dict[str, str]:
        """What the entity says that has no field in our documents, as annotations."""
        out: dict[str, str] = {"backstage/ref": str(entity.ref)}
        meta_left = {k: v for k, v in entity.metadata.items() if k not in meta_mapped}
        annotations = entity.metadata.get("annotations")
        if isinstance(annotations, dict):
            awkward = {}
            for key, value in annotations.items():
                if str(key).startswith(PRODUCTIZE_PREFIX):
                    continue  # written by our export; already turned back into fields
                if isinstance(value, str) and value.strip() == value and value and len(key) <= 200:
                    out[str(key)] = value
                else:
                    awkward[key] = value  # would not survive as an annotation of ours
            if awkward:
                meta_left["annotations"] = awkward
        elif annotations is not None:
            meta_left["annotations"] = annotations
        meta_left.update(meta_extra or {})
        spec_left = {k: v for k, v in entity.spec.items() if k not in spec_mapped}
        spec_left.update(spec_extra or {})
        if meta_left:
            out["backstage/metadata"] = dump(meta_left)
        if spec_left:
            out["backstage/spec"] = dump(spec_left)
        return out

    def add(
        self, entity: Entity, model_cls: type[BaseModel], data: dict[str, Any], extras: dict
    ) -> None:
        """Validate a mapped document and record it, or report why it could not be."""
        try:
            model = model_cls.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:3]
            )
            self.findings.append(
                entity.finding(
                    (),
                    ERROR,
                    "backstage-invalid-document",
                    f"`{entity.ref}` cannot be taken over: {problems}",
                )
            )
            return
        line, column = entity.line, entity.column
        if entity.kind != "System" or self.options.product_from != "system":
            # Other entities need only this one's reference from now on (a System in system
            # mode is still asked for its Domain): let its data go, it is most of the memory.
            entity.release()
        document = cast(AnyDoc, model)
        # What is needed of the document before it is written (the set checks' facts, the
        # sync's hash) is taken now, from the live model; then only its packed bytes stay.
        parsed = ParsedDocument(
            document,
            entity.path,
            entity.index,
            line,
            column,
            places_index(entity.places, line, column),
        )
        self.documents.append(
            MappedDocument(
                pack(document),
                document.kind,
                document.id,
                str(entity.ref),
                entity.path,
                line,
                column,
                entity.index,
                None if isinstance(model, ProductDoc) else extras,
                entity.places,
                DocFacts.of(parsed, lazy=True),
                self.digest(document) if self.digest is not None else None,
            )
        )


def text_of(value: Any) -> str | None:
    """A non-empty stripped text, or None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def map_loops(m: Mapper) -> None:
    """Domains -> loops; Systems -> loops nested in their Domain (unless they are products)."""
    for entity in m.by_kind["domain"]:
        m.guarded(entity, _domain, m, entity)
    if m.options.product_from == "system":
        return
    for entity in m.by_kind["system"]:
        m.guarded(entity, _system, m, entity)


def _domain(m: Mapper, entity: Entity) -> None:
    m.require(entity, "owner")
    parent = None
    if entity.spec.get("subdomainOf") is not None:
        value = entity.spec["subdomainOf"]
        ref, target = m.resolve(entity, ("spec", "subdomainOf"), value, "subdomainOf")
        parent = m.id_of_ref(ref, target) if ref else None
    _loop(m, entity, parent, frozenset(("owner", "subdomainOf")))


def _system(m: Mapper, entity: Entity) -> None:
    m.require(entity, "owner")
    _loop(m, entity, system_domain(m, entity), frozenset(("owner", "domain")))


def system_domain(m: Mapper, entity: Entity) -> str | None:
    """The loop id of a System's Domain (or of the loop our export recorded)."""
    marked = entity.metadata.get("annotations") or {}
    if isinstance(marked, dict) and isinstance(marked.get(PRODUCTIZE_PREFIX + "loop"), str):
        return str(marked[PRODUCTIZE_PREFIX + "loop"])
    if entity.spec.get("domain") is None:
        return None
    ref, target = m.resolve(entity, ("spec", "domain"), entity.spec["domain"], "domain")
    return m.id_of_ref(ref, target) if ref else None


def _loop(m: Mapper, entity: Entity, parent: str | None, spec_mapped: frozenset[str]) -> None:
    data = {
        "kind": "loop",
        "id": m.id_of(entity),
        "name": text_of(entity.metadata.get("title")) or entity.name,
        "mission": text_of(entity.metadata.get("description")),
        "parent": parent,
        "owners": m.owners(entity),
    }
    m.add(entity, LoopDoc, data, m.extras(entity, spec_mapped, META_MAPPED | {"title"}))


def map_teams(m: Mapper) -> None:
    """Groups -> teams (parent from `parent`, or from a parent's `children`); Users -> people."""
    parent_of: dict[str, str] = {}
    for entity in m.by_kind["group"]:
        for _, ref, target in m.resolve_many(entity, "children"):
            parent_of.setdefault(m.id_of_ref(ref, target), m.id_of(entity))
    for entity in m.by_kind["group"]:
        m.guarded(entity, _team, m, entity, parent_of)
    for entity in m.by_kind["user"]:
        m.guarded(entity, _person, m, entity)


def _team(m: Mapper, entity: Entity, parent_of: dict[str, str]) -> None:
    m.require(entity, "type")
    own_id = m.id_of(entity)
    parent = None
    if entity.spec.get("parent") is not None:
        pref, ptarget = m.resolve(entity, ("spec", "parent"), entity.spec["parent"], "parent")
        parent = m.id_of_ref(pref, ptarget) if pref else None
    parent = parent or parent_of.get(own_id)
    members = [m.id_of_ref(r, t) for _, r, t in m.resolve_many(entity, "members")]
    name, profile_left = _profile_name(entity)
    spec_extra = {"profile": profile_left} if profile_left else {}
    data = {
        "kind": "team",
        "id": own_id,
        "name": name,
        "members": list(dict.fromkeys(members)),
        "parent": parent,
    }
    mapped = frozenset(("parent", "children", "members", "profile"))
    m.add(entity, TeamDoc, data, m.extras(entity, mapped, _PEOPLE_META, spec_extra=spec_extra))


def _person(m: Mapper, entity: Entity) -> None:
    teams = [m.id_of_ref(r, t) for _, r, t in m.resolve_many(entity, "memberOf")]
    name, profile_left = _profile_name(entity)
    profile = entity.spec.get("profile")
    email = profile.get("email") if isinstance(profile, dict) else None
    if email is not None:
        if isinstance(email, str) and _EMAIL.match(email.strip()):
            email = email.strip()
            profile_left.pop("email", None)
        else:
            m.findings.append(
                entity.finding(
                    ("spec", "profile", "email"),
                    WARNING,
                    "backstage-invalid-value",
                    f"`{email}` is not an email address; kept in annotations",
                )
            )
            email = None
    spec_extra = {"profile": profile_left} if profile_left else {}
    data = {
        "kind": "person",
        "id": m.id_of(entity),
        "name": name,
        "email": email,
        "teams": list(dict.fromkeys(teams)),
    }
    mapped = frozenset(("memberOf", "profile"))
    m.add(entity, PersonDoc, data, m.extras(entity, mapped, _PEOPLE_META, spec_extra=spec_extra))


def _profile_name(entity: Entity) -> tuple[str, dict[str, Any]]:
    """A person's or team's name (display name, else title, else name) and the rest of
    `spec.profile` (without the display name when it was used)."""
    profile = entity.spec.get("profile")
    left = dict(profile) if isinstance(profile, dict) else {}
    shown = text_of(left.get("displayName"))
    if shown is not None:
        left.pop("displayName")
        return shown, left
    return text_of(entity.metadata.get("title")) or entity.name, left
