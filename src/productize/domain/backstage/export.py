"""Descriptor documents -> Backstage entities (and `catalog-info` files).

The inverse of the reader: what the reader kept in `backstage/...` annotations (and in the
`extras` of loops, teams and people) is put back where it came from, so that reading the
export again gives the same documents. Documents that never came from Backstage get
names from their ids. Where Backstage needs a field we have no value for (every Component
has exactly one owner), export writes a placeholder and marks it with a `productize.io/...`
annotation that the reader turns back into the original (empty or multiple owners).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from productize.domain.backstage.options import (
    LIFECYCLE_STAGES,
    STABILITY_LIFECYCLES,
    STAGE_LIFECYCLES,
    MappedDocument,
    MappingOptions,
)
from productize.domain.backstage.products import EXPORT_LINKS, LINK_SLOTS, normalise_tag
from productize.domain.backstage.refs import (
    DEFAULT_NAMESPACE,
    NAME_MAX,
    NAME_PATTERN,
    id_for,
    parse_ref,
)
from productize.domain.descriptors import (
    AnyDoc,
    InterfaceKind,
    LoopDoc,
    PersonDoc,
    ProductDoc,
    ProvidedInterface,
    Stage,
    TeamDoc,
)

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

API_VERSION = "backstage.io/v1alpha1"
ENTITIES_PER_FILE = 2000
KIND_TYPES = {InterfaceKind.API: "openapi", InterfaceKind.EVENT: "asyncapi"}
NO_DEFINITION = "No definition recorded in productize."
_OWNERLESS = "unowned"
_NAMESPACE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # Backstage's namespace rule
_TAG = re.compile(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")  # what Backstage accepts as a tag
_TAG_NOT = re.compile(r"[^a-z0-9:+#]+")
Extras = Mapping[tuple[str, str], Mapping[str, str]]


def _load(extras: Mapping[str, str], key: str) -> dict[str, Any]:
    raw = extras.get(key)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class _Names:
    """The Backstage reference of every document, so references between them line up."""

    def __init__(self, docs: list[AnyDoc], extras: Extras) -> None:
        self.refs: dict[tuple[str, str], tuple[str, str, str]] = {}
        self.loop_kinds: dict[str, str] = {}
        kinds = {"loop": "domain", "team": "group", "person": "user", "product": "component"}
        loops = {d.id: d for d in docs if isinstance(d, LoopDoc)}
        for doc in docs:
            ann = self.extras_of(doc, extras)
            kind = kinds.get(doc.kind)
            if kind is None:
                continue
            if isinstance(doc, LoopDoc):
                original = _kind_of(ann.get("backstage/ref"))
                kind = original or ("domain" if doc.parent is None else "system")
                if kind == "system" and (doc.parent is None or doc.parent not in loops):
                    kind = "system" if original else "domain"
                self.loop_kinds[doc.id] = kind
            self.refs[(doc.kind, doc.id)] = self._name(kind, doc.id, ann.get("backstage/ref"))

    @staticmethod
    def extras_of(doc: AnyDoc, extras: Extras) -> Mapping[str, str]:
        """What the reader kept about a document: product annotations, else its extras."""
        if isinstance(doc, ProductDoc):
            return doc.annotations
        return extras.get((doc.kind, doc.id), {})

    @staticmethod
    def _name(kind: str, our_id: str, ref_text: str | None) -> tuple[str, str, str]:
        """The original (namespace, name) when it still maps to this id; else the id."""
        if ref_text:
            try:
                ref = parse_ref(ref_text, default_kind=kind, namespace=DEFAULT_NAMESPACE)
            except ValueError:
                ref = None
            if ref is not None:
                base = id_for(ref.namespace, ref.name)
                valid = (
                    len(ref.name) <= NAME_MAX
                    and NAME_PATTERN.match(ref.name)
                    and _NAMESPACE.fullmatch(ref.namespace)
                )
                if valid and (our_id == base or re.fullmatch(re.escape(base) + r"-\d+", our_id)):
                    return kind, ref.namespace, ref.name
        return kind, DEFAULT_NAMESPACE, our_id

    def ref(self, our_kind: str, our_id: str, fallback: str) -> str:
        """The full Backstage reference of a document (or of a missing one, from its id)."""
        kind, ns, name = self.refs.get((our_kind, our_id), (fallback, DEFAULT_NAMESPACE, our_id))
        return f"{kind}:{ns}/{name}"

    def owner(self, owner: str) -> str:
        """An owner of ours (`team:x`, `person:x` or a bare id) as a group or user reference."""
        prefix, sep, rest = owner.partition(":")
        if not sep:
            rest = owner
            prefix = "person" if ("person", owner) in self.refs else "team"
            if ("team", owner) in self.refs:
                prefix = "team"
        return self.ref(prefix, rest, "user" if prefix == "person" else "group")


def _kind_of(ref_text: str | None) -> str | None:
    if not ref_text or ":" not in ref_text:
        return None
    return ref_text.partition(":")[0].lower()


def _metadata(
    names: _Names, key: tuple[str, str], extras: Mapping[str, str], title: str | None, **more: Any
) -> dict[str, Any]:
    _, ns, name = names.refs[key]
    meta: dict[str, Any] = {"name": name}
    if ns != DEFAULT_NAMESPACE:
        meta["namespace"] = ns
    if title and title != name:
        meta["title"] = title
    meta.update({k: v for k, v in more.items() if v})
    meta.update(_load(extras, "backstage/metadata"))
    annotations = dict(meta.get("annotations") or {})
    annotations.update({k: v for k, v in extras.items() if not k.startswith("backstage/")})
    if annotations:
        meta["annotations"] = annotations
    return meta


def _entity(kind: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _owner_fields(names: _Names, owners: list[str], meta: dict[str, Any]) -> str:
    """Backstage's single owner; any other number is recorded for the reader."""
    if len(owners) != 1:
        meta.setdefault("annotations", {})["productize.io/owners"] = ",".join(owners)
    return names.owner(owners[0]) if owners else f"group:{DEFAULT_NAMESPACE}/{_OWNERLESS}"


