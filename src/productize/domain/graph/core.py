"""The product graph: products joined through the interfaces they provide and consume.

Measured choice (see `bench/graph_timing.py`): plain Python lists of integer ids, not
networkx. At 100,000 products and 300,000 consumes edges a breadth-first walk over int lists
is several times faster than the same walk over a networkx DiGraph, building it takes about
a second instead of several, and it needs a fraction of the memory; every algorithm the
catalog needs (BFS, Tarjan, bitset reach) is short enough to own.

Edges point the way dependency flows: a consumer depends on the product that provides the
interface. "Upstream" of a product are its providers, "downstream" its consumers. Only
declared interfaces join products; a consumes edge to an undeclared interface is kept (it is
reported by `undeclared_consumes`) but joins nothing, and a product consuming its own
interface is not a dependency.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Literal, overload

from productize.domain.graph.nodes import (
    Cycle,
    DanglingEdge,
    Direction,
    Hop,
    ImpactEntry,
    InterfaceNode,
    Link,
    Neighbourhood,
    NeighbourhoodSample,
    Outlier,
    ProductNode,
    Reach,
    SampleColumn,
    SampleLink,
    UnknownNodeError,
)

if TYPE_CHECKING:
    from productize.domain.descriptors import ProductDoc

NO_PRODUCT = -1
SEVERAL_OWNERS = -1  # in `ProductGraph._owner_of`: look in `_owners_of` (none, or several)


def _pick(values: list[int], indexes: list[int]) -> Sequence[int]:
    """`[values[i] for i in indexes]`, done in C (itemgetter of one index is not a tuple)."""
    if len(indexes) > 1:
        picked: tuple[int, ...] = itemgetter(*indexes)(values)
        return picked
    return [values[i] for i in indexes]


class _ByDepthThenId(Sequence[int]):
    """The dependants by depth, then id (= slug), each depth sorted when first needed.

    A page near the start, or a scan that stops early, sorts only the first depths, not all
    (at the hub of the benchmark: 20,141 products sorted instead of 94,403).
    """

    def __init__(self, levels: list[list[int]]) -> None:
        self._levels = levels
        self._done: list[list[int] | None] = [None] * len(levels)
        self._starts: list[int] = []
        total = 0
        for level in levels:
            self._starts.append(total)
            total += len(level)
        self._count = total

    def _level(self, k: int) -> list[int]:
        done = self._done[k]
        if done is None:
            done = self._done[k] = sorted(self._levels[k])
        return done

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        for k in range(len(self._levels)):
            yield from self._level(k)

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._count)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            result: list[int] = []
            k = bisect_right(self._starts, start) - 1
            while start < stop and k < len(self._levels):
                first = self._starts[k]
                result.extend(self._level(k)[start - first : stop - first])
                k += 1
                start = first + len(self._levels[k - 1])
            return result
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(index)
        k = bisect_right(self._starts, index) - 1
        return self._level(k)[index - self._starts[k]]


class Impact:
    """Everything that depends on one product or interface, each with one shortest path.

    Walks are cheap, materialising 100,000 entries is not: entries are built on demand and
    paged (`entries(offset, limit)`), counts and owners come straight from the walk.
    """

    def __init__(
        self,
        graph: ProductGraph,
        source: Hop,
        levels: list[list[int]],
        depth: list[int],
        via: list[int],
    ) -> None:
        self._graph = graph
        self.source = source
        self._levels = levels  # levels[d - 1]: the products at depth d, in walk order
        self._depth = depth  # per product id: depth, or -1 / 0 when not a dependent
        self._via = via  # per product id: the product it depends on along the path
        self.count = sum(len(level) for level in levels)

    def __len__(self) -> int:
        return self.count

    def __contains__(self, slug: object) -> bool:
        index = self._graph._pidx.get(slug) if isinstance(slug, str) else None
        return index is not None and self._depth[index] > 0

    @cached_property
    def _sorted(self) -> Sequence[int]:
        # Product ids follow slug order, so this is "by depth, then slug".
        return _ByDepthThenId(self._levels)

    def slugs(self) -> list[str]:
        """Every dependent product's slug, by depth then slug."""
        names = self._graph._slugs
        return [names[p] for p in self._sorted]

    def entries(self, offset: int = 0, limit: int | None = None) -> list[ImpactEntry]:
        """A page of dependents, by depth then slug, each with its path from the source."""
        stop = None if limit is None else offset + limit
        return [self._entry(p) for p in self._sorted[offset:stop]]

    def entry(self, slug: str) -> ImpactEntry:
        """The dependent `slug` with its depth and path."""
        if slug not in self:
            raise UnknownNodeError(slug)
        return self._entry(self._graph._pidx[slug])

    def direct(self) -> list[str]:
        """The slugs that depend on the source directly (depth 1)."""
        names = self._graph._slugs
        return [names[p] for p in sorted(self._levels[0])] if self._levels else []

    def by_depth(self) -> dict[int, int]:
        """How many dependents at each depth."""
        return {depth: len(level) for depth, level in enumerate(self._levels, start=1)}

    def owners_to_tell(self, max_depth: int | None = None) -> dict[str, list[str]]:
        """Owner → the dependent products they own (up to `max_depth`), both sorted."""
        nodes = self._graph._nodes
        result: dict[str, list[str]] = {}
        for level in self._levels[:max_depth]:
            for p in level:
                node = nodes[p]
                for owner in node.owners:
                    result.setdefault(owner, []).append(node.slug)
        return {owner: sorted(slugs) for owner, slugs in sorted(result.items())}

    def owners_summary(
        self, limit: int = 100, shown: int = 10
    ) -> tuple[list[tuple[str, int, list[str]]], int]:
        """The `limit` most affected owners, most first (then by name), each with their count
        and their first `shown` products by depth then slug (sorted by slug); and how many
        owners there are in all. Counts owner ids, not objects: cheap at a hub.
        """
        graph = self._graph
        names, single, several, slugs = (
            graph._owner_names,
            graph._owner_of,
            graph._owners_of,
            graph._slugs,
        )
        counts = self._owner_id_counts()
        top = heapq.nsmallest(limit, counts.items(), key=lambda item: (-item[1], names[item[0]]))
        wanted: dict[int, list[str]] = {o: [] for o, _ in top}
        missing = len(wanted)
        for p in self._sorted if missing else ():
            o = single[p]
            for owner in (o,) if o != SEVERAL_OWNERS else several[p]:
                found = wanted.get(owner)
                if found is not None and len(found) < shown:
                    found.append(slugs[p])
                    if len(found) == min(shown, counts[owner]):
                        missing -= 1
            if not missing:
                break
        rows = [(names[o], n, sorted(wanted[o])) for o, n in top]
        return rows, len(counts)

    def _owner_id_counts(self) -> dict[int, int]:
        graph = self._graph
        single = graph._owner_of
        counts: Counter[int] = Counter()
        for level in self._levels:
            counts.update(_pick(single, level))
        odd = counts.pop(SEVERAL_OWNERS, 0)
        if odd:
            several, depth = graph._owners_of, self._depth
            if len(several) < self.count:
                odd_ones: Iterable[int] = (p for p in several if depth[p] > 0)
            else:
                odd_ones = (p for lv in self._levels for p in lv if single[p] == SEVERAL_OWNERS)
            for p in odd_ones:
                counts.update(several[p])
        return counts

    def as_dict(self, offset: int = 0, limit: int | None = 50) -> dict[str, object]:
        """A JSON-ready summary with one page of entries (the API's shape)."""
        return {
            "source": {"kind": self.source.kind, "id": self.source.id},
            "count": self.count,
            "by_depth": {str(depth): n for depth, n in self.by_depth().items()},
            "owners": self.owners_to_tell(),
            "offset": offset,
            "entries": [entry.as_dict() for entry in self.entries(offset, limit)],
        }

    def _entry(self, index: int) -> ImpactEntry:
        graph = self._graph
        hops: list[Hop] = []
        current = index
        # The walk keeps only the previous product (cheaper); the joining interface is looked
        # up here, for the few entries a page shows.
        while (previous := self._via[current]) != NO_PRODUCT:
            hops.append(Hop("product", graph._slugs[current]))
            hops.append(Hop("interface", graph._refs[graph._joining(current, previous)]))
            current = previous
        hops.append(Hop("product", graph._slugs[current]))
        if self.source.kind == "product":
            source = graph._pidx[self.source.id]
            hops.append(Hop("interface", graph._refs[graph._joining(current, source)]))
        hops.append(self.source)
        hops.reverse()
        return ImpactEntry(graph._nodes[index], self._depth[index], tuple(hops))


