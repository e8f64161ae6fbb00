"""The product page: everything about one product, and why its latest change may be missing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from productize.catalog.selectors import product_detail
from productize.web.links import external_url
from productize.web.page_cache import cached_page


@require_GET
@cached_page
def product(request: HttpRequest, slug: str) -> HttpResponse:
    """One product (eight queries, whatever its number of consumers)."""
    detail = product_detail(slug)
    if detail is None:
        raise Http404(f"No product with the id `{slug}`.")
    p = detail.product
    links = dict(p.links or {})
    feedback = [
        {
            "name": str(channel.get("name") or ""),
            "url": str(channel.get("url") or ""),
            "href": external_url(channel.get("url")),
            "label": str(channel.get("kind") or "feedback").replace("-", " "),
        }
        for channel in links.pop("feedback", []) or []
        if isinstance(channel, dict)
    ]
    link_rows = [
        (label, value, external_url(value))
        for key, label in (
            ("repository", "Repository"),
            ("docs", "Documentation"),
            ("website", "Website"),
            ("community", "Community"),
            ("chat", "Chat"),
        )
        if (value := links.get(key))
    ]
    context = {
        "detail": detail,
        "product": p,
        "link_rows": link_rows,
        "feedback": feedback,
        "brand": p.brand or {},
        "resourcing": [
            (label, (p.resourcing or {}).get(key))
            for key, label in (
                ("infrastructure", "Infrastructure"),
                ("cost", "Cost"),
                ("maintenance", "Maintenance"),
            )
            if (p.resourcing or {}).get(key)
        ],
        "steady_state": p.steady_state or {},
        "handover_url": external_url((p.steady_state or {}).get("handover_guide")),
        "annotations": sorted((p.annotations or {}).items()),
        "interface_count": len(detail.provides) + len(detail.consumes),
        "has_errors": any(problem.severity == "error" for problem in detail.problems),
    }
    return render(request, "web/product.html", context)


@require_GET
def products_index(request: HttpRequest) -> HttpResponse:
    """/products/ is the catalog."""
    return redirect("web:catalog", permanent=False)