def export_backstage(
    documents: Iterable[AnyDoc],
    *,
    definitions: Mapping[str, str] | None = None,
    extras: Extras | None = None,
) -> list[dict[str, Any]]:
    """Backstage entities for descriptor documents (organization documents have no kind)."""
    docs = list(documents)
    extras = extras or {}
    definitions = definitions or {}
    names = _Names(docs, extras)
    out: list[dict[str, Any]] = []
    teams = [d for d in docs if isinstance(d, TeamDoc)]
    children: dict[str, list[str]] = {}
    for team in teams:
        if team.parent:
            children.setdefault(team.parent, []).append(names.ref("team", team.id, "group"))
    for doc in docs:
        if isinstance(doc, LoopDoc):
            out.append(_loop(names, doc, extras.get(("loop", doc.id), {})))
        elif isinstance(doc, TeamDoc):
            out.append(_team(names, doc, extras.get(("team", doc.id), {}), children))
        elif isinstance(doc, PersonDoc):
            out.append(_person(names, doc, extras.get(("person", doc.id), {})))
    products = {p.id: p for p in docs if isinstance(p, ProductDoc)}
    interfaces = {pid: {i.name: i for i in p.interfaces.provides} for pid, p in products.items()}
    for product in products.values():
        out.extend(_product(names, product, products, interfaces, definitions))
    return out


