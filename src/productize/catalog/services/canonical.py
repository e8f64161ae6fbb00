"""A descriptor document's canonical JSON, its hash, and the text that search matches."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from productize.domain.descriptors import AnyDoc, ProductDoc


def descriptor_json(doc: AnyDoc) -> tuple[str, str]:
    """(canonical JSON text, its sha256): one serialisation serves the hash and the audit."""
    # pydantic dumps fields in model order, so the bytes are stable for equal documents.
    text = doc.model_dump_json(exclude_defaults=True)
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def descriptor_canonical(doc: AnyDoc) -> dict[str, Any]:
    """The document as plain JSON data, defaults left out: what the audit log stores."""
    return doc.model_dump(mode="json", exclude_defaults=True)


def descriptor_hash(doc: AnyDoc) -> str:
    """sha256 of the canonical JSON: equal hashes mean nothing the catalog stores changed."""
    # pydantic dumps fields in model order, so the bytes are stable for equal documents.
    data = doc.model_dump_json(exclude_defaults=True).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical_json_text(data: Any) -> str:
    """Stable JSON text (sorted keys, no spaces) for comparing and hashing plain data."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def product_search_text(doc: ProductDoc) -> str:
    """Lower-cased id, name, mission, scope, tags and audience: what catalog search matches."""
    parts: list[str] = [doc.id, doc.name, doc.brand.display_name or "", doc.mission or ""]
    parts.extend(doc.scope.does)
    parts.extend(doc.scope.does_not)
    parts.extend(doc.tags)
    parts.extend(doc.audience)
    return "\n".join(part for part in parts if part).lower()
