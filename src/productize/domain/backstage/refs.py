"""Backstage entity references (`name`, `kind:name`, `kind:namespace/name`) and their ids.

Backstage compares kinds, namespaces and names case-insensitively, so references are kept as
written (for messages and round trips) and matched through a lower-cased key.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from productize.domain.descriptors import ID_MAX
from productize.domain.suggest import slugify

DEFAULT_NAMESPACE = "default"
NAME_PATTERN = re.compile(r"^[a-zA-Z0-9]+(?:[-_.][a-zA-Z0-9]+)*$")
NAME_MAX = 63

# The kind a reference has when it does not say, by the field it sits in; None = must say.
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "owner": ("group", "user"),
    "system": ("system",),
    "domain": ("domain",),
    "subdomainOf": ("domain",),
    "providesApis": ("api",),
    "consumesApis": ("api",),
    "dependsOn": ("component", "resource"),
    "dependencyOf": ("component", "resource"),
    "subcomponentOf": ("component",),
    "memberOf": ("group",),
    "parent": ("group",),
    "children": ("group",),
    "members": ("user",),
}


@dataclass(frozen=True, slots=True)
class EntityRef:
    """A reference to an entity, as written; `key` is what Backstage compares."""

    kind: str
    namespace: str
    name: str

    @property
    def key(self) -> tuple[str, str, str]:
        """The case-insensitive identity of the entity referred to."""
        return (self.kind.lower(), self.namespace.lower(), self.name.lower())

    def __str__(self) -> str:
        return f"{self.kind.lower()}:{self.namespace}/{self.name}"


def parse_ref(value: Any, *, default_kind: str | None, namespace: str) -> EntityRef:
    """Parse a reference string (or legacy `{kind, namespace, name}` mapping).

    `default_kind` applies when the reference names no kind; `namespace` is the referring
    entity's namespace, which Backstage uses when the reference names none. Raises ValueError.
    """
    if isinstance(value, dict):
        kind, ns, name = value.get("kind"), value.get("namespace"), value.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("a reference mapping needs a `name`")
        kind = kind if isinstance(kind, str) and kind else default_kind
        ns = ns if isinstance(ns, str) and ns else namespace
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        kind_part, colon, rest = text.partition(":")
        if colon:
            kind, text = kind_part, rest
        else:
            kind = default_kind
        ns_part, slash, name_part = text.partition("/")
        ns, name = (ns_part, name_part) if slash else (namespace, text)
    else:
        raise ValueError("an entity reference must be text like `kind:namespace/name`")
    if not kind:
        raise ValueError(f"`{value}` names no kind; write it as `kind:name`")
    if not name or not ns or "/" in name or ":" in name:
        raise ValueError(f"`{value}` is not an entity reference (`kind:namespace/name`)")
    return EntityRef(kind, ns, name)


def id_for(namespace: str, name: str) -> str:
    """Our id for a Backstage name: `name` in the default namespace, else `namespace-name`.

    Names longer than an id allows keep a short hash of the full name so that two long names
    sharing a prefix do not become one id.
    """
    text = name if namespace.lower() == DEFAULT_NAMESPACE else f"{namespace}-{name}"
    slug = slugify(text, max_length=10_000) or "entity"
    if len(slug) <= ID_MAX:
        return slug
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{slug[: ID_MAX - 9].rstrip('-')}-{digest}"
