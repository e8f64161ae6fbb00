"""Evidence for assessment from the catalog, in bulk: documents, owners, consumers, repository.

Every function here takes a batch of product ids and answers with a few queries, whatever the
batch size, so that assessing 100,000 products is a few hundred queries, not a million.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from productize.catalog.models import Consumption, Interface, Ownership, Product
from productize.catalog.services.bulk import RawJSON
from productize.catalog.services.rows import document_from_row
from productize.domain.assessment import CatalogEvidence, RepoEvidence, SpecEvidence, TreeScanner
from productize.domain.descriptors import ProductDoc

MAX_STORED_FILES = 1_000  # repository file list kept for `file-exists` rules after the tree goes


def digest(data: Any) -> str:
    """A sha256 of the canonical JSON of `data`."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


PRODUCT_FIELDS = (
    "id", "slug", "name", "mission", "vision", "does", "does_not", "stage", "alignment",
    "alignment_why", "loop_ref", "part_of_ref", "audience", "links", "brand", "resourcing",
    "steady_state", "tags", "annotations", "descriptor_hash",
)  # fmt: skip


class _Related(list[Any]):
    """A prefetched relation without model instances: `row.interfaces.all()` works on it."""

    def all(self) -> _Related:
        return self


def product_rows(ids: Sequence[int]) -> list[SimpleNamespace]:
    """Product rows as plain objects with their owners, interfaces and consumptions.

    Four queries of plain values: model instances cost more than the assessment itself.
    """
    rows = {
        d["id"]: SimpleNamespace(
            **d, ownerships=_Related(), interfaces=_Related(), consumptions=_Related()
        )
        for d in Product.objects.filter(id__in=ids).values(*PRODUCT_FIELDS)
    }
    owners = Ownership.objects.filter(product_id__in=ids).values("product_id", "ref", "position")
    for owner in owners:
        rows[owner["product_id"]].ownerships.append(SimpleNamespace(**owner))
    interface_fields = ("product_id", "name", "kind", "description", "stability", "spec_path",
                        "docs_url", "position")  # fmt: skip
    for item in Interface.objects.filter(product_id__in=ids).values(*interface_fields):
        rows[item["product_id"]].interfaces.append(SimpleNamespace(**item))
    uses = Consumption.objects.filter(consumer_id__in=ids)
    for use in uses.values("consumer_id", "interface_ref", "why", "position"):
        rows[use["consumer_id"]].consumptions.append(SimpleNamespace(**use))
    return [rows[i] for i in ids if i in rows]


def product_documents(rows: Iterable[Any]) -> dict[int, ProductDoc | str]:
    """Each row's descriptor as a model, or the validation error text when it has none."""
    out: dict[int, ProductDoc | str] = {}
    for row in rows:
        try:
            out[row.id] = ProductDoc.model_validate(document_from_row("product", row))
        except ValidationError as error:
            out[row.id] = f"the stored product does not form a valid descriptor: {error}"
    return out


def unresolved_uses() -> list[tuple[str, str]]:
    """(interface ref, consumer id) of every consumption whose interface does not exist.

    They are few (a typo, a product not ingested yet): read once per run, not per batch.
    """
    return list(
        Consumption.objects.filter(interface__isnull=True).values_list(
            "interface_ref", "consumer__slug"
        )
    )


def catalog_evidence(
    products: Sequence[Any], unresolved: Sequence[tuple[str, str]]
) -> dict[int, CatalogEvidence]:
    """Owners that do not exist, consumers of its interfaces, and undeclared use, per product."""
    ids = [p.id for p in products]
    slug_of = {p.id: p.slug for p in products}
    unknown: dict[int, list[str]] = defaultdict(list)
    for product_id, ref in Ownership.objects.filter(
        product_id__in=ids, person__isnull=True, team__isnull=True
    ).values_list("product_id", "ref"):
        unknown[product_id].append(ref)
    consumers: dict[int, set[str]] = defaultdict(set)
    edges: dict[int, int] = defaultdict(int)
    by_interface: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = Consumption.objects.filter(interface__product_id__in=ids).values_list(
        "interface__product_id", "interface__name", "consumer__slug"
    )
    for product_id, name, consumer in rows:
        if consumer != slug_of.get(product_id):
            consumers[product_id].add(consumer)
        edges[product_id] += 1
        by_interface[product_id][name] += 1
    undeclared = _undeclared(slug_of, unresolved)
    return {
        pid: CatalogEvidence(
            unknown_owners=tuple(unknown.get(pid, ())),
            consumer_products=tuple(sorted(consumers.get(pid, ()))),
            consumption_count=edges.get(pid, 0),
            consumers_by_interface=dict(by_interface.get(pid, {})),
            undeclared_consumption=tuple(undeclared.get(pid, ())),
        )
        for pid in ids
    }


