"""Read-only queries over the catalog and its ingest records, for the web UI and the API.

Everything here reads; writes go through services (ARCHITECTURE rule 1). Lists are paged on the
server, and each selector says how many queries it makes so that pages stay free of N+1.
"""

from productize.catalog.selectors.facets import Facet, FacetOption, product_facets
from productize.catalog.selectors.filters import (
    ALIGNMENTS,
    FACETS,
    INTERFACE_KINDS,
    NONE,
    STAGES,
    FilterError,
    ProductFilters,
)
from productize.catalog.selectors.ingest import (
    ProblemSummary,
    problem_page,
    recent_problems,
    run_get,
    run_page,
    source_by_name,
    source_get,
    source_page,
)
from productize.catalog.selectors.organization import (
    LoopDetail,
    LoopNode,
    PersonDetail,
    TeamDetail,
    TeamProducts,
    loop_detail,
    loop_tree,
    organization,
    person_detail,
    person_page,
    team_detail,
    team_page,
)
from productize.catalog.selectors.paging import Page, PageRequest
from productize.catalog.selectors.products import (
    ProductDetail,
    ProvidedInterface,
    interface_consumers,
    interface_get,
    interface_page,
    product_count,
    product_detail,
    product_get,
    product_page,
)
from productize.catalog.selectors.stats import (
    CatalogTotals,
    StageCount,
    catalog_totals,
    catalog_version,
    products_by_stage,
)

__all__ = [
    "ALIGNMENTS",
    "FACETS",
    "INTERFACE_KINDS",
    "NONE",
    "STAGES",
    "CatalogTotals",
    "Facet",
    "FacetOption",
    "FilterError",
    "LoopDetail",
    "LoopNode",
    "Page",
    "PageRequest",
    "PersonDetail",
    "ProblemSummary",
    "ProductDetail",
    "ProductFilters",
    "ProvidedInterface",
    "StageCount",
    "TeamDetail",
    "TeamProducts",
    "catalog_totals",
    "catalog_version",
    "interface_consumers",
    "interface_get",
    "interface_page",
    "loop_detail",
    "loop_tree",
    "organization",
    "person_detail",
    "person_page",
    "problem_page",
    "product_count",
    "product_detail",
    "product_facets",
    "product_get",
    "product_page",
    "products_by_stage",
    "recent_problems",
    "run_get",
    "run_page",
    "source_by_name",
    "source_get",
    "source_page",
    "team_detail",
    "team_page",
]
