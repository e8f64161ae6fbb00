"""Plain-data nodes and results of the product graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["upstream", "downstream", "both"]
HopKind = Literal["product", "interface"]


class UnknownNodeError(KeyError):
    """Raised when a query names a product or interface the graph does not hold."""


@dataclass(frozen=True, slots=True)
class ProductNode:
    """A product as the graph sees it: identity, stage, owners and loop."""

    slug: str
    name: str = ""
    stage: str = "idea"
    owners: tuple[str, ...] = ()
    loop: str | None = None

    @property
    def label(self) -> str:
        """The name to show people (the slug when the name is empty)."""
        return self.name or self.slug


@dataclass(frozen=True, slots=True)
class InterfaceNode:
    """An interface a product declares; `ref` is `product/name`."""

    ref: str
    kind: str = "api"
    stability: str = "experimental"

    @property
    def product(self) -> str:
        """The slug of the providing product."""
        return self.ref.split("/", 1)[0]

    @property
    def name(self) -> str:
        """The interface name within its product."""
        return self.ref.split("/", 1)[-1]


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of a path: a product or an interface."""

    kind: HopKind
    id: str

    def __str__(self) -> str:
        return self.id if self.kind == "product" else f"[{self.id}]"


@dataclass(frozen=True, slots=True)
class Link:
    """A consumes edge seen at product level: `consumer` uses `interface` of `provider`."""

    consumer: str
    interface: str
    provider: str


@dataclass(frozen=True, slots=True)
class ImpactEntry:
    """A product that depends on the changed node, with one shortest path to it."""

    product: ProductNode
    depth: int
    path: tuple[Hop, ...]

    @property
    def slug(self) -> str:
        """The dependent product's slug."""
        return self.product.slug

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "slug": self.product.slug,
            "name": self.product.label,
            "stage": self.product.stage,
            "owners": list(self.product.owners),
            "depth": self.depth,
            "path": [{"kind": hop.kind, "id": hop.id} for hop in self.path],
        }


@dataclass(frozen=True, slots=True)
class Neighbourhood:
    """Products around a centre: providers (upstream) and consumers (downstream) by depth."""

    center: str
    depth: int
    upstream: dict[str, int]
    downstream: dict[str, int]
    links: tuple[Link, ...]

    @property
    def slugs(self) -> set[str]:
        """Every product in the neighbourhood, the centre included."""
        return {self.center, *self.upstream, *self.downstream}


@dataclass(frozen=True, slots=True)
class SampleColumn:
    """One column of a neighbourhood sample: every member counted, only the best few named.

    `column` is negative for providers (`-depth`), positive for consumers, 0 for the centre.
    `shown` are the best connected members (most links within the picture, then slug);
    `hidden_first` the first hidden members by slug (for a tooltip).
    """

    column: int
    total: int
    shown: tuple[str, ...]
    hidden_first: tuple[str, ...] = ()

    @property
    def hidden(self) -> int:
        """How many members the column does not show."""
        return self.total - len(self.shown)


@dataclass(frozen=True, slots=True)
class NeighbourhoodSample:
    """A bounded view of a neighbourhood for pictures: exact counts, a few named members.

    `links` hold every link with at least one shown end, those with a hidden end grouped by
    shown end and interface (see `SampleLink`); `hidden_links` counts, per provider column,
    the links between two hidden members.
    """

    center: str
    depth: int
    columns: dict[int, SampleColumn]
    links: tuple[SampleLink, ...]
    hidden_links: dict[int, int]


@dataclass(frozen=True, slots=True)
class SampleLink:
    """`count` links through `interface` from a provider in `column` to consumers in
    `column + 1`; `provider` or `consumer` is None when it stands for hidden members."""

    provider: str | None
    interface: str
    consumer: str | None
    column: int
    count: int = 1


@dataclass(frozen=True, slots=True)
class Reach:
    """How many products build on a product: directly, and directly or transitively."""

    slug: str
    direct: int
    transitive: int


@dataclass(frozen=True, slots=True)
class Cycle:
    """Products that depend on each other in a circle, with one readable cycle path."""

    products: tuple[str, ...]
    path: tuple[Hop, ...]

    @property
    def text(self) -> str:
        """E.g. `a → b (via b/api) → a (via a/events)`."""
        return self.summary(max_products=None)

    def summary(self, max_products: int | None = 8) -> str:
        """The cycle as text, eliding the middle of very long cycles (`… 40 more …`)."""
        parts = [self.path[0].id] if self.path else []
        via = ""
        for hop in self.path[1:]:
            if hop.kind == "interface":
                via = hop.id
            else:
                parts.append(f"{hop.id} (via {via})")
        if max_products is not None and len(parts) > max_products + 1:
            keep = max(max_products // 2, 1)
            hidden = len(parts) - 2 * keep
            parts = [*parts[:keep], f"… {hidden} more …", *parts[-keep:]]
        return " → ".join(parts)


@dataclass(frozen=True, slots=True)
class Outlier:
    """A product whose fan-in or fan-out is far above the organisation's usual."""

    slug: str
    measure: Literal["fan-in", "fan-out"]
    value: int
    threshold: float


@dataclass(frozen=True, slots=True)
class DanglingEdge:
    """A consumes edge: to a deprecated interface, or to one nobody declares."""

    consumer: str
    interface: str
    provider: str | None = None
