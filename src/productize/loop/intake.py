"""Feedback in: one item (forms, the API), many at once (bulk API, webhook) and imports.

Every way in goes through `bulk_give_feedback`: the items are checked with the framework-free
rules (`domain.loop.intake`), products and interfaces are looked up in one query each, items
without a product are routed by the channel's rules, items already stored (same channel,
source and external id) are skipped with the reason, and the rest are inserted in batches
with one audit record per item — all in the transaction of their batch.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from productize.accounts.permissions import FEEDBACK_GIVE
from productize.audit.models import Action, ActorKind
from productize.audit.services import Actor, Change, record_changes
from productize.catalog.models import Interface, Product
from productize.catalog.services.bulk import insert_rows
from productize.domain.loop.importers.common import FeedbackInput, ImportResult
from productize.domain.loop.intake import (
    MAX_BULK,
    FeedbackItem,
    Problem,
    check_item,
    duplicates_within,
    fit_key,
    split_interface,
    text_hash,
)
from productize.domain.loop.routing import RoutingInput, RoutingRuleError, parse_rules, route
from productize.domain.suggest import hint_for
from productize.loop.models import Feedback, FeedbackChannel

BATCH = 1_000  # rows per insert and per transaction in imports
Progress = Callable[[int, int], None]
__all__ = [
    "MAX_BULK",
    "BulkOutcome",
    "FeedbackItem",
    "FeedbackRejected",
    "ImportOutcome",
    "bulk_give_feedback",
    "give_feedback",
    "import_feedback",
]


class FeedbackRejected(ValidationError):
    """Items that cannot be taken; `problems` names each item (by index) and field."""

    def __init__(self, problems: Sequence[Problem], *, single: bool = False) -> None:
        self.problems = list(problems)
        messages: dict[str, list[str]] = defaultdict(list)
        for p in self.problems:
            key = p.field if single else f"{p.index}.{p.field}".rstrip(".")
            messages[key or "__all__"].append(p.message)
        super().__init__(dict(messages))


@dataclass(frozen=True, slots=True)
class Skipped:
    """An item that was not stored, and why (`existing_id`: the feedback it repeats)."""

    index: int
    reason: str
    existing_id: int | None = None


@dataclass(slots=True)
class BulkOutcome:
    """What a bulk call did, item by item (indexes are positions in the request)."""

    created: list[tuple[int, int]] = field(default_factory=list)  # (index, feedback id)
    skipped: list[Skipped] = field(default_factory=list)
    invalid: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    routed: int = 0  # stored items the channel's rules gave a product
    routed_items: set[int] = field(default_factory=set)  # indexes routed, stored or not


# --- lookups ---------------------------------------------------------------------------------


class _Catalog:
    """Products and interfaces named by a batch, read in one query each."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        pairs = list(pairs)
        slugs = {p for p, _ in pairs if p}
        self.products: dict[str, int] = (
            dict(Product.objects.filter(slug__in=slugs).values_list("slug", "id")) if slugs else {}
        )
        wanted = {(p, n) for p, n in pairs if p and n and p in self.products}
        self.interfaces: dict[tuple[str, str], int] = {}
        if wanted:
            rows = Interface.objects.filter(
                product__slug__in={p for p, _ in wanted}, name__in={n for _, n in wanted}
            ).values_list("product__slug", "name", "id")
            self.interfaces = {(p, n): i for p, n, i in rows}

    def product_problem(self, slug: str) -> str:
        # A close id among those starting alike: enough for typos, cheap with 100k products.
        near = Product.objects.filter(slug__startswith=slug[:1]).values_list("slug", flat=True)
        hint = hint_for(slug, list(near[:2000]))
        return f"no product with id `{slug}`" + (f"; {hint}" if hint else "")

    def interface_problem(self, slug: str, name: str) -> str:
        names = Interface.objects.filter(product__slug=slug).values_list("name", flat=True)
        listed = list(names[:200])
        hint = hint_for(name, listed)
        known = ", ".join(f"`{n}`" for n in listed[:10]) or "none"
        return f"product `{slug}` has no interface `{name}`" + (
            f"; {hint}" if hint else f" (its interfaces: {known})"
        )


