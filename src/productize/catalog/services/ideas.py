"""Products created in productize ("ideas without a repository yet"): create, edit, export.

A product that comes from a descriptor file is changed in its repository (the next ingest would
undo an edit made here), so the UI shows where that file is instead. A product created in the UI
(`origin = ui`) has no file: it is edited here, with the same rules as a descriptor — the form
becomes a descriptor document, which is parsed by the domain parser and checked by the set
checks against the catalog (unknown loops, owners, parents...), exactly as `productize check`
and ingest would. It can be downloaded as a descriptor file (and `productize export` writes it
with the rest of the catalog) to move it into a repository once it has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from productize.accounts import permissions
from productize.audit.models import Action
from productize.audit.services import Actor, record_change
from productize.catalog.models import Origin, Product
from productize.catalog.services.canonical import descriptor_hash
from productize.catalog.services.relations import (
    Resolver,
    clear_relations,
    write_consumption_and_tags,
    write_owners,
)
from productize.catalog.services.resolve import resolve_references
from productize.catalog.services.rows import (
    canonical_documents,
    document_from_row,
    entity_values,
    rows_with_relations,
)
from productize.domain.descriptors import ID_MAX, ProductDoc
from productize.domain.findings import Finding, Severity
from productize.domain.parse import parse_bytes

IDEA_FILE = "product.yaml"
EXPORT_HEADER = (
    "# A product created in productize, exported as a descriptor file.\n"
    "# Put it in the product's repository (e.g. as product.yaml) and register the repository\n"
    "# as a source; `productize check product.yaml` validates it.\n"
)
# Form field <- descriptor field (dotted, list indexes dropped).
FORM_FIELDS = {
    "id": "slug",
    "name": "name",
    "mission": "mission",
    "vision": "vision",
    "scope.does": "does",
    "scope.does_not": "does_not",
    "scope": "does",
    "stage": "stage",
    "loop": "loop",
    "owners": "owners",
    "tags": "tags",
    "audience": "audience",
    "alignment.kind": "alignment",
    "alignment.why": "alignment_why",
    "alignment": "alignment",
    "part_of": "part_of",
}


@dataclass(frozen=True, slots=True)
class IdeaInput:
    """What the idea form edits (lists are one item per entry)."""

    name: str
    slug: str = ""  # on create only; empty: made from the name
    mission: str = ""
    vision: str = ""
    does: list[str] = field(default_factory=list)
    does_not: list[str] = field(default_factory=list)
    stage: str = "idea"
    loop: str = ""
    owners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    alignment: str = ""
    alignment_why: str = ""
    part_of: str = ""


def suggested_slug(name: str) -> str:
    """An id made from a name: `Price Watch!` -> `price-watch`."""
    slug = re.sub(r"[-_]+", "-", slugify(name)).strip("-")  # ids have no underscores
    return slug[:ID_MAX].rstrip("-")


def _require(actor: Actor, permission: str, obj: object | None = None) -> None:
    if not actor.can(permission, obj):
        raise PermissionDenied(f"{actor.label} may not {permission}")


def _document(data: IdeaInput, slug: str, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The descriptor document of an idea: `base` (the current one) with the form's fields."""
    doc: dict[str, Any] = dict(base or {})
    doc.update(kind="product", id=slug, name=data.name)
    for key in ("mission", "vision", "loop", "part_of"):
        value = getattr(data, key).strip()
        if value:
            doc[key] = getattr(data, key)
        else:
            doc.pop(key, None)
    scope = {k: v for k, v in (("does", data.does), ("does_not", data.does_not)) if v}
    if scope:
        doc["scope"] = scope
    else:
        doc.pop("scope", None)
    doc["stage"] = data.stage or "idea"
    for key in ("owners", "tags", "audience"):
        value = getattr(data, key)
        if value:
            doc[key] = list(value)
        else:
            doc.pop(key, None)
    if data.alignment:
        doc["alignment"] = {"kind": data.alignment, "why": data.alignment_why}
    elif data.alignment_why.strip():
        doc["alignment"] = {"why": data.alignment_why}  # the checker says the kind is missing
    else:
        doc.pop("alignment", None)
    return doc


def _form_field(finding: Finding) -> str | None:
    if not finding.field:
        return None
    name = re.sub(r"\[\d+\].*$", "", finding.field)
    while name and name not in FORM_FIELDS:
        name = name.rpartition(".")[0]
    return FORM_FIELDS.get(name)


