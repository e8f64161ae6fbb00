"""The product graph: who depends on whom, how far a change reaches, where the hubs are."""

from productize.domain.graph.analysis import cycles, direct_counts, hubs, outliers, reach
from productize.domain.graph.core import Impact, ProductGraph
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

__all__ = [
    "Cycle",
    "DanglingEdge",
    "Direction",
    "Hop",
    "Impact",
    "ImpactEntry",
    "InterfaceNode",
    "Link",
    "Neighbourhood",
    "NeighbourhoodSample",
    "Outlier",
    "ProductGraph",
    "ProductNode",
    "Reach",
    "SampleColumn",
    "SampleLink",
    "UnknownNodeError",
    "cycles",
    "direct_counts",
    "hubs",
    "outliers",
    "reach",
]