class _Router:
    """A channel's routing rules, parsed once per call."""

    def __init__(self, channel: FeedbackChannel | None) -> None:
        self.rules: list[Any] = []
        self.default: str | None = None
        if channel is None:
            return
        try:
            self.rules = parse_rules(channel.routing_rules)
        except RoutingRuleError:
            self.rules = []  # a broken rule set routes nothing; triage sees the items
        fallback = channel.default_product or channel.product
        self.default = fallback.slug if fallback is not None else None

    def __call__(self, item: FeedbackItem) -> tuple[str, str]:
        if not self.rules and not self.default:
            return ("", "")
        decision = route(
            RoutingInput(
                text=item.text,
                title=item.title or None,
                tags=item.tags,
                interface_hint=item.interface or None,
            ),
            self.rules,
            default_product=self.default,
        )
        return (decision.product or "", decision.interface or "")


# --- the services ----------------------------------------------------------------------------


def _require(actor: Actor, channel: FeedbackChannel | None) -> None:
    if not actor.can(FEEDBACK_GIVE, channel):
        raise PermissionDenied(f"{actor.label} may not give feedback")


def give_feedback(
    actor: Actor,
    *,
    text: str,
    title: str = "",
    product: Product | str | None = None,
    interface: Interface | str | None = None,
    channel: FeedbackChannel | None = None,
    author: str = "",
    author_contact: str = "",
    created_at: Any = None,
    source: str = "",
    external_id: str = "",
    url: str = "",
    tags: Sequence[str] = (),
) -> Feedback:
    """Take one feedback item; raises `FeedbackRejected` naming the field at fault.

    Given by a signed-in person without an author, the person is the author (so the loop can
    tell them when their problem is solved). An item already stored (same channel, source
    and external id) is returned as it is, not stored twice.
    """
    raw: dict[str, Any] = {
        "text": text, "title": title, "author": author, "author_contact": author_contact,
        "created_at": created_at, "source": source, "external_id": external_id, "url": url,
        "tags": list(tags) if isinstance(tags, list | tuple) else tags,
        "product": product.slug if isinstance(product, Product) else (product or ""),
    }  # fmt: skip
    if isinstance(interface, Interface):
        raw["interface"] = f"{interface.product.slug}/{interface.name}"
    else:
        raw["interface"] = interface or ""
    _require(actor, channel)
    person_id = None
    user = actor.user if actor.kind == ActorKind.USER else None
    if user is not None and user.is_authenticated and not author and not author_contact:
        from productize.accounts.selectors import person_for_user

        person = person_for_user(user)
        person_id = person.pk if person is not None else None
        raw["author"] = (person.name if person is not None else "") or user.get_username()
        raw["author_contact"] = getattr(user, "email", "") or ""
    outcome = _give(
        actor, [raw], channel=channel, all_or_nothing=True, single=True, person_id=person_id
    )
    if outcome.created:
        return Feedback.objects.get(pk=outcome.created[0][1])
    existing = outcome.skipped[0].existing_id
    assert existing is not None  # one item, not created: it repeats a stored one
    return Feedback.objects.get(pk=existing)


def bulk_give_feedback(
    actor: Actor,
    items: Sequence[Any],
    *,
    channel: FeedbackChannel | None = None,
    all_or_nothing: bool = True,
) -> BulkOutcome:
    """Take many items (mappings as the API receives them, or `FeedbackItem`s).

    With `all_or_nothing` (the API), one invalid item rejects the call (`FeedbackRejected`
    lists every problem) and nothing is stored; without it (imports), invalid items are
    reported in `invalid` and the others stored. Items already stored are skipped either way.
    """
    _require(actor, channel)
    return _give(actor, items, channel=channel, all_or_nothing=all_or_nothing)


def _as_raw(item: Any) -> Any:
    if isinstance(item, FeedbackItem):
        raw = {f.name: getattr(item, f.name) for f in fields(item)}
        raw["tags"] = list(item.tags)
        return raw
    return item


