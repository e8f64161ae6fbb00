"""Re-assessment after ingest: the products that changed and the products depending on them.

Dependants are the products whose evidence reads a changed product: the providers of what it
consumes (now, and before the change), the consumers of its interfaces, its parts and parent.
"""

from __future__ import annotations

from collections.abc import Collection

from productize.assessment.characteristics import store_characteristics_file
from productize.assessment.models import ProductAssessment
from productize.assessment.services import Progress, assess_all, assess_products
from productize.audit.services import Actor
from productize.catalog.models import Consumption, Product
from productize.ingest.hooks import IngestOutcome

CHUNK = 200


def dependants(slugs: Collection[str]) -> set[str]:
    """Products whose assessment evidence depends on any of these products."""
    ordered = sorted(set(slugs))
    out: set[str] = set()
    for start in range(0, len(ordered), CHUNK):
        out |= _dependants(set(ordered[start : start + CHUNK]))
    # Uses of interfaces that do not exist (few): read once, matched by the provider's id.
    chosen = set(ordered)
    for ref, consumer in Consumption.objects.filter(interface__isnull=True).values_list(
        "interface_ref", "consumer__slug"
    ):
        if ref.split("/", 1)[0] in chosen:
            out.add(consumer)
    return out - chosen


def _dependants(chosen: set[str]) -> set[str]:
    out: set[str] = set()
    rows = Product.objects.filter(slug__in=chosen)
    # What they consume (providers' consumer lists change) and their parents and parts.
    out.update(rows.exclude(part_of_ref="").values_list("part_of_ref", flat=True))
    out.update(Product.objects.filter(part_of__slug__in=chosen).values_list("slug", flat=True))
    refs = Consumption.objects.filter(consumer__slug__in=chosen).values_list(
        "interface_ref", flat=True
    )
    out.update(ref.split("/", 1)[0] for ref in refs)
    for provider_refs in ProductAssessment.objects.filter(product__slug__in=chosen).values_list(
        "provider_refs", flat=True
    ):
        out.update(provider_refs or ())
    # Who consumes them, through the resolved key (indexed).
    out.update(
        Consumption.objects.filter(interface__product__slug__in=chosen)
        .values_list("consumer__slug", flat=True)
        .distinct()
    )
    return out


def reassess_after_ingest(outcome: IngestOutcome) -> None:
    """The `after_ingest` handler: store the characteristics file, re-assess what changed."""
    actor = Actor.for_ingest(outcome.run.pk)
    new_set = store_characteristics_file(source=outcome.source, root=outcome.root, actor=actor)
    changed = set(outcome.changed_products)
    affected = changed | dependants(changed | set(outcome.removed_products))
    if affected:
        assess_products(
            slugs=affected - set(outcome.removed_products),
            actor=actor,
            root=outcome.root,
            product_paths={s: p for s, p in outcome.product_paths.items() if s in changed},
            progress=_phase(outcome, "assessing"),
            solo=Product.objects.filter(source=outcome.source).count() == 1,
            parallel=False,
        )
    if new_set:
        # A new set of characteristics changes every result; the digest comparison skips the
        # products just judged under it.
        assess_all(actor=actor, jobs=1, progress=_phase(outcome, "assessing the catalog"))


def _phase(outcome: IngestOutcome, phase: str) -> Progress | None:
    """The ingest's progress callback for one phase of this handler (None without one)."""
    report = outcome.progress
    if report is None:
        return None
    return lambda done, total: report(phase, done, total)