def export_mapped(
    documents: Iterable[MappedDocument], definitions: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """Export what `read_backstage` produced, with the extras of loops, teams and people."""
    docs = list(documents)
    # Products carry their extras as annotations; `extras` of the others needs no unpacking.
    extras: dict[tuple[str, str], Mapping[str, str]] = {
        (d.kind, d.id): d.own_extras for d in docs if d.own_extras is not None
    }
    return export_backstage([d.model for d in docs], definitions=definitions, extras=extras)


def _loop(names: _Names, doc: LoopDoc, extras: Mapping[str, str]) -> dict[str, Any]:
    meta = _metadata(names, ("loop", doc.id), extras, doc.name, description=doc.mission)
    spec = _load(extras, "backstage/spec")
    spec["owner"] = _owner_fields(names, doc.owners, meta)
    kind = names.loop_kinds[doc.id]
    if doc.parent is not None:
        parent_kind = names.loop_kinds.get(doc.parent, "domain")
        if kind == "domain" and parent_kind == "domain":
            spec["subdomainOf"] = names.ref("loop", doc.parent, "domain")
        elif kind == "system" and parent_kind == "domain":
            spec["domain"] = names.ref("loop", doc.parent, "domain")
        else:  # Backstage cannot nest this deep: the reader takes the parent from here
            meta.setdefault("annotations", {})["productize.io/loop"] = doc.parent
    return _entity("Domain" if kind == "domain" else "System", meta, spec)


def _team(
    names: _Names, doc: TeamDoc, extras: Mapping[str, str], children: dict[str, list[str]]
) -> dict[str, Any]:
    meta = _metadata(names, ("team", doc.id), extras, None)
    spec = _load(extras, "backstage/spec")
    spec.setdefault("type", "team")
    spec["profile"] = {"displayName": doc.name, **(spec.get("profile") or {})}
    if doc.parent:
        spec["parent"] = names.ref("team", doc.parent, "group")
    spec["children"] = children.get(doc.id, [])
    spec["members"] = [names.ref("person", p, "user") for p in doc.members]
    return _entity("Group", meta, spec)


def _person(names: _Names, doc: PersonDoc, extras: Mapping[str, str]) -> dict[str, Any]:
    meta = _metadata(names, ("person", doc.id), extras, None)
    spec = _load(extras, "backstage/spec")
    profile = {"displayName": doc.name, **(spec.get("profile") or {})}
    if doc.email:
        profile["email"] = doc.email
    spec["profile"] = profile
    spec["memberOf"] = [names.ref("team", t, "group") for t in doc.teams]
    return _entity("User", meta, spec)


def _skeleton(product: ProductDoc, name: str) -> dict[str, Any]:
    return _load(product.annotations, f"backstage/interface/{name}")


def _iface_ref(product: ProductDoc, iface: ProvidedInterface) -> str:
    """`api:ns/name` or `resource:ns/name` of the entity an interface is exported as."""
    ref = _skeleton(product, iface.name).get("ref")
    if isinstance(ref, str) and ":" in ref:
        return ref
    name = id_for(DEFAULT_NAMESPACE, f"{product.id}-{iface.name}")
    return f"api:{DEFAULT_NAMESPACE}/{name}"


def _product(
    names: _Names,
    doc: ProductDoc,
    products: dict[str, ProductDoc],
    interfaces: dict[str, dict[str, ProvidedInterface]],
    definitions: Mapping[str, str],
) -> list[dict[str, Any]]:
    ann = doc.annotations
    meta = _metadata(names, ("product", doc.id), ann, doc.name, description=doc.mission)
    spec = _load(ann, "backstage/spec")
    original_tags = meta.get("tags")
    if not (
        isinstance(original_tags, list)
        and all(isinstance(t, str) and _TAG.fullmatch(t) for t in original_tags)
        and [t for t in map(normalise_tag, original_tags) if t] == doc.tags
    ):
        meta["tags"] = [_TAG_NOT.sub("-", t).strip("-") for t in doc.tags]
        if isinstance(original_tags, list) and original_tags:
            # The reader takes the original spelling back from here.
            meta.setdefault("annotations", {})["productize.io/tags"] = json.dumps(
                original_tags, ensure_ascii=False
            )
    links = [
        {"url": url, **EXPORT_LINKS[slot]}
        for slot in LINK_SLOTS
        if (url := getattr(doc.links, slot)) is not None
    ]
    meta["links"] = links + list(meta.get("links") or [])
    for key in ("tags", "links"):
        if not meta[key]:
            del meta[key]
    kinds = {i.kind for i in doc.interfaces.provides}
    spec.setdefault(
        "type",
        "website"
        if InterfaceKind.UI in kinds
        else "library"
        if InterfaceKind.LIBRARY in kinds
        else "service",
    )
    lifecycle = spec.get("lifecycle")
    if not (isinstance(lifecycle, str) and _stage_of(lifecycle) == doc.stage):
        spec["lifecycle"] = STAGE_LIFECYCLES[doc.stage]
    spec["owner"] = _owner_fields(names, doc.owners, meta)
    if doc.loop is not None:
        if names.loop_kinds.get(doc.loop) == "system":
            spec["system"] = names.ref("loop", doc.loop, "system")
        else:
            meta.setdefault("annotations", {})["productize.io/loop"] = doc.loop
    if doc.part_of is not None:
        spec["subcomponentOf"] = names.ref("product", doc.part_of, "component")
    implicit = ann.get("backstage/implicit-interface")
    provides, own_resources, extra_entities = [], [], []
    for iface in doc.interfaces.provides:
        if iface.name == implicit:
            continue
        ref = _iface_ref(doc, iface)
        if ref.startswith("resource:"):
            own_resources.append(ref)
        else:
            provides.append(ref)
        extra_entities.append(_interface(names, doc, iface, ref, spec, definitions))
    consumes, depends = [], []
    for item in doc.interfaces.consumes:
        pid, _, name = item.interface.partition("/")
        provider = products.get(pid)
        target = interfaces.get(pid, {}).get(name)
        implicit_of = provider.annotations.get("backstage/implicit-interface") if provider else None
        if name == implicit_of or (target is None and name == "default"):
            depends.append(names.ref("product", pid, "component"))
        elif provider is None or target is None:  # dangling: keep it for the checker to report
            consumes.append(f"api:{DEFAULT_NAMESPACE}/{id_for(DEFAULT_NAMESPACE, item.interface)}")
        else:
            ref = _iface_ref(provider, target)
            (depends if ref.startswith("resource:") else consumes).append(ref)
    spec["providesApis"] = provides + list(spec.get("providesApis") or [])
    spec["consumesApis"] = consumes + list(spec.get("consumesApis") or [])
    spec["dependsOn"] = depends + list(spec.get("dependsOn") or []) + own_resources
    for key in ("providesApis", "consumesApis", "dependsOn"):
        if not spec[key]:
            del spec[key]
    return [_entity("Component", meta, spec), *extra_entities]


def _interface(
    names: _Names,
    doc: ProductDoc,
    iface: ProvidedInterface,
    ref_text: str,
    product_spec: dict[str, Any],
    definitions: Mapping[str, str],
) -> dict[str, Any]:
    """An API (or Resource) entity for one provided interface."""
    skeleton = _skeleton(doc, iface.name)
    ref = parse_ref(ref_text, default_kind="api", namespace=DEFAULT_NAMESPACE)
    meta: dict[str, Any] = {"name": ref.name}
    if ref.namespace != DEFAULT_NAMESPACE:
        meta["namespace"] = ref.namespace
    meta.update(skeleton.get("metadata") or {})
    full = meta.get("description")
    if iface.description and not (
        isinstance(full, str) and full.startswith(iface.description.rstrip("…"))
    ):
        meta["description"] = iface.description
    if iface.docs:
        meta["links"] = [{"url": iface.docs, **EXPORT_LINKS["docs"]}, *(meta.get("links") or [])]
    spec = dict(skeleton.get("spec") or {})
    spec.setdefault("owner", product_spec["owner"])
    if not skeleton and "system" in product_spec:  # not from Backstage: take the product's
        spec["system"] = product_spec["system"]
    if ref.kind.lower() == "resource":
        spec.setdefault("type", iface.kind.value)
        return _entity("Resource", meta, spec)
    spec.setdefault("type", KIND_TYPES.get(iface.kind, iface.kind.value))
    lifecycle = spec.get("lifecycle")
    wanted = STABILITY_LIFECYCLES[iface.stability]
    if not (isinstance(lifecycle, str) and _stability_of(lifecycle) == wanted):
        spec["lifecycle"] = wanted
    definition = definitions.get(f"{doc.id}/{iface.name}")
    if not definition and iface.spec:
        definition = f"See {iface.spec} next to the product's descriptor."
    spec.setdefault("definition", definition or NO_DEFINITION)
    if iface.spec:  # read back by the reader as the interface's spec path
        meta["annotations"] = {**(meta.get("annotations") or {}), "productize.io/spec": iface.spec}
    return _entity("API", meta, spec)


def _stage_of(lifecycle: str) -> Stage:
    """The stage the reader gives a lifecycle (unknown ones get the default stage)."""
    return LIFECYCLE_STAGES.get(lifecycle.lower(), MappingOptions().unknown_lifecycle_stage)


def _stability_of(lifecycle: str) -> str | None:
    stage = LIFECYCLE_STAGES.get(lifecycle.lower())
    return STAGE_LIFECYCLES[stage] if stage is not None else None


def dump_entities(entities: Iterable[dict[str, Any]]) -> str:
    """Entities as one multi-document YAML text."""
    return yaml.dump_all(
        list(entities), Dumper=_Dumper, sort_keys=False, allow_unicode=True, explicit_start=True
    )


def write_backstage(out_dir: Path, entities: list[dict[str, Any]]) -> list[Path]:
    """Write entities as `catalog-info.yaml` (a Location) plus one file per kind group."""
    groups = {
        "loops.yaml": ("Domain", "System"),
        "teams.yaml": ("Group", "User"),
        "products.yaml": ("Component",),
        "interfaces.yaml": ("API", "Resource"),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for file_name, kinds in groups.items():
        chosen = [e for e in entities if e["kind"] in kinds]
        # Large catalogs are split (`products-2.yaml`, ...) to stay well under the reader's
        # file size limit.
        for start in range(0, len(chosen), ENTITIES_PER_FILE):
            part = start // ENTITIES_PER_FILE + 1
            stem, _, ext = file_name.partition(".")
            path = out_dir / (file_name if part == 1 else f"{stem}-{part}.{ext}")
            path.write_text(dump_entities(chosen[start : start + ENTITIES_PER_FILE]), "utf-8")
            written.append(path)
    location = _entity(
        "Location",
        {"name": "productize-export", "description": "Catalog exported by productize"},
        {"targets": [f"./{path.name}" for path in written]},
    )
    index = out_dir / "catalog-info.yaml"
    index.write_text(dump_entities([location]), "utf-8")
    return [index, *written]


def check_entity(entity: dict[str, Any]) -> list[str]:
    """Problems Backstage would reject an entity for (a check that needs no schema files)."""
    problems: list[str] = []
    meta, spec, kind = entity.get("metadata") or {}, entity.get("spec") or {}, entity.get("kind")
    if entity.get("apiVersion") != API_VERSION:
        problems.append("apiVersion")
    name = meta.get("name")
    if not isinstance(name, str) or len(name) > 63 or not NAME_PATTERN.match(name):
        problems.append(f"metadata.name {name!r}")
    namespace = meta.get("namespace", DEFAULT_NAMESPACE)
    if not (isinstance(namespace, str) and _NAMESPACE.fullmatch(namespace)):
        problems.append(f"metadata.namespace {namespace!r}")
    for key in ("labels", "annotations"):
        for k, v in (meta.get(key) or {}).items():
            if not isinstance(v, str) or not isinstance(k, str) or not k:
                problems.append(f"metadata.{key}.{k}")
    for tag in meta.get("tags") or []:
        if not (isinstance(tag, str) and re.fullmatch(r"[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*", tag)):
            problems.append(f"metadata.tags {tag!r}")
    for link in meta.get("links") or []:
        if not (isinstance(link, dict) and isinstance(link.get("url"), str) and link["url"]):
            problems.append(f"metadata.links {link!r}")
    required = {
        "Component": ("type", "lifecycle", "owner"),
        "API": ("type", "lifecycle", "owner", "definition"),
        "Domain": ("owner",),
        "System": ("owner",),
        "Group": ("type",),
        "Resource": ("type", "owner"),
    }.get(str(kind), ())
    for field in required:
        if not (isinstance(spec.get(field), str) and spec[field]):
            problems.append(f"spec.{field}")
    lists = {"Group": ("children", "members"), "User": ("memberOf",)}.get(str(kind), ())
    lists += ("providesApis", "consumesApis", "dependsOn")
    for field in lists:
        value = spec.get(field, [])
        if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
            problems.append(f"spec.{field}")
    if (kind == "Group" and "children" not in spec) or (kind == "User" and "memberOf" not in spec):
        problems.append("spec: a required list is missing")
    return problems