def _give(
    actor: Actor,
    raws: Sequence[Any],
    *,
    channel: FeedbackChannel | None,
    all_or_nothing: bool,
    single: bool = False,
    person_id: int | None = None,
) -> BulkOutcome:
    outcome = BulkOutcome()
    items: list[FeedbackItem | None] = []
    for index, raw in enumerate(raws):
        checked = check_item(_as_raw(raw), index)
        items.append(checked.item)
        outcome.invalid.extend(checked.errors)
        outcome.notes.extend(checked.notes)
    router = _Router(channel)
    kind_default = channel.kind if channel is not None else "api"
    # Where each item goes: as given, else as the channel's rules say (explicit: as given).
    wanted: dict[int, tuple[str, str, bool]] = {}
    for index, item in enumerate(items):
        if item is None:
            continue
        product, name = split_interface(item.product, item.interface)
        explicit = bool(product)
        if not product:
            routed_product, routed_interface = router(item)
            if routed_product:
                product, name = routed_product, name or routed_interface
        wanted[index] = (product, name, explicit)
    catalog = _Catalog((p, n) for p, n, _ in wanted.values())
    targets: dict[int, tuple[int | None, int | None]] = {}
    for index, (product, name, explicit) in wanted.items():
        target = _target(index, product, name, explicit, catalog, outcome)
        if target is None:
            items[index] = None
        else:
            targets[index] = target
    if outcome.invalid and all_or_nothing:
        raise FeedbackRejected(outcome.invalid, single=single)
    keys = {
        index: (item.source or kind_default, fit_key(item.external_id))
        for index, item in enumerate(items)
        if item is not None
    }
    repeated = duplicates_within(
        (index, f"{kind}\x1f{key}" if key else "") for index, (kind, key) in keys.items()
    )
    for index, earlier in repeated.items():
        outcome.skipped.append(Skipped(index, f"same source and external id as item {earlier}"))
        items[index] = None
    now = timezone.now()
    user = actor.user if actor.user is not None and actor.user.is_authenticated else None
    who = _Who(user, person_id)
    pending = [i for i, item in enumerate(items) if item is not None]
    # One transaction per request-sized chunk: commits (fsync) cost more than the rows.
    for start in range(0, len(pending), MAX_BULK):
        chunk = pending[start : start + MAX_BULK]
        _insert(actor, chunk, items, keys, targets, channel, who, now, outcome)
    outcome.skipped.sort(key=lambda s: s.index)
    outcome.routed = sum(1 for index, _ in outcome.created if index in outcome.routed_items)
    return outcome


def _target(
    index: int, product: str, name: str, explicit: bool, catalog: _Catalog, outcome: BulkOutcome
) -> tuple[int | None, int | None] | None:
    """(product id, interface id) for an item; None (with the problem recorded) when invalid."""
    if not product:
        if name:
            outcome.invalid.append(
                Problem(index, "interface", "name the product too (`product/interface`)")
            )
            return None
        return (None, None)
    product_id = catalog.products.get(product)
    if product_id is None:
        if explicit:
            outcome.invalid.append(Problem(index, "product", catalog.product_problem(product)))
            return None
        # A routing rule names a product that is gone: leave the item for triage.
        outcome.notes.append(
            Problem(index, "product", f"the routing rule names `{product}`, which does not exist")
        )
        return (None, None)
    if not explicit:
        outcome.routed_items.add(index)
    if not name:
        return (product_id, None)
    interface_id = catalog.interfaces.get((product, name))
    if interface_id is None:
        if not explicit:
            return (product_id, None)  # a rule's interface that is gone: the product is enough
        outcome.invalid.append(
            Problem(index, "interface", catalog.interface_problem(product, name))
        )
        return None
    return (product_id, interface_id)


