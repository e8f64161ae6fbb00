"""Components (and Systems, when they are the products), APIs and Resources -> products.

An API becomes an interface of the product whose component lists it in `providesApis`; a
Resource becomes a `data` interface of one product that depends on it; a component that others
`dependsOn` without naming an API gets an implicit interface (`default`, kind `other`) so that
the dependency shows in the interface graph. See docs/backstage.md for the reasons.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from productize.domain.backstage.mapping import (
    META_MAPPED,
    PRODUCTIZE_PREFIX,
    WARNING,
    Mapper,
    dump,
    system_domain,
    text_of,
)
from productize.domain.backstage.model import Entity
from productize.domain.backstage.options import (
    STABILITY_LIFECYCLES,
    STAGE_LIFECYCLES,
)
from productize.domain.backstage.refs import EntityRef
from productize.domain.descriptors import InterfaceKind, ProductDoc, Stability, Stage

IMPLICIT_DESCRIPTION = (
    "Implicit interface: in Backstage other components depend on this one (`dependsOn`) "
    "without naming an API."
)
API_TYPE_KINDS: dict[str, InterfaceKind] = {
    "openapi": InterfaceKind.API,
    "graphql": InterfaceKind.API,
    "grpc": InterfaceKind.API,
    "trpc": InterfaceKind.API,
    "soap": InterfaceKind.API,
    "wsdl": InterfaceKind.API,
    "raml": InterfaceKind.API,
    "asyncapi": InterfaceKind.EVENT,
    "mcp-server": InterfaceKind.API,
}
LINK_SLOTS = ("repository", "docs", "website", "chat", "community")
EXPORT_LINKS: dict[str, dict[str, str]] = {  # what export writes; each classifies back
    "repository": {"title": "Repository", "icon": "code"},
    "docs": {"title": "Docs", "icon": "docs"},
    "website": {"title": "Website", "icon": "web"},
    "chat": {"title": "Chat", "icon": "chat"},
    "community": {"title": "Community", "icon": "group"},
}
_SLOT_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # (icons, title words)
    "repository": (
        ("github", "gitlab", "bitbucket", "code", "source", "git"),
        ("repo", "repository", "source", "code"),
    ),
    "docs": (
        ("docs", "techdocs", "book", "help", "description"),
        ("doc", "docs", "documentation", "manual", "handbook", "wiki"),
    ),
    "website": (
        ("web", "website", "home", "public", "language"),
        ("website", "homepage", "home", "site"),
    ),
    "chat": (("chat", "slack", "discord"), ("chat", "slack", "discord", "teams", "channel")),
    "community": (("group", "forum", "community"), ("community", "forum", "discussions")),
}
_WORD = re.compile(r"[a-z]+")
_NOT_TAG = re.compile(r"[^a-z0-9.+_-]+")
MAX_SHORT = 500
_META_IN_REF = frozenset(("name", "namespace", "description"))


def link_slot(link: dict[str, Any]) -> str | None:
    """Which of our link fields a Backstage link fills, judged by its type, icon and title."""
    icon = str(link.get("icon") or "").lower()
    kind = str(link.get("type") or "").lower()
    words = set(_WORD.findall(str(link.get("title") or "").lower()))
    for slot in LINK_SLOTS:
        icons, title_words = _SLOT_WORDS[slot]
        if icon in icons or kind in (slot, *title_words) or words & set(title_words):
            return slot
    return None


def normalise_tag(tag: Any) -> str:
    """A Backstage tag as one of ours: lower-case, `[a-z0-9.+_-]`, starting alphanumeric."""
    text = _NOT_TAG.sub("-", str(tag).strip().lower().replace("#", "sharp"))
    return re.sub(r"^[^a-z0-9]+", "", text)[:63].rstrip("-")


def stage_of(m: Mapper, entity: Entity, spec_left: dict[str, Any]) -> Stage:
    """`spec.lifecycle` -> stage; a value that does not map back exactly is kept."""
    lifecycle = entity.spec.get("lifecycle")
    if lifecycle is None:
        return m.options.unknown_lifecycle_stage
    stage = m.options.lifecycle_stages.get(str(lifecycle).strip().lower())
    if stage is None:
        m.findings.append(
            entity.finding(
                ("spec", "lifecycle"),
                WARNING,
                "backstage-unknown-lifecycle",
                f"lifecycle `{lifecycle}` has no stage in the mapping; taken as "
                f"`{m.options.unknown_lifecycle_stage}`",
                "use experimental, production or deprecated, or extend the mapping",
            )
        )
        stage = m.options.unknown_lifecycle_stage
    if STAGE_LIFECYCLES[stage] != lifecycle:
        spec_left["lifecycle"] = lifecycle
    return stage


def links_and_tags(
    entity: Entity, meta_left: dict[str, Any], *, all_links: bool = False
) -> tuple[dict[str, str], list[str]]:
    """Links sorted into our slots (the rest kept) and normalised tags (originals kept)."""
    slots: dict[str, str] = {}
    rest: list[Any] = []
    links = entity.metadata.get("links")
    for link in links if isinstance(links, list) else []:
        slot = link_slot(link) if isinstance(link, dict) and not all_links else None
        url = text_of(link.get("url")) if isinstance(link, dict) else None
        if slot is not None and url is not None and slot not in slots:
            slots[slot] = url
        else:
            rest.append(link)
    if links is not None and not isinstance(links, list):
        rest = links
    if rest:
        meta_left["links"] = rest
    annotations = entity.metadata.get("annotations")
    if isinstance(annotations, dict) and "repository" not in slots and not all_links:
        location = annotations.get("backstage.io/source-location")
        slug = annotations.get("github.com/project-slug")
        if isinstance(location, str) and location.startswith("url:http"):
            slots["repository"] = location[4:]
        elif isinstance(slug, str) and slug.count("/") == 1:
            slots["repository"] = f"https://github.com/{slug}"
    raw_tags = entity.metadata.get("tags")
    raw = raw_tags if isinstance(raw_tags, list) else ([] if raw_tags is None else [raw_tags])
    tags = [t for t in (normalise_tag(tag) for tag in raw) if t]
    if tags != raw:
        meta_left["tags"] = raw_tags
    # Tags Backstage would refuse were exported in its spelling, the original list beside them.
    marked = annotations.get(PRODUCTIZE_PREFIX + "tags") if isinstance(annotations, dict) else None
    if isinstance(marked, str):
        try:
            original = json.loads(marked)
        except ValueError:
            original = None
        if isinstance(original, list) and [
            t for t in (normalise_tag(str(tag)) for tag in original) if t
        ] == list(dict.fromkeys(tags)):
            meta_left["tags"] = original
    return slots, list(dict.fromkeys(tags))


class _Provided:
    """The interfaces each product provides, and where each API/Resource ended up."""

    def __init__(self) -> None:
        self.by_product: dict[str, list[dict[str, Any]]] = {}
        self.skeletons: dict[str, dict[str, str]] = {}  # product id -> annotations to add
        self.at: dict[tuple[str, str, str], tuple[str, str]] = {}  # entity key -> (pid, name)
        self.implicit: dict[str, str] = {}  # product id -> name of its implicit interface

    def add(self, pid: str, key: tuple[str, str, str], iface: dict[str, Any]) -> str:
        """Give product `pid` an interface (renamed `-2`, ... if taken); its final name."""
        names = {i["name"] for i in self.by_product.setdefault(pid, [])}
        base = name = iface["name"]
        n = 2
        while name in names:
            name, n = f"{base}-{n}", n + 1
        iface["name"] = name
        self.by_product[pid].append(iface)
        self.at[key] = (pid, name)
        return name


def map_products(m: Mapper) -> None:
    """Map every product entity, with its interfaces and what it consumes."""
    system_mode = m.options.product_from == "system"
    products = sorted(
        m.by_kind["component"] + (m.by_kind["system"] if system_mode else []), key=m.id_of
    )
    deps: dict[str, list[tuple[tuple, EntityRef, Entity | None]]] = {}
    for entity in products:
        deps[m.id_of(entity)] = m.resolve_many(entity, "dependsOn")
    for entity in products:  # `dependencyOf` is `dependsOn` written on the other side
        for where, _ref, target in m.resolve_many(entity, "dependencyOf"):
            if target is not None and target.kind.lower() in m.product_kinds:
                deps[m.id_of(target)].append((where, entity.ref, entity))
    provided = _Provided()
    provides = {m.id_of(e): m.resolve_many(e, "providesApis") for e in products}
    for entity in products:
        pid = m.id_of(entity)
        for where, _ref, api in provides[pid]:
            if api is None or api.kind.lower() != "api":
                continue
            if api.key in provided.at:
                m.findings.append(
                    entity.finding(
                        where,
                        WARNING,
                        "backstage-api-provided-twice",
                        f"`{api.ref}` is already provided by `{provided.at[api.key][0]}`",
                        "an API belongs to one component; the first (by id) provides it",
                    )
                )
                continue
            iface = m.guarded(api, _api_interface, m, api, entity)
            if iface is not None:
                provided.add(pid, api.key, iface)
    by_system = {m.id_of(s): s for s in m.by_kind["system"]} if system_mode else {}
    for api in sorted(m.by_kind["api"], key=m.id_of):
        if api.key in provided.at:
            continue
        system = _system_product(m, api, by_system)
        if system is not None:
            iface = m.guarded(api, _api_interface, m, api, system)
            if iface is not None:
                provided.add(m.id_of(system), api.key, iface)
            continue
        m.unmapped.append(str(api.ref))
        m.findings.append(
            api.finding(
                ("metadata", "name"),
                WARNING,
                "backstage-unprovided-api",
                f"no component lists `{api.ref}` in `providesApis`; it is not mapped",
                "add it to the `providesApis` of the component that serves it",
            )
        )
    _attach_resources(m, products, deps, provided)
    # APIs and Resources are interfaces now (their leftovers kept as text): their data is not
    # looked at again, and holding it until the end costs ~20 MiB at 50,000 entities.
    for entity in (*m.by_kind["api"], *m.by_kind["resource"]):
        entity.release()
    for entity in products:  # implicit interfaces, after the named ones
        for _, _ref, target in deps[m.id_of(entity)]:
            if target is not None and target.kind.lower() in m.product_kinds:
                tid = m.id_of(target)
                if tid not in provided.implicit:
                    iface = {
                        "name": "default",
                        "kind": "other",
                        "description": IMPLICIT_DESCRIPTION,
                    }
                    provided.implicit[tid] = provided.add(tid, ("implicit", tid, ""), iface)
    for entity in products:
        m.guarded(entity, _product, m, entity, deps[m.id_of(entity)], provided, by_system)


def _system_product(m: Mapper, entity: Entity, by_system: dict[str, Entity]) -> Entity | None:
    if not by_system or entity.spec.get("system") is None:
        return None
    _ref, target = m.resolve(entity, ("spec", "system"), entity.spec["system"], "system")
    return target if target is not None and m.id_of(target) in by_system else None


def _api_interface(m: Mapper, api: Entity, host: Entity) -> dict[str, Any]:
    """One API entity as a provided interface (its leftovers go into the host's annotations)."""
    meta_left = {k: v for k, v in api.metadata.items() if k not in _META_IN_REF}
    spec_left = {k: v for k, v in api.spec.items() if k not in ("lifecycle", "definition")}
    m.require(api, "type", "lifecycle", "owner", "definition")
    kind = API_TYPE_KINDS.get(str(api.spec.get("type", "")).lower())
    if kind is None:
        kind = next(
            (k for k in InterfaceKind if k.value == str(api.spec.get("type", "")).lower()),
            InterfaceKind.OTHER,
        )
    lifecycle = api.spec.get("lifecycle")
    stage = stage_of(m, api, spec_left) if lifecycle is not None else Stage.ESTABLISHED
    stability = (
        Stability.DEPRECATED
        if stage is Stage.RETIRED
        else Stability.EXPERIMENTAL
        if stage in (Stage.IDEA, Stage.PROTOTYPE)
        else Stability.STABLE
    )
    if lifecycle is not None and STABILITY_LIFECYCLES[stability] != lifecycle:
        spec_left["lifecycle"] = lifecycle  # not what export would write back: keep it
    else:
        spec_left.pop("lifecycle", None)
    links = meta_left.pop("links", None)
    docs = None
    for link in links if isinstance(links, list) else []:
        if isinstance(link, dict) and link_slot(link) == "docs" and docs is None:
            docs = text_of(link.get("url"))
            continue
        meta_left.setdefault("links", []).append(link)
    description = text_of(api.metadata.get("description"))
    if description is not None and len(description) > MAX_SHORT:
        meta_left["description"] = api.metadata["description"]
        description = description[: MAX_SHORT - 1].rstrip() + "…"
    name = m.id_of(api)
    iface: dict[str, Any] = {
        "name": name,
        "kind": kind.value,
        "description": description,
        "stability": stability.value,
        "docs": docs,
    }
    definition = api.spec.get("definition")
    source = api.sources.get(("spec", "definition")) if api.sources else None
    if source is not None:
        host_dir = os.path.dirname(host.path)
        iface["spec"] = os.path.relpath(source, host_dir or ".").replace(os.sep, "/")
    elif definition is not None and not isinstance(definition, str):
        spec_left["definition"] = definition
    marked = api.metadata.get("annotations")
    if source is None and isinstance(marked, dict):
        # Our export's note of the spec file path (the file itself is not exported).
        path = marked.get(PRODUCTIZE_PREFIX + "spec")
        if isinstance(path, str) and path:
            iface["spec"] = path
    kept = meta_left.get("annotations")
    if isinstance(kept, dict) and any(str(k).startswith(PRODUCTIZE_PREFIX) for k in kept):
        kept = {k: v for k, v in kept.items() if not str(k).startswith(PRODUCTIZE_PREFIX)}
        if kept:
            meta_left["annotations"] = kept
        else:
            del meta_left["annotations"]
    # As its JSON text now: held until the host is mapped, the text is smaller than the data.
    iface["_skeleton"] = dump({"ref": str(api.ref), "metadata": meta_left, "spec": spec_left})
    iface["_definition"] = definition if isinstance(definition, str) else None
    return iface


def _attach_resources(
    m: Mapper,
    products: list[Entity],
    deps: dict[str, list[tuple[tuple, EntityRef, Entity | None]]],
    provided: _Provided,
) -> None:
    """Each Resource becomes a `data` interface of one product that depends on it."""
    dependents: dict[tuple[str, str, str], list[Entity]] = {}
    for entity in products:
        for _, _ref, target in deps[m.id_of(entity)]:
            if target is not None and target.kind.lower() == "resource":
                dependents.setdefault(target.key, []).append(entity)
    for resource in sorted(m.by_kind["resource"], key=m.id_of):
        users = dependents.get(resource.key)
        if not users:
            m.unmapped.append(str(resource.ref))
            m.findings.append(
                resource.finding(
                    ("metadata", "name"),
                    WARNING,
                    "backstage-unattached-resource",
                    f"no component depends on `{resource.ref}`; it is not mapped",
                    "add it to the `dependsOn` of the components that use it",
                )
            )
            continue
        # The team that owns the resource most likely owns the product the data belongs to.
        owner = m.owner_key(resource)
        same = [u for u in users if owner is not None and m.owner_key(u) == owner]
        host = min(same or users, key=m.id_of)
        meta_left = {k: v for k, v in resource.metadata.items() if k not in _META_IN_REF}
        description = text_of(resource.metadata.get("description"))
        if description is not None and len(description) > MAX_SHORT:
            meta_left["description"] = resource.metadata["description"]
            description = description[: MAX_SHORT - 1].rstrip() + "…"
        iface = {
            "name": m.id_of(resource),
            "kind": "data",
            "description": description,
            "_skeleton": dump(
                {"ref": str(resource.ref), "metadata": meta_left, "spec": dict(resource.spec)}
            ),
            "_definition": None,
        }
        provided.add(m.id_of(host), resource.key, iface)


def _product(
    m: Mapper,
    entity: Entity,
    deps: list[tuple[tuple, EntityRef, Entity | None]],
    provided: _Provided,
    by_system: dict[str, Entity],
) -> None:
    pid = m.id_of(entity)
    is_system = entity.kind == "System"
    meta_left: dict[str, Any] = {}
    spec_left: dict[str, Any] = {}
    m.require(entity, *(("owner",) if is_system else ("type", "lifecycle", "owner")))
    stage = stage_of(m, entity, spec_left)
    links, tags = links_and_tags(entity, meta_left)
    loop: str | None = None
    part_of: str | None = None
    marked = entity.metadata.get("annotations") or {}
    if is_system:
        loop = system_domain(m, entity)
    elif isinstance(marked, dict) and isinstance(marked.get(PRODUCTIZE_PREFIX + "loop"), str):
        loop = marked[PRODUCTIZE_PREFIX + "loop"]
    elif entity.spec.get("system") is not None:
        ref, target = m.resolve(entity, ("spec", "system"), entity.spec["system"], "system")
        if ref is not None:
            if by_system:
                part_of = m.id_of_ref(ref, target)
                loop = system_domain(m, target) if target is not None else None
            else:
                loop = m.id_of_ref(ref, target)
    if entity.spec.get("subcomponentOf") is not None:
        value = entity.spec["subcomponentOf"]
        ref, target = m.resolve(entity, ("spec", "subcomponentOf"), value, "subcomponentOf")
        if ref is not None:
            part_of = m.id_of_ref(ref, target)
    consumes: list[str] = []
    unresolved: dict[str, list[Any]] = {}
    for where, _ref, api in m.resolve_many(entity, "consumesApis"):
        at = provided.at.get(api.key) if api is not None else None
        if at is None:
            unresolved.setdefault("consumesApis", []).append(_raw(entity, where))
        else:
            consumes.append(f"{at[0]}/{at[1]}")
    for where, ref, target in deps:
        kind = (target.kind if target is not None else ref.kind).lower()
        if kind in m.product_kinds:
            tid = m.id_of_ref(ref, target)
            consumes.append(f"{tid}/{provided.implicit.get(tid, 'default')}")
        elif target is not None and target.key in provided.at:
            host, name = provided.at[target.key]
            if host != pid:
                consumes.append(f"{host}/{name}")
        elif where[:2] == ("spec", "dependsOn"):
            unresolved.setdefault("dependsOn", []).append(_raw(entity, where))
    spec_left.update(unresolved)
    mapped = frozenset(
        (
            "lifecycle",
            "owner",
            "system",
            "subcomponentOf",
            "providesApis",
            "consumesApis",
            "dependsOn",
            "dependencyOf",
            "domain",
        )
    )
    extras = m.extras(
        entity,
        mapped,
        META_MAPPED | {"title", "links", "tags"},
        meta_extra=meta_left,
        spec_extra=spec_left,
    )
    interfaces = []
    for iface in provided.by_product.get(pid, []):
        skeleton = iface.pop("_skeleton", None)
        definition = iface.pop("_definition", None)
        if skeleton is not None:
            extras[f"backstage/interface/{iface['name']}"] = skeleton
        if definition:
            m.definitions[f"{pid}/{iface['name']}"] = definition
        interfaces.append({k: v for k, v in iface.items() if v is not None})
    if pid in provided.implicit:
        extras["backstage/implicit-interface"] = provided.implicit[pid]
    data = {
        "kind": "product",
        "id": pid,
        "name": text_of(entity.metadata.get("title")) or entity.name,
        "mission": text_of(entity.metadata.get("description")),
        "stage": stage.value,
        "loop": loop,
        "owners": m.owners(entity),
        "part_of": part_of,
        "interfaces": {"provides": interfaces, "consumes": list(dict.fromkeys(consumes))},
        "links": links,
        "tags": tags,
        "annotations": extras,
    }
    m.add(entity, ProductDoc, data, extras)


def _raw(entity: Entity, where: tuple) -> Any:
    value = entity.spec.get(where[1])
    return value[where[2]] if isinstance(value, list) and len(where) > 2 else value
