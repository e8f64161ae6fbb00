"""The product page: everything about one product, and why its latest change may be missing."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET

from productize.catalog.selectors import product_detail
from productize.catalog.selectors.one_product import ConsumerRow
from productize.web.links import external_url
from productize.web.page_cache import cached_page
from productize.web.templatetags.web_tags import product_url


@require_GET
@cached_page
def product(request: HttpRequest, slug: str) -> HttpResponse:
    """One product (its detail in 6 to 9 queries, whatever its number of consumers)."""
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
        # Each interface with its consumers' links written here: a template loop over up to
        # 25 consumers per interface was a good part of the page's rendering time.
        "provides": [(item, _consumer_links(item.consumers)) for item in detail.provides],
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
        "has_errors": detail.has_errors,
    }
    return render(request, "web/product.html", context)


def _consumer_links(consumers: list[ConsumerRow]) -> SafeString:
    """`<li>` links to the consuming products, each titled with what it uses the interface for."""
    return format_html_join(
        "",
        '<li><a href="{}"{}>{}</a></li>',
        (
            (
                product_url(c.consumer.slug),
                format_html(' title="{}"', c.why) if c.why else "",
                c.consumer.name,
            )
            for c in consumers
        ),
    )


@require_GET
def products_index(request: HttpRequest) -> HttpResponse:
    """/products/ is the catalog."""
    return redirect("web:catalog", permanent=False)