def _existing(
    channel: FeedbackChannel | None, keyed: dict[str, set[str]]
) -> dict[tuple[str, str], int]:
    """Stored items with these (source kind, key) pairs in this channel: pair -> id."""
    found: dict[tuple[str, str], int] = {}
    for kind, values in keyed.items():
        listed = sorted(values)
        for start in range(0, len(listed), 500):
            # `source_key <> ''` repeats the unique index's condition, and no ORDER BY: with
            # either missing, SQLite scans the channel's every item by time instead of using
            # the (covering) unique index — 200x slower at 100,000 items.
            rows = (
                Feedback.objects.filter(
                    channel=channel, source_kind=kind, source_key__in=listed[start : start + 500]
                )
                .exclude(source_key="")
                .order_by()
                .values_list("source_key", "id")
            )
            found.update({(kind, key): pk for key, pk in rows})
    return found


class _Who(NamedTuple):
    """Who submits (the signed-in user, if any) and who wrote it (a catalog person, if known)."""

    user: Any
    person_id: int | None


def _insert(
    actor: Actor,
    chunk: Sequence[int],
    items: Sequence[FeedbackItem | None],
    keys: dict[int, tuple[str, str]],
    targets: dict[int, tuple[int | None, int | None]],
    channel: FeedbackChannel | None,
    who: _Who,
    now: Any,
    outcome: BulkOutcome,
) -> None:
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _insert_once(actor, chunk, items, keys, targets, channel, who, now, outcome)
            return
        except Exception as error:
            # Someone stored one of these keys between our check and our insert: check again.
            # (COPY on PostgreSQL raises the driver's own error, not Django's IntegrityError.)
            conflict = (
                isinstance(error, IntegrityError) or getattr(error, "sqlstate", "") == "23505"
            )
            if attempt == 2 or not conflict:
                raise


def _insert_once(
    actor: Actor,
    chunk: Sequence[int],
    items: Sequence[FeedbackItem | None],
    keys: dict[int, tuple[str, str]],
    targets: dict[int, tuple[int | None, int | None]],
    channel: FeedbackChannel | None,
    who: _Who,
    now: Any,
    outcome: BulkOutcome,
) -> None:
    keyed: dict[str, set[str]] = defaultdict(set)
    for index in chunk:
        kind, key = keys[index]
        if key:
            keyed[kind].add(key)
    existing = _existing(channel, keyed)
    rows: list[tuple[Any, ...]] = []
    order: list[int] = []
    skipped: list[Skipped] = []
    channel_id = channel.pk if channel is not None else None
    user_id = who.user.pk if who.user is not None else None
    for index in chunk:
        item = items[index]
        assert item is not None
        kind, key = keys[index]
        if key and (kind, key) in existing:
            found = existing[(kind, key)]
            skipped.append(
                Skipped(
                    index, f"already received as feedback {found} (same {kind} id `{key}`)", found
                )
            )
            continue
        product_id, interface_id = targets[index]
        rows.append(
            (
                channel_id, product_id, interface_id, kind, key, item.url, item.author,
                item.author_contact, who.person_id, user_id, item.created_at or now, now,
                item.title, item.text, text_hash(item.text), list(item.tags),
                now if product_id is not None else None,
            )
        )  # fmt: skip
        order.append(index)
    ids = _new_ids(len(rows))
    insert_rows(
        Feedback, ("id", *_COLUMNS), ((pk, *row) for pk, row in zip(ids, rows, strict=True))
    )
    record_changes(
        actor=actor,
        changes=(_change(pk, row) for pk, row in zip(ids, rows, strict=True)),
        reason="feedback received",
    )
    outcome.created.extend(zip(order, ids, strict=True))
    outcome.skipped.extend(skipped)


_COLUMNS = (
    "channel", "product", "interface", "source_kind", "source_key", "source_url", "author_name",
    "author_contact", "author_person", "submitted_by", "created_at", "received_at", "title",
    "text", "text_hash", "tags", "routed_at",
)  # fmt: skip