def check_idea(document: dict[str, Any]) -> tuple[ProductDoc | None, list[Finding]]:
    """Validate a product document as `productize check` and ingest would (with the catalog)."""
    from productize.domain.checker import check_documents
    from productize.ingest.export import dump_documents
    from productize.ingest.known import known_ids
    from productize.ingest.models import Source

    text = dump_documents([document]).encode("utf-8")
    parsed = parse_bytes(IDEA_FILE, text)
    findings = list(parsed.findings)
    model: ProductDoc | None = None
    if parsed.documents:
        # Checked against the whole catalog, as ingest checks a changed file (no source: an
        # unsaved one stands for "none of the catalog is being re-read").
        known = known_ids(Source(), parsed.documents, ())
        findings.extend(check_documents(parsed.documents, known=known))
        candidate = parsed.documents[0].model
        model = candidate if isinstance(candidate, ProductDoc) else None
    return model, findings


def _raise_errors(findings: Iterable[Finding]) -> None:
    errors: dict[str, list[str]] = {}
    for finding in findings:
        if finding.severity is not Severity.ERROR:
            continue
        message = f"{finding.message} — {finding.hint}" if finding.hint else finding.message
        errors.setdefault(_form_field(finding) or "__all__", []).append(message)
    if errors:
        raise ValidationError(errors)


def _after(product: Product) -> dict[str, Any]:
    return canonical_documents("product", [product.pk])[product.pk]


def _write(product: Product, model: ProductDoc) -> None:
    """Write the document's columns and relations onto the row (inside the transaction)."""
    for name, value in entity_values(model).items():
        setattr(product, name, value)
    resolver = Resolver.load()
    product.loop_id = resolver.loops.get(product.loop_ref)
    product.part_of_id = None  # resolved below with every other open reference
    product.descriptor_hash = descriptor_hash(model)
    product.updated_at = timezone.now()
    product.save()
    clear_relations("product", [product.pk])
    write_owners("product", [(product.pk, model)], resolver)
    write_consumption_and_tags([(product.pk, model)])
    resolve_references()


def idea_create(*, actor: Actor, data: IdeaInput, reason: str = "") -> Product:
    """Create a product in productize (any member may propose one); audited."""
    _require(actor, permissions.PROPOSE)
    slug = data.slug.strip() or suggested_slug(data.name)
    if slug and Product.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"slug": [f"a product with the id `{slug}` already exists: choose another id"]}
        )
    model, findings = check_idea(_document(data, slug))
    _raise_errors(findings)
    assert model is not None
    with transaction.atomic():
        product = Product(slug=slug, origin=Origin.UI, source=None, source_path="")
        _write(product, model)
        record_change(
            actor=actor,
            action=Action.CREATE,
            object_type="product",
            object_id=slug,
            before=None,
            after=_after(product),
            reason=reason,
            object_repr=model.name,
        )
    return product


def idea_update(*, actor: Actor, product: Product, data: IdeaInput, reason: str = "") -> Product:
    """Edit a product created in productize (its owners, or an admin); audited.

    A product from a descriptor file is refused: its file is where it changes.
    """
    if product.origin != Origin.UI:
        where = product.source_path or "its descriptor file"
        raise ValidationError(
            f"`{product.slug}` comes from {where}: change it there; the next ingest brings "
            "the change in"
        )
    _require(actor, permissions.PRODUCT_EDIT, product)
    current = document_from_row("product", rows_with_relations("product", [product.pk]).get())
    model, findings = check_idea(_document(data, product.slug, current))
    _raise_errors(findings)
    assert model is not None
    with transaction.atomic():
        locked = Product.objects.select_for_update().get(pk=product.pk)
        before = _after(locked)
        _write(locked, model)
        after = _after(locked)
        if after != before:
            record_change(
                actor=actor,
                action=Action.UPDATE,
                object_type="product",
                object_id=locked.slug,
                before=before,
                after=after,
                reason=reason,
                object_repr=model.name,
            )
    return locked


def idea_input(product: Product) -> IdeaInput:
    """The form's values for an existing product (relations prefetched or not)."""
    owners = [row.ref for row in product.ownerships.all()]
    return IdeaInput(
        name=product.name,
        slug=product.slug,
        mission=product.mission,
        vision=product.vision,
        does=list(product.does or []),
        does_not=list(product.does_not or []),
        stage=product.stage,
        loop=product.loop_ref,
        owners=owners,
        tags=list(product.tags or []),
        audience=list(product.audience or []),
        alignment=product.alignment,
        alignment_why=product.alignment_why,
        part_of=product.part_of_ref,
    )


def descriptor_text(product: Product) -> str:
    """The product as a descriptor file (YAML), as `productize export` writes it."""
    from productize.ingest.export import dump_documents

    row = rows_with_relations("product", [product.pk]).get()
    return EXPORT_HEADER + dump_documents([document_from_row("product", row)])
