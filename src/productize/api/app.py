"""The JSON API, version 1: one Django Ninja application with the routers mounted."""

from __future__ import annotations

from ninja import NinjaAPI

from productize import __version__
from productize.api import (
    assessment,
    audit,
    feedback,
    graph,
    ingest,
    loop_writes,
    organization,
    products,
)
from productize.api.auth import API_AUTH, exempt_own_auth
from productize.api.docs import LocalSwagger
from productize.api.errors import install_handlers

DESCRIPTION = """\
Read the catalog: products (filtered, searched and paged as in the web catalog), their
interfaces, the organisation's loops, teams and people, and the ingest sources and runs that
feed it. A push webhook refreshes a source.

* **Ids.** Products, loops, teams and people are named by the id their descriptor gives them
  (`id: orders`); sources and runs by number.
* **Paging.** Lists return `{items, total, page, page_size, pages}`; ask with `page` (from 1)
  and `page_size` (default 25, at most 200).
* **Errors** share one shape: `{"error": {"code", "message", "field", "details"}}`. Unknown
  query parameters and bad values are errors, never silently ignored.

The guide, with examples: `docs/api.md` in the repository.
"""

api = NinjaAPI(
    title="productize",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs=LocalSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
    openapi_extra={"info": {"x-productize-version": __version__}},
    # A token, the session (CSRF-checked) or, when allowed, anonymous read: see api/auth.py.
    auth=API_AUTH,
)
install_handlers(api)
api.add_router("", products.router)
api.add_router("", organization.router)
exempt_own_auth([ingest.router])  # the push webhook checks its own secret
api.add_router("", ingest.router)
api.add_router("", audit.router)
api.add_router("", graph.router)
api.add_router("", assessment.router)
exempt_own_auth([feedback.router])  # the inbound webhook checks its channel's signature
api.add_router("", feedback.router)
# The loop's reads and writes share api/loop.py's router (loop_writes adds to it and puts
# GET /feedback on feedback.router, where POST /feedback lives).
api.add_router("", loop_writes.router)
