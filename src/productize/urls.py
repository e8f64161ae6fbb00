"""URL routes: the web UI at /, the JSON API under /api/v1/, health and the admin."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

from productize.accounts import views as accounts_views
from productize.api.urls import urlpatterns as api_urlpatterns


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness probe: the process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("productize.accounts.urls")),
    path("me/", accounts_views.me, name="me"),
    path("audit/", include("productize.audit.urls")),
    *api_urlpatterns,
    path("", include("productize.web.urls")),
]

# Errors outside a view's control (unknown URL, a crash): pages in the site's style, or the
# API's JSON error shape under /api/.
handler400 = "productize.web.views.errors.bad_request"
handler403 = "productize.web.views.errors.permission_denied"
handler404 = "productize.web.views.errors.page_not_found"
handler500 = "productize.web.views.errors.server_error"
