"""After ingest: record breaking spec changes and deprecations of interfaces, store policies.

Runs while the source's working tree exists (see `ingest.hooks`), so spec files are read
from the tree at the ingested commit and compared with the stored last version.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from productize.audit.services import Actor
from productize.catalog.models import Consumption, Interface, Ownership
from productize.domain.openapi_diff import SpecError, breaking_changes, load_spec
from productize.domain.parse import parse_file
from productize.graph import services
from productize.graph.models import ChangeKind, InterfaceSnapshot
from productize.ingest.hooks import IngestOutcome

logger = logging.getLogger(__name__)
CHUNK = 500
ORG_NAMES = ("organization.yaml", "organization.yml", "organisation.yaml", "organisation.yml")
MAX_SPEC_BYTES = 5_000_000


def record_interface_changes(outcome: IngestOutcome) -> None:
    """The after-ingest handler: snapshots, change events, and the organisation's policies."""
    actor = Actor.for_ingest(outcome.run.pk)
    _store_policies(outcome.root, actor)
    # A spec file can change while its descriptor does not: check every product of this
    # source that names a spec, not only the products the run changed.
    with_specs = (
        Interface.objects.filter(product__source=outcome.source)
        .exclude(spec_path="")
        .values_list("product__slug", flat=True)
    )
    slugs = sorted(set(outcome.changed_products) | set(with_specs))
    report = outcome.progress
    for start in range(0, len(slugs), CHUNK):
        if report is not None:
            report("interface history", start, len(slugs))
        _check_products(outcome, slugs[start : start + CHUNK], actor)
    if report is not None and slugs:
        report("interface history", len(slugs), len(slugs))


def spec_file(root: Path, descriptor: str, spec: str) -> Path | None:
    """The spec file named by an interface, relative to its descriptor; None if outside root."""
    if not spec or "://" in spec:
        return None
    base = PurePosixPath(descriptor).parent
    candidate = (root / base / spec).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate


def read_spec(path: Path | None) -> str | None:
    """The spec's text, or None when it is missing, too large or not text."""
    if path is None or not path.is_file() or path.stat().st_size > MAX_SPEC_BYTES:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def consumers_now(refs: Iterable[str]) -> dict[str, list[services.ConsumerAtChange]]:
    """Interface ref → its consuming products with their owners (three queries)."""
    rows = list(
        Consumption.objects.filter(interface_ref__in=list(refs)).values_list(
            "interface_ref", "consumer_id", "consumer__slug", "consumer__name"
        )
    )
    owners: dict[int, list[str]] = defaultdict(list)
    ids = {row[1] for row in rows}
    for product_id, ref in (
        Ownership.objects.filter(product_id__in=ids)
        .order_by("position")
        .values_list("product_id", "ref")
    ):
        owners[product_id].append(ref)
    result: dict[str, list[services.ConsumerAtChange]] = defaultdict(list)
    for ref, pk, slug, name in sorted(rows, key=lambda r: (r[0], r[2])):
        provider = ref.split("/", 1)[0]
        if slug != provider:
            result[ref].append(services.ConsumerAtChange(slug, name, tuple(owners[pk])))
    return result


def _check_products(outcome: IngestOutcome, slugs: list[str], actor: Actor) -> None:
    interfaces = list(
        Interface.objects.filter(product__slug__in=slugs).values_list(
            "ref", "stability", "spec_path", "product__slug", "product__source_path"
        )
    )
    refs = [row[0] for row in interfaces]
    snapshots = {
        s.interface_ref: s for s in InterfaceSnapshot.objects.filter(interface_ref__in=refs)
    }
    run, commit = outcome.run, outcome.run.commit or ""
    events: list[services.ChangeSpec] = []
    saves: list[services.SnapshotSpec] = []
    for ref, stability, spec_path, slug, source_path in interfaces:
        previous = snapshots.get(ref)
        descriptor = outcome.product_paths.get(slug) or source_path
        text = read_spec(spec_file(outcome.root, descriptor, spec_path)) if spec_path else None
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest() if text is not None else ""
        if previous is not None and stability == "deprecated" != previous.stability:
            events.append(services.ChangeSpec(ref, ChangeKind.DEPRECATED, run.pk, commit))
        breaking = _breaking(previous, text, digest) if stability == "stable" else []
        if breaking:
            events.append(
                services.ChangeSpec(ref, ChangeKind.BREAKING, run.pk, commit, spec_path, breaking)
            )
        unchanged_spec = previous is not None and (text is None or previous.spec_sha256 == digest)
        if previous is None or previous.stability != stability or not unchanged_spec:
            saves.append(services.SnapshotSpec(ref, stability, spec_path, text, digest))
    consumers = consumers_now(e.interface_ref for e in events) if events else {}
    for event in events:
        event.consumers = consumers.get(event.interface_ref, [])
        services.interface_change_record(actor=actor, spec=event)
    services.snapshots_save(actor=actor, specs=saves, commit=commit)


def _breaking(
    previous: InterfaceSnapshot | None, text: str | None, digest: str
) -> list[dict[str, object]]:
    """The breaking changes from the stored spec to `text` (none if either is missing)."""
    if previous is None or not previous.spec_text or text is None:
        return []
    if previous.spec_sha256 == digest:
        return []
    try:
        changes = breaking_changes(load_spec(previous.spec_text), load_spec(text))
    except SpecError as error:
        logger.warning("spec of %s unreadable: %s", previous.interface_ref, error)
        return []
    return [change.as_dict() for change in changes]


def _store_policies(root: Path, actor: Actor) -> None:
    """Store the `policies:` of the organisation descriptor found at the top of the tree."""
    for name in ORG_NAMES:
        path = root / name
        if not path.is_file():
            continue
        for document in parse_file(path, display_path=name).documents:
            if document.kind != "organization":
                continue
            model = document.model
            policy = getattr(model, "policies", None)
            data = policy.model_dump(mode="json", exclude_defaults=True) if policy else {}
            services.policies_set(
                actor=actor, organization=document.id, policies=data, source_path=name
            )
            return
