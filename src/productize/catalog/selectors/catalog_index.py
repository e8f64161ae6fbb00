"""Every product's filter values in compact arrays, built once per catalog version and process.

A catalog page under filters shows a total, one page of products and eight facets, each facet
counted under all the *other* filters. Asked of the database, that is ~20 counts over joins,
each re-running the filters (and the search) — 150-550 ms at 100,000 products. Here the
matching products are worked out once per request as a boolean array over the catalog, and
each facet is a `bincount` over it: a few milliseconds, whatever the filters.

What is kept, per product position (products sorted by id): loop, stage, alignment and
assessed level as small integer codes; interfaces, tags, assessment gaps and owners as
(product position, value code) pairs: 16.5 MiB at 100,000 products. The search is the one
thing asked of the database per request: the ranked ids of the matches, cached here per search
text. The index is rebuilt (1-2 s at 100,000 products) by the first request that needs it
after the catalog changed; a token in Django's cache ties it to the cache's lifetime, so a
cleared cache (tests roll back and reuse version numbers) clears it too.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from django.core.cache import cache
from django.db import connections

from productize.assessment.models import AssessmentGap, ProductAssessment
from productize.catalog import search
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)
from productize.catalog.selectors.filters import LEVELS, NONE, UNASSESSED, ProductFilters

Mask = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
CHUNK = 20_000
SEARCHES_KEPT = 64


def _table(model: Any) -> str:
    return connections[Product.objects.db].ops.quote_name(model._meta.db_table)


def _rows(sql: str, params: Iterable[Any] = ()) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of a query in chunks (a list of 300,000 tuples at once costs ~50 MiB)."""
    with connections[Product.objects.db].cursor() as cursor:
        cursor.execute(sql, list(params))
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Values of one kind (loop slugs, tags, ...) and their codes: a value's code is its index."""

    values: list[str]
    labels: list[str]
    codes: dict[str, int]

    @classmethod
    def of(cls, values: list[str], labels: list[str] | None = None) -> Vocabulary:
        """Codes in the given order (which breaks ties wherever the database's order did)."""
        return cls(values, labels or values, {value: code for code, value in enumerate(values)})

    def code_list(self, wanted: Iterable[str]) -> list[int]:
        """Codes of the wanted values that exist."""
        return [self.codes[v] for v in wanted if v in self.codes]


def _lookup(sorted_ids: Ints, ids: Ints) -> tuple[Ints, Mask]:
    """Positions of `ids` in `sorted_ids`, and which of them are there at all."""
    at = np.searchsorted(sorted_ids, ids)
    if not len(sorted_ids):
        return np.zeros(len(ids), np.int64), np.zeros(len(ids), dtype=bool)
    at[at >= len(sorted_ids)] = 0
    return at, sorted_ids[at] == ids


def _members(codes: npt.NDArray[Any], wanted: list[int], size: int) -> Mask:
    """Which entries of `codes` (values -1 .. size-1) are among `wanted` (a table lookup)."""
    table = np.zeros(size + 1, dtype=bool)
    table[[code + 1 for code in wanted]] = True
    return table[codes + 1]


class Pairs:
    """(product position, value code) pairs, sorted by code: a many-valued attribute."""

    def __init__(self, positions: Ints, codes: Ints, size: int, *, distinct: bool) -> None:
        if distinct and len(positions):
            keys = np.unique(codes * (positions.max() + 1) + positions)
            codes, positions = np.divmod(keys, positions.max() + 1)
        else:
            order = np.lexsort((positions, codes))
            codes, positions = codes[order], positions[order]
        self.positions = positions.astype(np.int64)
        self.codes = codes.astype(np.int32)
        self.size = size
        self.starts = np.searchsorted(self.codes, np.arange(size + 1)).astype(np.int64)

    def products(self, codes: Iterable[int], n: int) -> Mask:
        """Products having any of these values."""
        found = np.zeros(n, dtype=bool)
        for code in codes:
            found[self.positions[self.starts[code] : self.starts[code + 1]]] = True
        return found

    def counts(self, scope: Mask | None) -> Ints:
        """Pairs per value among the products in scope (all products when None)."""
        if scope is None:
            return np.diff(self.starts)
        return np.bincount(self.codes[scope[self.positions]], minlength=self.size)

    def having(self, n: int) -> Mask:
        """Products with at least one pair."""
        found = np.zeros(n, dtype=bool)
        found[self.positions] = True
        return found


