"""`catalog_sync_source`: make the catalog hold what one source's descriptors declare.

One call upserts the entities of the given documents, removes the source's entities whose
descriptors are gone, rewrites the relations of what changed, resolves references across the
whole catalog and writes the audit log — all in one transaction, in batches, with a handful
of queries per batch whatever the catalog's size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone

from productize.audit.models import Action
from productize.audit.services import CATALOG_WRITE, Actor, Change, record_changes
from productize.catalog.models import (
    Consumption,
    Organization,
    Origin,
    Product,
    ProductTag,
)
from productize.catalog.services.bulk import RawJSON, insert_rows
from productize.catalog.services.canonical import descriptor_json
from productize.catalog.services.relations import (
    Resolver,
    chunks,
    clear_relations,
    consumed_refs,
    insert_interfaces,
    interface_ids,
    replace_interfaces,
    write_consumption_and_tags,
    write_owners,
)
from productize.catalog.services.resolve import resolve_references, sync_memberships
from productize.catalog.services.rows import (
    ENTITY_FIELDS,
    ENTITY_MODELS,
    KIND_ORDER,
    REF_KEYS,
    canonical_documents,
    consumption_specs,
    entity_values,
)
from productize.catalog.services.sync_documents import (
    EXTRAS_KINDS,
    Conflict,
    Plan,
    Row,
    SyncDocument,
    SyncResult,
    conflict_fields,
    digest_of,
    extras_of,
    kind_id,
    rows_of,
    with_extras,
)
from productize.domain.descriptors import AnyDoc, ProductDoc
from productize.ingest.models import IngestRun, Source

CHUNK = 500  # ids per `IN (...)` list: below SQLite's 999-parameter limit
CREATE_BATCH = 2000  # documents per round of inserts (rows, ids, relations, audit)
UPDATE_BATCH = 500
WRITE_BATCH = 2000  # audit records held before they are written
BULK_SEARCH_INDEX_ABOVE = 5000  # new products
# Above this many documents of one kind, reading every slug of the kind beats many IN lists.
LOAD_ALL_ABOVE = 5_000


def catalog_sync_source(
    *,
    source: Source,
    documents: Iterable[SyncDocument],
    actor: Actor,
    run: IngestRun | None = None,
    reason: str = "",
    removal_scope: Collection[str] | None = None,
) -> SyncResult:
    """Upsert one source's documents into the catalog and remove what the source dropped.

    `removal_scope` names the files whose documents are all given: entities of this source
    declared in those files and absent from `documents` are removed. `None` means the
    documents are the source's complete set. Ids already declared by another source (or
    another file of this source) are refused and reported in `SyncResult.conflicts`.
    """
    if not actor.can(CATALOG_WRITE, source):
        raise PermissionDenied(f"{actor.label} may not change the catalog")
    if run is not None and actor.ingest_run_id is None:
        actor = Actor.for_ingest(run.pk)
    with transaction.atomic():
        return _SourceSync(source, actor, reason).run(list(documents), removal_scope)


class _SourceSync:
    """One sync's working state; see `catalog_sync_source`."""

    def __init__(self, source: Source, actor: Actor, reason: str) -> None:
        self.source = source
        self.actor = actor
        self.reason = reason
        self.result = SyncResult()
        self.changes: list[Change] = []
        self.now = timezone.now()
        self.resolver = Resolver(people={}, teams={}, loops={})

    # -- planning -------------------------------------------------------------------------

    def run(self, documents: list[SyncDocument], scope: Collection[str] | None) -> SyncResult:
        scope_set = None if scope is None else set(scope)
        by_kind: dict[str, dict[str, SyncDocument]] = {kind: {} for kind in KIND_ORDER}
        for doc in documents:
            kind, slug = kind_id(doc)
            bucket = by_kind[kind]
            first = bucket.get(slug)
            if first is not None:
                self._conflict(doc, self.source.pk, first.path, first.line, same_source=True)
                continue
            bucket[slug] = doc
        plans = {kind: self._plan(kind, by_kind[kind], scope_set) for kind in KIND_ORDER}
        self._check_single_organization(plans["organization"], by_kind["organization"])

        befores = {
            kind: canonical_documents(
                kind, [item[0].id for item in plan.update] + [row.id for row in plan.remove]
            )
            for kind, plan in plans.items()
            if plan.update or plan.remove
        }
        rebuild_search = self._pause_search_index(len(plans["product"].create))
        for kind in reversed(KIND_ORDER):
            self._remove(plans[kind], befores.get(kind, {}))
        for kind in KIND_ORDER:
            if kind in ("loop", "product"):
                self.resolver = Resolver.load()  # what the kinds written so far resolve to
            self._create(plans[kind])
            self._update(plans[kind], befores.get(kind, {}))
            self._relocate(plans[kind])
        if rebuild_search:
            from productize.catalog.search import ensure_search_index

            ensure_search_index(connection)

        if any(plan.touches_rows for plan in plans.values()):
            resolve_references()
        if plans["team"].touches_rows or plans["person"].touches_rows:
            sync_memberships()
        self._flush_changes()
        self._name_other_sources()
        return self.result

    def _pause_search_index(self, new_products: int) -> bool:
        """Drop SQLite's full-text index for a bulk load, to rebuild it once at the end.

        Kept current row by row, the index cost 10 s of a 100,000-product first load; built
        in one pass it costs about 1 s. Only when the load at least doubles the catalog.
        """
        if connection.vendor != "sqlite" or new_products < BULK_SEARCH_INDEX_ABOVE:
            return False
        if new_products < Product.objects.count():
            return False
        from productize.catalog.search import drop_search_index, search_index_present

        if not search_index_present(connection):
            return False
        drop_search_index(connection)
        return True

    def _plan(self, kind: str, docs: dict[str, SyncDocument], scope: set[str] | None) -> Plan:
        model = ENTITY_MODELS[kind]
        plan = Plan(kind)
        existing: dict[str, Row] = {}
        manager = model.objects  # type: ignore[attr-defined]
        if len(docs) > LOAD_ALL_ABOVE:
            existing = {row.slug: row for row in rows_of(manager.all()) if row.slug in docs}
        else:
            for part in chunks(list(docs)):
                existing.update((row.slug, row) for row in rows_of(manager.filter(slug__in=part)))
        for slug, doc in docs.items():
            digest = with_extras(doc, digest_of(doc))
            row = existing.get(slug)
            if row is None:
                plan.create.append((doc, digest))
            elif not self._ours(row) and not self._adopt(kind, row, doc, digest):
                self._conflict(doc, row.source_id, row.source_path, row.source_line)
            elif row.source_path != doc.path and scope is not None and row.source_path not in scope:
                # Another file of this source, not re-read now, still declares it.
                self._conflict(doc, row.source_id, row.source_path, row.source_line, True)
            elif row.descriptor_hash != digest:
                plan.update.append((row, doc, digest))
            elif (row.source_id, row.source_path, row.source_line) != (
                self.source.pk,
                doc.path,
                doc.line,
            ):
                plan.relocate.append((row, doc))
            else:
                plan.unchanged += 1
        ours = manager.filter(source=self.source)
        if scope is None:
            in_scope = list(rows_of(ours))
        elif len(scope) > LOAD_ALL_ABOVE:
            in_scope = [row for row in rows_of(ours) if row.source_path in scope]
        else:
            in_scope = [
                row
                for part in chunks(sorted(scope))
                for row in rows_of(ours.filter(source_path__in=part))
            ]
        plan.remove = [row for row in in_scope if row.slug not in docs]
        self.result.unchanged += plan.unchanged
        return plan

    def _ours(self, row: Row) -> bool:
        if row.source_id == self.source.pk:
            return True
        # Rows left without a source (their source was deleted) may be adopted; rows made in
        # productize itself are adopted by `_adopt` (only products) or refused.
        return row.source_id is None and row.origin == Origin.DESCRIPTOR

    def _adopt(self, kind: str, row: Row, doc: SyncDocument, digest: str) -> bool:
        """Adopt a product created in productize whose descriptor file is now in this source.

        An idea moves into its repository: its exported file is committed and ingested. The
        row keeps its id (feedback, patterns, roadmap and history stay attached), becomes
        descriptor-owned, and the audit log says so. The caller's plan then writes the file's
        content (an update) or, when the file says what the row already holds, its location.
        """
        if kind != "product" or row.origin != Origin.UI or row.source_id is not None:
            return False
        from productize.audit.services import record_change

        where = f"{doc.path}:{doc.line}"
        Product.objects.filter(id=row.id).update(origin=Origin.DESCRIPTOR, updated_at=self.now)
        record_change(
            actor=self.actor,
            action=Action.UPDATE,
            object_type="product",
            object_id=row.slug,
            before={"origin": Origin.UI.value},
            after={
                "origin": Origin.DESCRIPTOR.value,
                "source": self.source.name,
                "source_path": doc.path,
            },
            reason=f"adopted from the repository file {where} of source `{self.source.name}`: "
            "created in productize, it is now changed in that file"
            + (f" ({self.reason})" if self.reason else ""),
            object_repr=doc.model.name,
        )
        # Now this source's: `_ours` holds; the location is written by the update or relocate.
        row.origin = Origin.DESCRIPTOR.value
        row.source_path = doc.path
        if row.descriptor_hash == digest:  # no update will count it: the row did change
            self._count(kind, "updated", [row.slug])
        return True

    def _check_single_organization(self, plan: Plan, docs: dict[str, SyncDocument]) -> None:
        if not plan.create:
            return
        leaving = {row.id for row in plan.remove}
        others = [
            row
            for row in rows_of(Organization.objects.exclude(slug__in=list(docs)))
            if row.id not in leaving
        ]
        if not others:
            return
        other = others[0]
        for doc, _ in plan.create:
            self._conflict(doc, other.source_id, other.source_path, other.source_line)
        plan.create = []

    def _conflict(
        self,
        doc: SyncDocument,
        other_source_id: int | None,
        other_path: str,
        other_line: int,
        same_source: bool = False,
    ) -> None:
        kind, slug = kind_id(doc)
        self.result.conflicts.append(
            Conflict(
                kind=kind,
                slug=slug,
                path=doc.path,
                line=doc.line,
                other_source_id=other_source_id,
                other_source_name=self.source.name if same_source else "",
                other_path=other_path,
                other_line=other_line,
                same_source=same_source,
            )
        )

    def _name_other_sources(self) -> None:
        ids = {
            c.other_source_id
            for c in self.result.conflicts
            if not c.same_source and c.other_source_id is not None
        }
        if not ids:
            return
        names = dict(Source.objects.filter(id__in=ids).values_list("id", "name"))
        self.result.conflicts = [
            c
            if c.same_source or c.other_source_id is None
            else Conflict(
                **{**conflict_fields(c), "other_source_name": names.get(c.other_source_id, "")}
            )
            for c in self.result.conflicts
        ]

    # -- writing entities -----------------------------------------------------------------

    def _record(self, change: Change) -> None:
        self.changes.append(change)
        if len(self.changes) >= WRITE_BATCH:
            self._flush_changes()

    def _flush_changes(self) -> None:
        # Written batch by batch (same transaction) so a large sync never holds every
        # document's JSON in memory at once.
        if self.changes:
            record_changes(actor=self.actor, changes=self.changes, reason=self.reason)
            self.changes = []

    def _count(self, kind: str, what: str, slugs: Iterable[str]) -> None:
        names = set(slugs)
        if names:
            self.result.by_kind[f"{kind}.{what}"] += len(names)
            self.result.slugs[f"{kind}.{what}"].update(names)
            setattr(self.result, what, getattr(self.result, what) + len(names))

    def _remove(self, plan: Plan, befores: Mapping[int, Any]) -> None:
        if not plan.remove:
            return
        model = ENTITY_MODELS[plan.kind]
        ids = [row.id for row in plan.remove]
        for part in chunks(ids):
            # The ORM's delete follows the foreign keys: relations cascade, references to the
            # removed rows are set to NULL (their written ids stay).
            model.objects.filter(id__in=part).delete()  # type: ignore[attr-defined]
        for row in plan.remove:
            self._record(
                Change(Action.DELETE, plan.kind, row.slug, befores.get(row.id), None, row.slug)
            )
        self._count(plan.kind, "removed", (row.slug for row in plan.remove))

    def _last_id(self, kind: str) -> int:
        manager = ENTITY_MODELS[kind].objects  # type: ignore[attr-defined]
        last = manager.order_by("-id").values_list("id", flat=True).first()
        return int(last or 0)

    def _ids_after(self, kind: str, last_id: int, slugs: Sequence[str]) -> dict[str, int]:
        """Ids of the rows just inserted: above `last_id`, of this source (a primary-key range
        scan, where a lookup by slug would take a query per few hundred rows)."""
        manager = ENTITY_MODELS[kind].objects  # type: ignore[attr-defined]
        wanted = set(slugs)
        # Filtered by slug here, not by source in SQL: the planner would walk the source index.
        rows = manager.filter(id__gt=last_id).values_list("slug", "id")
        return {slug: pk for slug, pk in rows if slug in wanted}

    def _create(self, plan: Plan) -> None:
        if not plan.create:
            return
        kind = plan.kind
        columns = ENTITY_FIELDS[kind]
        # A product's loop is resolved on insert (loops are written first); other keys are
        # left to `resolve_references`.
        keys = ("loop",) if kind == "product" else ()
        extra = ("annotations",) if kind in EXTRAS_KINDS else ()
        fields = ("slug", *columns, *keys, *extra, *_BOOKKEEPING, "created_at", "updated_at")
        created: list[str] = []
        consumed: set[str] = set()
        # Consumption rows wait until every new interface exists (products consuming each
        # other's interfaces then resolve on insert whatever their order); held as plain
        # specs, so the documents are not turned into models twice.
        pending: list[tuple[int, list[tuple[str, str, int]]]] = []
        for part in chunks(plan.create, CREATE_BATCH):
            # One batch of documents at a time as models (an import holds them packed).
            models = [doc.model for doc, _ in part]
            rows = []
            for (doc, digest), model in zip(part, models, strict=True):
                values = entity_values(model)
                rows.append(
                    (
                        model.id,
                        *(values[name] for name in columns),
                        *([self.resolver.loops.get(values["loop_ref"])] if keys else []),
                        *([extras_of(doc)] if extra else []),
                        Origin.DESCRIPTOR.value,
                        self.source.pk,
                        doc.path,
                        doc.line,
                        digest,
                        self.now,
                        self.now,
                    )
                )
            last_id = self._last_id(kind)
            insert_rows(ENTITY_MODELS[kind], fields, rows)
            ids = self._ids_after(kind, last_id, [model.id for model in models])
            batch = [(ids[model.id], model) for model in models]
            if kind == "product":
                products = _products(batch)
                insert_interfaces(products)
                consumed |= consumed_refs(products)
                pending.extend((pk, list(consumption_specs(doc))) for pk, doc in products)
                insert_rows(
                    ProductTag,
                    ("product", "tag"),
                    ((pk, t) for pk, doc in products for t in doc.tags),
                )
            if kind in ("product", "loop"):
                write_owners(kind, batch, self.resolver)  # teams and people are written first
            created.extend(model.id for model in models)
            for model in models:
                text = descriptor_json(model)[0]
                self._record(Change(Action.CREATE, kind, model.id, None, RawJSON(text), model.name))
            del models, batch
        # consuming each other's interfaces resolve on insert whatever their order.
        if pending:
            found = interface_ids(consumed)
            insert_rows(
                Consumption,
                ("consumer", "interface_ref", "interface", "why", "position"),
                (
                    (pk, ref, found.get(ref), why, position)
                    for pk, specs in pending
                    for ref, why, position in specs
                ),
            )
        self._count(kind, "created", created)

    def _write_relations(
        self, kind: str, items: Sequence[tuple[int, AnyDoc]], found: dict[str, int] | None
    ) -> None:
        if kind in ("product", "loop"):
            write_owners(kind, items, self.resolver)
        if kind == "product":
            write_consumption_and_tags(_products(items), found)

    def _update(self, plan: Plan, befores: Mapping[int, Any]) -> None:
        if not plan.update:
            return
        kind = plan.kind
        model_class = ENTITY_MODELS[kind]
        keys = REF_KEYS[kind]
        fields = [*ENTITY_FIELDS[kind], *keys, *_BOOKKEEPING, "updated_at"]
        if kind in EXTRAS_KINDS:
            fields.append("annotations")
        for part in chunks(plan.update, UPDATE_BATCH):
            models = [doc.model for _, doc, _ in part]  # one batch at a time as models
            objs = []
            for (row, doc, digest), model in zip(part, models, strict=True):
                obj = model_class(
                    id=row.id,
                    slug=row.slug,
                    origin=Origin.DESCRIPTOR,
                    source=self.source,
                    source_path=doc.path,
                    source_line=doc.line,
                    descriptor_hash=digest,
                    updated_at=self.now,
                    **entity_values(model),
                )
                if kind in EXTRAS_KINDS:
                    obj.annotations = extras_of(doc)  # type: ignore[attr-defined]
                # Cleared here and resolved afterwards with every other open reference; a
                # product's loop is resolved now.
                for key in keys:
                    setattr(obj, f"{key}_id", None)
                if kind == "product":
                    obj.loop_id = self.resolver.loops.get(obj.loop_ref)  # type: ignore[attr-defined]
                objs.append(obj)
            model_class.objects.bulk_update(objs, fields)  # type: ignore[attr-defined]
            items = [(row.id, model) for (row, _, _), model in zip(part, models, strict=True)]
            clear_relations(kind, [pk for pk, _ in items])
            if kind == "product":
                replace_interfaces(_products(items))
            self._write_relations(kind, items, None)
            for (row, _, _), model in zip(part, models, strict=True):
                self._record(
                    Change(
                        Action.UPDATE,
                        kind,
                        row.slug,
                        befores.get(row.id),
                        RawJSON(descriptor_json(model)[0]),
                        model.name,
                    )
                )
        self._count(kind, "updated", (row.slug for row, _, _ in plan.update))

    def _relocate(self, plan: Plan) -> None:
        # Same content in another file or at another line: bookkeeping, not a catalog change.
        if not plan.relocate:
            return
        model = ENTITY_MODELS[plan.kind]
        objs = [
            model(id=row.id, source=self.source, source_path=doc.path, source_line=doc.line)
            for row, doc in plan.relocate
        ]
        model.objects.bulk_update(  # type: ignore[attr-defined]
            objs, ["source", "source_path", "source_line"], batch_size=UPDATE_BATCH
        )
        self.result.relocated += len(objs)


def _products(items: Sequence[tuple[int, AnyDoc]]) -> list[tuple[int, ProductDoc]]:
    return [(pk, doc) for pk, doc in items if isinstance(doc, ProductDoc)]


_BOOKKEEPING = ("origin", "source", "source_path", "source_line", "descriptor_hash")