def _new_ids(count: int) -> list[int]:
    """Ids for `count` new feedback rows, taken before the insert so the audit can name them.

    Django's bulk_create returns ids but compiles SQL value by value, which costs more than
    the insert; `insert_rows` is a prepared statement (or COPY) that returns nothing. So the
    ids are drawn first: from the sequence on PostgreSQL; on SQLite after the highest id ever
    used (AUTOINCREMENT's counter), which is safe because the transaction holds the write
    lock from its start (IMMEDIATE), so nobody else inserts in between.
    """
    if not count:
        return []
    connection = connections[router.db_for_write(Feedback)]
    table = Feedback._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if not connection.in_atomic_block:
            raise RuntimeError("feedback ids must be drawn inside the inserting transaction")
        cursor.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"  # noqa: S608
            f" COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
            [table],
        )
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def _change(pk: int, row: tuple[Any, ...]) -> Change:
    # The text itself stays in the feedback row; the record says what arrived and where.
    values = dict(zip(_COLUMNS, row, strict=True))
    after = {
        "channel": values["channel"],
        "product": values["product"],
        "interface": values["interface"],
        "source": values["source_kind"],
        "external_id": values["source_key"],
        "author": values["author_name"],
        "title": values["title"],
        "text_sha256": values["text_hash"],
        "characters": len(values["text"]),
    }
    label = values["title"] or values["text"][:80]
    return Change(Action.CREATE, "feedback", str(pk), None, after, label)


# --- imports ---------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportOutcome:
    """What an import did: counts, and every skipped item and note with its place in the file."""

    read: int = 0  # items the importer produced
    created: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    notes: list[tuple[str, str]] = field(default_factory=list)
    routed: int = 0


def _from_input(item: FeedbackInput, products: dict[str, int]) -> tuple[dict[str, Any], str]:
    """The raw item for the intake, and a note when a product hint names nothing."""
    note = ""
    product = item.product_hint or ""
    interface = item.interface_hint or ""
    if product and product not in products:
        note = f"product hint `{product}` names no product; left for routing and triage"
        product = ""
        if "/" not in interface:
            interface = ""
    _, key = item.idempotence_key
    raw = {
        "text": item.text,
        "title": item.title or "",
        "product": product,
        "interface": interface if product or "/" in interface else "",
        "author": (item.author or "")[:200],
        "author_contact": (item.author_contact or "")[:320],
        "created_at": item.created_at,
        "source": item.source[:32],
        "external_id": key,
        "url": item.url or "",
        "tags": list(item.labels[:20]),
    }
    return raw, note


def import_feedback(
    actor: Actor,
    *,
    channel: FeedbackChannel,
    result: ImportResult,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Store what an importer read into `channel`; re-importing the same export adds nothing.

    Each batch is its own transaction, so an interrupted import keeps what it stored and the
    next run picks up the rest (stored items are skipped by their source key).
    """
    _require(actor, channel)
    outcome = ImportOutcome(read=len(result.items))
    outcome.skipped.extend((s.where, s.why) for s in result.skipped)
    outcome.notes.extend((s.where, s.why) for s in result.notes)
    hints = {i.product_hint for i in result.items if i.product_hint}
    products = (
        dict(Product.objects.filter(slug__in=hints).values_list("slug", "id")) if hints else {}
    )
    total = len(result.items)
    wheres = [_where(result, i) for i in range(total)]
    for start in range(0, total, BATCH):
        part = result.items[start : start + BATCH]
        raws = []
        for offset, item in enumerate(part):
            raw, note = _from_input(item, products)
            if note:
                outcome.notes.append((wheres[start + offset], note))
            raws.append(raw)
        done = _give(actor, raws, channel=channel, all_or_nothing=False)
        outcome.created += len(done.created)
        outcome.routed += done.routed
        outcome.skipped.extend((wheres[start + s.index], s.reason) for s in done.skipped)
        outcome.skipped.extend(
            (wheres[start + p.index], f"{p.field}: {p.message}") for p in done.invalid
        )
        outcome.notes.extend(
            (wheres[start + p.index], f"{p.field}: {p.message}") for p in done.notes
        )
        if progress is not None:
            progress(min(start + BATCH, total), total)
    return outcome


def _where(result: ImportResult, index: int) -> str:
    # Importers do not keep each kept item's place; its source id (or position) finds it.
    item = result.items[index]
    return f"item {index + 1}" + (f" (id `{item.external_id}`)" if item.external_id else "")
