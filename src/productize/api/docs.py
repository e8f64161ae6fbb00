"""Interactive API docs served without a CDN: Swagger UI from the files Django Ninja ships.

Ninja renders its docs page from a CDN unless `ninja` is an installed app; the page here uses
the same Swagger UI files, read from the installed package and served by a small view, so the
docs work offline and under a Content-Security-Policy without third-party origins.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSET_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset(
    {"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-init.js", "favicon.svg", "favicon.png"}
)
ASSET_MAX_AGE = 24 * 3600


class LocalSwagger(DocsBase):
    """Swagger UI with its script and styles served by this application."""

    settings: dict[str, Any] = {
        "layout": "BaseLayout",
        "deepLinking": True,
        "defaultModelsExpandDepth": 0,
        "docExpansion": "list",
        "tryItOutEnabled": True,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        """The docs page: Swagger UI pointed at this API's OpenAPI document."""
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "swagger_settings": settings,
            "css_url": reverse("api-docs-asset", args=["swagger-ui.css"]),
            "bundle_url": reverse("api-docs-asset", args=["swagger-ui-bundle.js"]),
            "init_url": reverse("api-docs-asset", args=["swagger-ui-init.js"]),
            "icon_url": reverse("api-docs-asset", args=["favicon.svg"]),
        }
        return render(request, "api/docs.html", context)


@require_GET
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the Swagger UI files that Django Ninja ships (and nothing else)."""
    if name not in ASSETS:
        raise Http404("no such asset")
    path = ASSET_DIR / name
    if not path.is_file():
        raise Http404("no such asset")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
    return response