def _undeclared(
    slug_of: Mapping[int, str], unresolved: Sequence[tuple[str, str]]
) -> dict[int, list[str]]:
    """Consumptions naming an interface of these products that they do not declare."""
    id_of = {slug: pid for pid, slug in slug_of.items()}
    out: dict[int, list[str]] = defaultdict(list)
    for ref, consumer in unresolved:
        provider = ref.split("/", 1)[0]
        if provider in id_of:
            out[id_of[provider]].append(f"{consumer} uses {ref}")
    return out


def catalog_digest(evidence: CatalogEvidence) -> str:
    """The digest of catalog evidence (consumers as a set, so order does not matter)."""
    # Field by field rather than `asdict`, whose deep copies cost more than the hashing.
    e = evidence
    return digest(
        [e.unknown_owners, e.former_owners, e.ownership_changes, e.consumer_products,
         e.consumption_count, sorted(e.consumers_by_interface.items()), e.transitive_reach,
         e.undeclared_consumption]
    )  # fmt: skip


def providers(doc: ProductDoc) -> list[str]:
    """The product ids whose interfaces this product consumes."""
    return sorted({item.interface.split("/", 1)[0] for item in doc.interfaces.consumes})


def repo_to_json(evidence: RepoEvidence) -> dict[str, Any]:
    """Repository evidence as JSON (the file list capped), to reuse without a working tree."""
    data = asdict(evidence)
    data["files"] = sorted(evidence.files)[:MAX_STORED_FILES]
    data["specs"] = [asdict(s) for s in evidence.specs]
    data["problems"] = list(evidence.problems)
    return data


def repo_from_json(data: Mapping[str, Any] | None) -> RepoEvidence | None:
    """Repository evidence stored by `repo_to_json` (None when there is none)."""
    if not data:
        return None
    values = dict(data)
    values["files"] = frozenset(values.get("files", ()))
    values["specs"] = tuple(SpecEvidence(**s) for s in values.get("specs", ()))
    values["problems"] = tuple(values.get("problems", ()))
    return RepoEvidence(**values)


class RepoScans:
    """Repository evidence for the products of one run over one working tree.

    A source holding many products is a monorepo of product folders: each product's folder is
    its repository (walking the whole tree per product would be quadratic). A source with one
    product at or under its root is that product's repository. Each folder is walked once per
    run however many products share it, and evidence shared by several products is encoded
    (JSON and digest) once: both depend only on the tree, which does not change during a run.
    """

    def __init__(self, root: Path, *, solo: bool) -> None:
        self.root = root
        self.solo = solo
        self._tree = TreeScanner()
        self._stored: dict[RepoEvidence, tuple[RawJSON, str]] = {}

    def scan(self, doc: ProductDoc, descriptor_path: str) -> RepoEvidence:
        """Evidence for a product whose descriptor is at `descriptor_path` in the tree."""
        folder = (self.root / descriptor_path).parent
        base = self.root if self.solo or folder == self.root else folder
        try:
            return self._tree.scan(base, doc, folder)
        except Exception as error:  # one odd tree must not stop the others
            return RepoEvidence(readable=False, problems=(f"repository not scanned: {error}",))

    def stored(self, evidence: RepoEvidence) -> tuple[RawJSON, str]:
        """The evidence as stored (`repo_to_json`, already encoded) and its digest."""
        known = self._stored.get(evidence)
        if known is None:
            data = repo_to_json(evidence)
            # Encoded as JSONField would encode it, so the stored text is the same.
            known = self._stored[evidence] = (RawJSON(json.dumps(data)), digest(data))
        return known


def repo_digest(evidence: RepoEvidence | None) -> str:
    """The digest of repository evidence ('' when there is none)."""
    return digest(repo_to_json(evidence)) if evidence is not None else ""