class CatalogIndex:
    """The filter values of every product, for one catalog version (see the module text)."""

    def __init__(self, version: int, token: str) -> None:
        self.version = version
        self.token = token
        self._searches: OrderedDict[str, npt.NDArray[np.int32]] = OrderedDict()
        self._searches_lock = threading.Lock()
        self._load()

    # --- building ---------------------------------------------------------------------

    def _positions(self, ids: Ints) -> tuple[Ints, Mask]:
        """Positions of product ids, and which ids are products at all."""
        return _lookup(self.ids, ids)

    def _pairs(
        self,
        sql: str,
        *,
        values: Vocabulary | None = None,
        ids: Ints | None = None,
        distinct: bool,
    ) -> Pairs:
        """Pairs from rows (product id, value): a value of `values`, or a row id among `ids`."""
        products: list[Ints] = []
        raw: list[Any] = []
        for chunk in _rows(sql):
            products.append(np.fromiter((row[0] for row in chunk), np.int64, len(chunk)))
            if values is not None:
                coded = (values.codes.get(row[1], -1) for row in chunk)
                raw.append(np.fromiter(coded, np.int64, len(chunk)))
            else:
                raw.append(np.fromiter((row[1] for row in chunk), np.int64, len(chunk)))
        product_ids = np.concatenate(products) if products else np.zeros(0, np.int64)
        codes = np.concatenate(raw) if raw else np.zeros(0, np.int64)
        if ids is not None:
            codes, known_code = _lookup(ids, codes)
            codes[~known_code] = -1
        positions, known = self._positions(product_ids)
        keep = known & (codes >= 0)
        size = len(values.values) if values is not None else len(ids) if ids is not None else 0
        return Pairs(positions[keep], codes[keep], size, distinct=distinct)

    def _vocabulary(self, sql: str) -> Vocabulary:
        values = [row[0] for chunk in _rows(sql) for row in chunk]
        return Vocabulary.of(values)

    def _named(self, model: Any) -> tuple[Ints, Vocabulary]:
        """Ids (sorted) and a vocabulary of slugs labelled with names, code = id's position."""
        rows = [row for chunk in _rows(f"SELECT id, slug, name FROM {_table(model)} ORDER BY id")  # noqa: S608
                for row in chunk]  # fmt: skip
        ids = np.array([row[0] for row in rows], dtype=np.int64)
        return ids, Vocabulary.of([row[1] for row in rows], [row[2] for row in rows])

    def _load(self) -> None:
        product = _table(Product)
        ids: list[int] = []
        loop_ids: list[int] = []
        stages: list[str] = []
        alignments: list[str] = []
        sql = f"SELECT id, loop_id, stage, alignment FROM {product} ORDER BY id"  # noqa: S608
        for chunk in _rows(sql):
            for row in chunk:
                ids.append(row[0])
                loop_ids.append(row[1] if row[1] is not None else -1)
                stages.append(row[2])
                alignments.append(row[3] or "")
        self.ids = np.array(ids, dtype=np.int64)
        self.n = n = len(ids)
        self.stages = Vocabulary.of(sorted(set(stages)))
        self.stage = np.array([self.stages.codes[s] for s in stages], dtype=np.int16)
        self.alignments = Vocabulary.of(sorted(set(alignments)))
        self.alignment = np.array([self.alignments.codes[a] for a in alignments], dtype=np.int16)
        self.loop_ids, self.loops = self._named(Loop)
        loop_at, known_loop = _lookup(self.loop_ids, np.array(loop_ids, dtype=np.int64))
        # -1 (no loop) is never a loop's id; a dangling id cannot happen (foreign key).
        self.loop = np.where(known_loop, loop_at, -1).astype(np.int32)

        # Product positions in name order: the order of the catalog's name sort.
        order_ids = [row[0] for chunk in _rows(f"SELECT id FROM {product} ORDER BY name, id")  # noqa: S608
                     for row in chunk]  # fmt: skip
        self.name_order, _ = self._positions(np.array(order_ids, dtype=np.int64))

        self.level = np.full(n, -1, dtype=np.int16)
        sql = f"SELECT product_id, level_rank FROM {_table(ProductAssessment)}"  # noqa: S608
        for chunk in _rows(sql):
            at, known = self._positions(np.array([r[0] for r in chunk], dtype=np.int64))
            ranks = np.array([r[1] for r in chunk], dtype=np.int16)
            self.level[at[known]] = ranks[known]

        interface = _table(Interface)
        self.kinds = self._vocabulary(f"SELECT DISTINCT kind FROM {interface} ORDER BY kind")  # noqa: S608
        self.interfaces = self._pairs(
            f"SELECT product_id, kind FROM {interface}",  # noqa: S608
            values=self.kinds,
            distinct=True,
        )
        self.has_interface = self.interfaces.having(n)
        tag = _table(ProductTag)
        self.tags = self._vocabulary(f"SELECT DISTINCT tag FROM {tag} ORDER BY tag")  # noqa: S608
        self.tagged = self._pairs(
            f"SELECT product_id, tag FROM {tag}",  # noqa: S608
            values=self.tags,
            distinct=False,
        )
        gap = _table(AssessmentGap)
        self.characteristics = self._vocabulary(
            f"SELECT DISTINCT characteristic FROM {gap} ORDER BY characteristic"  # noqa: S608
        )
        self.gaps = self._pairs(
            f"SELECT product_id, characteristic FROM {gap}",  # noqa: S608
            values=self.characteristics,
            distinct=False,
        )
        self._load_owners()

    def _load_owners(self) -> None:
        ownership, membership = _table(Ownership), _table(Membership)
        self.team_ids, self.teams = self._named(Team)
        self.person_ids, self.people = self._named(Person)
        owned = f"FROM {ownership} o WHERE o.product_id IS NOT NULL"
        self.team_owned = self._pairs(
            f"SELECT o.product_id, o.team_id {owned} AND o.team_id IS NOT NULL",
            ids=self.team_ids,
            distinct=True,
        )
        self.person_direct = self._pairs(
            f"SELECT o.product_id, o.person_id {owned} AND o.person_id IS NOT NULL",
            ids=self.person_ids,
            distinct=True,
        )
        via_team = self._pairs(
            f"SELECT o.product_id, m.person_id FROM {ownership} o "  # noqa: S608
            f"JOIN {membership} m ON m.team_id = o.team_id WHERE o.product_id IS NOT NULL",
            ids=self.person_ids,
            distinct=False,
        )
        # A person owns what they own directly and what any of their teams owns.
        self.person_owned = Pairs(
            np.concatenate([self.person_direct.positions, via_team.positions]),
            np.concatenate([self.person_direct.codes, via_team.codes]),
            len(self.people.values),
            distinct=True,
        )
        self.owned = self.team_owned.having(self.n) | self.person_direct.having(self.n)

    # --- filtering --------------------------------------------------------------------

    def ranked_matches(self, query: search.SearchQuery) -> npt.NDArray[np.int32]:
        """Positions of the products matching a search, best match first (cached per text)."""
        key = " ".join(query.terms)
        with self._searches_lock:
            found = self._searches.get(key)
            if found is not None:
                self._searches.move_to_end(key)
                return found
        ids = np.array(search.all_ranked_ids(query), dtype=np.int64)
        at, known = self._positions(ids)
        found = at[known].astype(np.int32)
        with self._searches_lock:
            self._searches[key] = found
            while len(self._searches) > SEARCHES_KEPT:
                self._searches.popitem(last=False)
        return found

    def masks(self, filters: ProductFilters) -> dict[str, Mask]:
        """One boolean array per active filter (and `q` for the search): products it keeps."""
        n = self.n
        found: dict[str, Mask] = {}
        query = filters.search
        if query.active:
            mask = np.zeros(n, dtype=bool)
            if query.terms:
                mask[self.ranked_matches(query)] = True
            found["q"] = mask
        if filters.consumes:
            sql = f"SELECT consumer_id FROM {_table(Consumption)} WHERE interface_ref = %s"  # noqa: S608
            ids = np.array(
                [row[0] for chunk in _rows(sql, [filters.consumes]) for row in chunk],
                dtype=np.int64,
            )
            at, known = self._positions(ids)
            mask = np.zeros(n, dtype=bool)
            mask[at[known]] = True
            found["consumes"] = mask
        if filters.loop:
            codes = self.loops.code_list(filters.loop)
            if NONE in filters.loop:
                codes.append(-1)
            found["loop"] = _members(self.loop, codes, len(self.loops.values))
        if filters.stage:
            codes = self.stages.code_list(filters.stage)
            found["stage"] = _members(self.stage, codes, len(self.stages.values))
        if filters.alignment:
            wanted = ["" if v == NONE else v for v in filters.alignment]
            codes = self.alignments.code_list(wanted)
            found["alignment"] = _members(self.alignment, codes, len(self.alignments.values))
        if filters.owner:
            found["owner"] = self._owner_mask(filters.owner)
        if filters.interface_kind:
            kinds = [v for v in filters.interface_kind if v != NONE]
            mask = self.interfaces.products(self.kinds.code_list(kinds), n)
            if NONE in filters.interface_kind:
                mask |= ~self.has_interface
            found["interface_kind"] = mask
        if filters.tag:
            found["tag"] = self.tagged.products(self.tags.code_list(filters.tag), n)
        if filters.level:
            ranks = [LEVELS.index(v) if v != UNASSESSED else -1 for v in filters.level]
            found["level"] = _members(self.level, ranks, len(LEVELS))
        if filters.failing:
            codes = self.characteristics.code_list(filters.failing)
            found["failing"] = self.gaps.products(codes, n)
        return found

    def _owner_mask(self, values: tuple[str, ...]) -> Mask:
        mask = np.zeros(self.n, dtype=bool)
        for value in values:
            if value == NONE:
                mask |= ~self.owned
                continue
            kind, slug = value.split(":", 1)
            if kind == "team":
                mask |= self.team_owned.products(self.teams.code_list([slug]), self.n)
            else:
                mask |= self.person_owned.products(self.people.code_list([slug]), self.n)
        return mask

    @staticmethod
    def scope(masks: dict[str, Mask], *, without: str = "") -> Mask | None:
        """Products kept by every filter but `without`; None when nothing narrows them."""
        result: Mask | None = None
        for name, mask in masks.items():
            if name != without:
                result = mask.copy() if result is None else np.logical_and(result, mask, result)
        return result

    def count(self, scope: Mask | None) -> int:
        """How many products are in scope."""
        return self.n if scope is None else int(np.count_nonzero(scope))

    def ids_by_name(self, scope: Mask | None, offset: int, limit: int) -> list[int]:
        """Ids of one page of the products in scope, in the catalog's name order."""
        order = self.name_order if scope is None else self.name_order[scope[self.name_order]]
        return [int(i) for i in self.ids[order[offset : offset + limit]]]

    def ids_by_rank(
        self, query: search.SearchQuery, scope: Mask | None, offset: int, limit: int
    ) -> list[int]:
        """Ids of one page of the search's matches within scope, best match first."""
        ranked = self.ranked_matches(query)
        if scope is not None:
            ranked = ranked[scope[ranked]]
        return [int(i) for i in self.ids[ranked[offset : offset + limit]]]


_current: CatalogIndex | None = None
_build_lock = threading.Lock()


def _token_key(version: int) -> str:
    # Per process: the cache may be shared one day, the index never is.
    return f"productize:catalog-index:{os.getpid()}:{version}"


def built_index(version: int) -> CatalogIndex | None:
    """The index of this catalog version if this process has built it already, else None."""
    index = _current
    current = index is not None and index.version == version
    if current and index is not None and index.token == cache.get(_token_key(version)):
        return index
    return None


def catalog_index(version: int) -> CatalogIndex:
    """The index of this catalog version, built by the first caller that needs it."""
    global _current
    index = built_index(version)
    if index is not None:
        return index
    with _build_lock:
        index = _current
        token = cache.get(_token_key(version))
        if index is not None and index.version == version and index.token == token:
            return index
        _current = None  # let the old arrays go before the new ones are built
        token = uuid.uuid4().hex
        index = CatalogIndex(version, token)
        cache.set(_token_key(version), token, None)
        _current = index
        return index