class ProductGraph:
    """Products and interfaces with provides/consumes/part-of edges, and queries over them."""

    def __init__(self) -> None:
        self._slugs: list[str] = []
        self._pidx: dict[str, int] = {}
        self._nodes: list[ProductNode] = []
        self._refs: list[str] = []
        self._iidx: dict[str, int] = {}
        self._interfaces: list[InterfaceNode | None] = []  # None: consumed but undeclared
        self._provider: list[int] = []  # interface -> product, NO_PRODUCT if unknown
        self._provides: list[list[int]] = []  # product -> interfaces
        self._consumes: list[list[int]] = []  # product -> interfaces
        self._consumers: list[list[int]] = []  # interface -> products
        self._down: list[list[int]] = []  # product -> distinct consumer products, by id
        self._parent_of: dict[str, str] = {}
        self._reach: dict[str, Reach] | None = None
        # Owners as ids (by name), for counting at a hub without touching the nodes: the
        # owner of each product with exactly one, else SEVERAL_OWNERS and `_owners_of[p]`.
        self._owner_names: list[str] = []
        self._owner_of: list[int] = []
        self._owners_of: dict[int, tuple[int, ...]] = {}

    # -- building ---------------------------------------------------------------------------

    @classmethod
    def from_edges(
        cls,
        products: Iterable[ProductNode],
        interfaces: Iterable[InterfaceNode],
        consumes: Iterable[tuple[str, str]],
        part_of: Iterable[tuple[str, str]] = (),
    ) -> ProductGraph:
        """Build from plain data; consumes edges are `(consumer_slug, "product/name")`.

        Raises ValueError when an interface or a consumes edge names a product not given:
        the caller decides what is in the picture, the graph does not invent products.
        """
        graph = cls()
        nodes = sorted({node.slug: node for node in products}.values(), key=lambda n: n.slug)
        graph._nodes = nodes
        graph._slugs = [node.slug for node in nodes]
        graph._pidx = {slug: i for i, slug in enumerate(graph._slugs)}
        graph._provides = [[] for _ in nodes]
        graph._consumes = [[] for _ in nodes]
        graph._owner_names = sorted({owner for node in nodes for owner in node.owners})
        owner_id = {owner: i for i, owner in enumerate(graph._owner_names)}
        for p, node in enumerate(nodes):
            if len(node.owners) == 1:
                graph._owner_of.append(owner_id[node.owners[0]])
            else:
                graph._owner_of.append(SEVERAL_OWNERS)
                graph._owners_of[p] = tuple(owner_id[owner] for owner in node.owners)
        for interface in sorted(interfaces, key=lambda i: i.ref):
            provider = graph._pidx.get(interface.product)
            if provider is None:
                raise ValueError(f"interface {interface.ref} belongs to unknown product")
            if interface.ref in graph._iidx:
                continue
            index = graph._add_interface(interface.ref, interface, provider)
            graph._provides[provider].append(index)
        for consumer, ref in sorted(set(consumes)):
            c = graph._pidx.get(consumer)
            if c is None:
                raise ValueError(f"consumes edge from unknown product {consumer}")
            known = graph._iidx.get(ref)
            if known is None:
                owner = graph._pidx.get(ref.split("/", 1)[0], NO_PRODUCT)
                known = graph._add_interface(ref, None, owner)
            graph._consumes[c].append(known)
            graph._consumers[known].append(c)
        graph._down = [
            sorted({c for i in graph._provides[p] for c in graph._consumers[i] if c != p})
            for p in range(len(nodes))
        ]
        for child, parent in part_of:
            if child in graph._pidx and parent in graph._pidx and child != parent:
                graph._parent_of[child] = parent
        return graph

    @classmethod
    def from_documents(cls, documents: Iterable[ProductDoc]) -> ProductGraph:
        """Build from parsed product descriptors (as `productize check` has them)."""
        products: list[ProductNode] = []
        interfaces: list[InterfaceNode] = []
        consumes: list[tuple[str, str]] = []
        part_of: list[tuple[str, str]] = []
        for doc in documents:
            products.append(
                ProductNode(doc.id, doc.name, str(doc.stage), tuple(doc.owners), doc.loop)
            )
            for provided in doc.interfaces.provides:
                ref = f"{doc.id}/{provided.name}"
                interfaces.append(InterfaceNode(ref, str(provided.kind), str(provided.stability)))
            consumes.extend((doc.id, used.interface) for used in doc.interfaces.consumes)
            if doc.part_of:
                part_of.append((doc.id, doc.part_of))
        return cls.from_edges(products, interfaces, consumes, part_of)

    def _add_interface(self, ref: str, node: InterfaceNode | None, provider: int) -> int:
        index = len(self._refs)
        self._refs.append(ref)
        self._iidx[ref] = index
        self._interfaces.append(node)
        self._provider.append(provider)
        self._consumers.append([])
        return index

    # -- lookups ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, slug: object) -> bool:
        return slug in self._pidx

    def products(self) -> Iterator[ProductNode]:
        """Every product, by slug."""
        return iter(self._nodes)

    def product(self, slug: str) -> ProductNode:
        """The product `slug`."""
        return self._nodes[self._index(slug)]

    def interface(self, ref: str) -> InterfaceNode | None:
        """The declared interface `ref`; None if it is consumed but nobody declares it."""
        return self._interfaces[self._interface_index(ref)]

    def interfaces(self) -> Iterator[InterfaceNode]:
        """Every declared interface."""
        return (node for node in self._interfaces if node is not None)

    def provided_by(self, slug: str) -> list[str]:
        """The refs of the interfaces a product declares."""
        return [self._refs[i] for i in self._provides[self._index(slug)]]

    def consumed_by(self, slug: str) -> list[str]:
        """The refs a product consumes (declared or not)."""
        return sorted(self._refs[i] for i in self._consumes[self._index(slug)])

    def consumers_of(self, ref: str) -> list[str]:
        """The slugs of the products that consume interface `ref`."""
        return [self._slugs[p] for p in self._consumers[self._interface_index(ref)]]

    def providers(self, slug: str) -> list[str]:
        """The distinct products `slug` depends on (through declared interfaces)."""
        return sorted({self._slugs[q] for q, _ in self.provider_edges(self._index(slug))})

    def dependents(self, slug: str) -> list[str]:
        """The distinct products that consume an interface of `slug`."""
        return [self._slugs[c] for c in self._down[self._index(slug)]]

    def parent_of(self, slug: str) -> str | None:
        """The product `slug` is part of, if any."""
        return self._parent_of.get(slug)

    def parts_of(self, slug: str) -> list[str]:
        """The products that are part of `slug`."""
        return sorted(child for child, parent in self._parent_of.items() if parent == slug)

    def part_of_edges(self) -> list[tuple[str, str]]:
        """Every `(child, parent)` pair."""
        return sorted(self._parent_of.items())

    def _index(self, slug: str) -> int:
        try:
            return self._pidx[slug]
        except KeyError:
            raise UnknownNodeError(slug) from None

    def _interface_index(self, ref: str) -> int:
        try:
            return self._iidx[ref]
        except KeyError:
            raise UnknownNodeError(ref) from None

    def _joins(self, interface: int) -> bool:
        """Whether consuming this interface makes a product-to-product edge."""
        return self._interfaces[interface] is not None

    def provider_edges(self, p: int) -> Iterator[tuple[int, int]]:
        """`(provider, interface)` for every product `p` depends on (ids, not slugs)."""
        for i in self._consumes[p]:
            provider = self._provider[i]
            if provider != p and self._interfaces[i] is not None:
                yield provider, i

    def consumer_edges(self, p: int) -> Iterator[tuple[int, int]]:
        """`(consumer, interface)` for every product that depends on `p` (ids, not slugs)."""
        for i in self._provides[p]:
            for consumer in self._consumers[i]:
                if consumer != p:
                    yield consumer, i

    # -- queries ----------------------------------------------------------------------------

    def neighbours(self, slug: str, depth: int = 1, direction: Direction = "both") -> Neighbourhood:
        """Providers and/or consumers of `slug` up to `depth` hops, with the joining links."""
        if depth < 0:
            raise ValueError("depth must be >= 0")
        center = self._index(slug)
        links: list[Link] = []
        upstream: dict[str, int] = {}
        downstream: dict[str, int] = {}
        if direction in ("upstream", "both"):
            upstream = self._walk(center, depth, upstream=True, links=links)
        if direction in ("downstream", "both"):
            downstream = self._walk(center, depth, upstream=False, links=links)
        return Neighbourhood(slug, depth, upstream, downstream, tuple(links))

    def _walk(self, start: int, depth: int, *, upstream: bool, links: list[Link]) -> dict[str, int]:
        """Breadth-first walk one way; records each link from one layer to the next."""
        names, refs = self._slugs, self._refs
        seen = {start: 0}
        frontier = [start]
        for level in range(1, depth + 1):
            following: list[int] = []
            for p in frontier:
                edges = self.provider_edges(p) if upstream else self.consumer_edges(p)
                for other, i in edges:
                    known = seen.get(other)
                    if known is None:
                        seen[other] = level
                        following.append(other)
                    elif known != level:
                        continue  # an edge back to an earlier layer: not part of this picture
                    if upstream:
                        links.append(Link(names[p], refs[i], names[other]))
                    else:
                        links.append(Link(names[other], refs[i], names[p]))
            frontier = following
        del seen[start]
        return {names[p]: level for p, level in seen.items()}

    def neighbourhood_sample(
        self,
        slug: str,
        depth: int = 1,
        direction: Direction = "both",
        limit: int = 12,
        names: int = 20,
    ) -> NeighbourhoodSample:
        """The neighbourhood as a picture needs it, without materialising every link.

        Same columns, members and links as `neighbours` (a link joins a member of one layer
        to a member of the next), but walked over integer ids: every column is counted
        exactly and ranked by its members' links within the picture, then at most `limit`
        members are named (`limit - 1` and a "+N more" when the column is larger), and only
        the links between two named members are built one by one; links with a hidden end
        are counted per named end and interface, links between hidden ends per column.
        """
        if depth < 0:
            raise ValueError("depth must be >= 0")
        limit = max(limit, 1)
        center = self._index(slug)
        columns = {0: SampleColumn(0, 1, (slug,))}
        links: list[SampleLink] = []
        hidden_links: dict[int, int] = {}
        for upstream in (True, False):
            if direction == ("downstream" if upstream else "upstream"):
                continue
            self._sample_side(center, depth, upstream, limit, names, columns, links, hidden_links)
        return NeighbourhoodSample(slug, depth, columns, tuple(links), hidden_links)

    def _sample_side(
        self,
        center: int,
        depth: int,
        upstream: bool,
        limit: int,
        names: int,
        columns: dict[int, SampleColumn],
        links: list[SampleLink],
        hidden_links: dict[int, int],
    ) -> None:
        """One side of `neighbourhood_sample`: count, rank, then build the named links."""
        provides, consumes, consumers = self._provides, self._consumes, self._consumers
        provider_of, declared = self._provider, self._interfaces
        count = len(self._nodes)
        level_of = [-1] * count
        level_of[center] = 0
        degree = [0] * count  # links within the picture, per member of this side
        layers: list[list[int]] = [[center]]
        per_layer: list[int] = []  # links from layer k to layer k + 1
        frontier = [center]
        for level in range(1, depth + 1):
            following: list[int] = []
            for p in frontier:
                d = 0  # p's links outwards
                if upstream:
                    for i in consumes[p]:
                        other = provider_of[i]
                        if other == p or declared[i] is None:
                            continue
                        known = level_of[other]
                        if known < 0:
                            level_of[other] = level
                            following.append(other)
                        elif known != level:
                            continue
                        degree[other] += 1
                        d += 1
                else:
                    for i in provides[p]:
                        for other in consumers[i]:
                            if other == p:
                                continue
                            known = level_of[other]
                            if known < 0:
                                level_of[other] = level
                                following.append(other)
                            elif known != level:
                                continue
                            degree[other] += 1
                            d += 1
                degree[p] += d
            if not following:
                break
            layers.append(following)
            # So far the new layer's degrees count only its links inwards.
            per_layer.append(sum([degree[o] for o in following]))
            frontier = following

        slugs, refs = self._slugs, self._refs
        sign = -1 if upstream else 1
        shown_at = {center}  # the named members of this side (a few per column)
        for level in range(1, len(layers)):
            members = layers[level]
            if len(members) <= limit:
                shown = sorted(members, key=lambda p: (-degree[p], p))
            else:
                # Ids follow slug order: one integer key gives "most links, then slug".
                keys = [p - degree[p] * count for p in members]
                shown = [key % count for key in heapq.nsmallest(limit - 1, keys)]
            for p in shown:
                shown_at.add(p)
            first = [p for p in heapq.nsmallest(names + len(shown), members) if p not in shown_at]
            columns[sign * level] = SampleColumn(
                sign * level,
                len(members),
                tuple(slugs[p] for p in shown),
                tuple(slugs[p] for p in first[:names]),
            )

        for level in range(len(layers) - 1):
            inner, outer = layers[level], layers[level + 1]
            column = -(level + 1) if upstream else level  # the providers' column
            both: list[tuple[int, int, int]] = []  # (provider, interface, consumer), both shown
            # A hidden end is grouped: (shown member, interface) -> how many links.
            to_hidden: dict[tuple[int, int], int] = {}  # (shown provider, interface)
            from_hidden: dict[tuple[int, int], int] = {}  # (shown consumer, interface)
            # Inner members' links outwards, then outer members' links inwards (to hidden).
            for p in inner:
                if p not in shown_at:
                    continue
                if upstream:  # p consumes from outer providers
                    for i in consumes[p]:
                        q = provider_of[i]
                        if q != p and declared[i] is not None and level_of[q] == level + 1:
                            if q in shown_at:
                                both.append((q, i, p))
                            else:
                                from_hidden[(p, i)] = from_hidden.get((p, i), 0) + 1
                else:  # p provides to outer consumers
                    for i in provides[p]:
                        for c in consumers[i]:
                            if c != p and level_of[c] == level + 1:
                                if c in shown_at:
                                    both.append((p, i, c))
                                else:
                                    to_hidden[(p, i)] = to_hidden.get((p, i), 0) + 1
            for o in outer:
                if o not in shown_at:
                    continue
                if upstream:  # o provides to inner consumers
                    for i in provides[o]:
                        for c in consumers[i]:
                            if c != o and level_of[c] == level and c not in shown_at:
                                to_hidden[(o, i)] = to_hidden.get((o, i), 0) + 1
                else:  # o consumes from inner providers
                    for i in consumes[o]:
                        q = provider_of[i]
                        if (
                            q != o
                            and declared[i] is not None
                            and level_of[q] == level
                            and q not in shown_at
                        ):
                            from_hidden[(o, i)] = from_hidden.get((o, i), 0) + 1
            links.extend(SampleLink(slugs[q], refs[i], slugs[c], column) for q, i, c in both)
            links.extend(
                SampleLink(slugs[q], refs[i], None, column, n) for (q, i), n in to_hidden.items()
            )
            links.extend(
                SampleLink(None, refs[i], slugs[c], column, n) for (c, i), n in from_hidden.items()
            )
            touching = len(both) + sum(to_hidden.values()) + sum(from_hidden.values())
            hidden_links[column] = per_layer[level] - touching

    def impact(self, target: str) -> Impact:
        """Who depends on `target`: a product slug, or an interface ref `product/name`."""
        if "/" in target:
            return self.impact_of_interface(target)
        return self.impact_of_product(target)

    def impact_of_interface(self, ref: str) -> Impact:
        """Every product that consumes `ref`, directly or through other products."""
        index = self._interface_index(ref)
        provider = self._provider[index]
        starts = [c for c in self._consumers[index] if c != provider]
        return self._impact(Hop("interface", ref), starts, exclude=provider)

    def impact_of_product(self, slug: str) -> Impact:
        """Every product that consumes an interface of `slug`, directly or transitively."""
        p = self._index(slug)
        return self._impact(Hop("product", slug), self._down[p], exclude=p)

    def _impact(self, source: Hop, starts: list[int], exclude: int) -> Impact:
        down = self._down
        count = len(self._nodes)
        # Flat per-product lists beat dicts here: the hub benchmark visits ~300,000 edges.
        depth = [-1] * count
        via = [NO_PRODUCT] * count
        if exclude != NO_PRODUCT:
            depth[exclude] = 0  # never reported as depending on itself
        frontier: list[int] = []
        for c in starts:
            if depth[c] < 0:
                depth[c] = 1
                frontier.append(c)
        levels: list[list[int]] = []
        level = 1
        while frontier:
            levels.append(frontier)
            level += 1
            following = []
            for p in frontier:
                for c in down[p]:
                    if depth[c] < 0:
                        depth[c] = level
                        via[c] = p
                        following.append(c)
            frontier = following
        return Impact(self, source, levels, depth, via)

    def _joining(self, consumer: int, provider: int) -> int:
        """The first interface (by ref) of `provider` that `consumer` uses."""
        refs = self._refs
        candidates = [
            i
            for i in self._consumes[consumer]
            if self._provider[i] == provider and self._interfaces[i] is not None
        ]
        return min(candidates, key=lambda i: refs[i])

    def deprecated_consumers(self) -> list[DanglingEdge]:
        """Consumes edges that point at a deprecated interface."""
        result: list[DanglingEdge] = []
        for i, node in enumerate(self._interfaces):
            if node is not None and node.stability == "deprecated":
                provider = self._slugs[self._provider[i]]
                result.extend(
                    DanglingEdge(self._slugs[c], node.ref, provider)
                    for c in self._consumers[i]
                    if self._slugs[c] != provider
                )
        return sorted(result, key=lambda e: (e.interface, e.consumer))

    def undeclared_consumes(self) -> list[DanglingEdge]:
        """Consumes edges that point at an interface nobody declares."""
        result: list[DanglingEdge] = []
        for i, node in enumerate(self._interfaces):
            if node is None:
                provider = self._provider[i]
                owner = self._slugs[provider] if provider != NO_PRODUCT else None
                result.extend(
                    DanglingEdge(self._slugs[c], self._refs[i], owner) for c in self._consumers[i]
                )
        return sorted(result, key=lambda e: (e.consumer, e.interface))

    # -- whole-catalog analyses (in `analysis`, reachable from here for convenience) --------

    def cycles(self) -> list[Cycle]:
        """Groups of products that depend on each other, each with a readable cycle path."""
        from productize.domain.graph import analysis

        return analysis.cycles(self)

    def reach(self) -> dict[str, Reach]:
        """Direct and transitive consumer counts of every product (computed once)."""
        if self._reach is None:
            from productize.domain.graph import analysis

            self._reach = analysis.reach(self)
        return self._reach

    def reach_of(self, slug: str) -> Reach:
        """Direct and transitive consumer counts of one product (one walk, no whole-graph pass)."""
        return Reach(slug, len(self._down[self._index(slug)]), self.impact_of_product(slug).count)

    def hubs(
        self, top: int = 10, by: Literal["transitive", "direct"] = "transitive"
    ) -> list[Reach]:
        """The products most others build on."""
        from productize.domain.graph import analysis

        return analysis.hubs(self, top, by)

    def outliers(self, k: float = 3.0, minimum: int = 5) -> list[Outlier]:
        """Products with unusually high fan-in or fan-out (see `analysis.outliers`)."""
        from productize.domain.graph import analysis

        return analysis.outliers(self, k, minimum)
