"""The audit trail pages: the organisation-wide log, its JSON Lines export, one object's history."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from productize.accounts.middleware import request_id
from productize.accounts.permissions import AUDIT_READ
from productize.audit.models import ActorKind
from productize.audit.selectors import (
    AuditFilters,
    change_page,
    diff,
    export_lines,
    object_types,
)
from productize.audit.services import Actor
from productize.web.views.common import page_request, pagination

PER_PAGE = 50


def _require_read(request: HttpRequest) -> None:
    if not Actor.for_user(request.user, request_id=request_id(request)).can(AUDIT_READ):
        raise PermissionDenied("sign in to read the audit log")


def _day(value: str, *, end: bool = False) -> datetime | None:
    parsed = parse_date(value) if value else None
    if parsed is None:
        return None
    moment = timezone.make_aware(datetime.combine(parsed, time.min))
    return moment + timedelta(days=1) if end else moment


def _filters(request: HttpRequest) -> tuple[AuditFilters, list[tuple[str, str]]]:
    get = request.GET
    kind = get.get("actor_kind", "")
    filters = AuditFilters(
        actor=get.get("actor", "").strip(),
        actor_kind=kind if kind in ActorKind.values else "",
        object_type=get.get("object_type", "").strip(),
        since=_day(get.get("since", "")),
        until=_day(get.get("until", ""), end=True),
    )
    names = ("actor", "actor_kind", "object_type", "since", "until")
    params = [(name, get[name]) for name in names if get.get(name)]
    return filters, params


@require_GET
def log(request: HttpRequest) -> HttpResponse:
    """Every change in the organisation, newest first, filterable and paged."""
    _require_read(request)
    filters, params = _filters(request)
    page = change_page(filters, page_request(request, size=PER_PAGE))
    rows = [(record, diff(record.before, record.after)) for record in page.items]
    context = {
        "page": page,
        "rows": rows,
        "params": dict(params),
        "object_types": object_types(),
        "actor_kinds": ActorKind.choices,
        "pagination": pagination(page, reverse("audit:log"), params),
        "export_query": urlencode(params),
    }
    return render(request, "audit/log.html", context)


@require_GET
def export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as JSON Lines, one change per line."""
    _require_read(request)
    filters, _ = _filters(request)
    response = StreamingHttpResponse(export_lines(filters), content_type="application/jsonl")
    response["Content-Disposition"] = 'attachment; filename="productize-audit.jsonl"'
    return response


@require_GET
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """One object's changes as readable before/after diffs, newest first."""
    _require_read(request)
    filters = AuditFilters(object_type=object_type, object_id=object_id)
    page = change_page(filters, page_request(request, size=PER_PAGE))
    rows = [(record, diff(record.before, record.after)) for record in page.items]
    path = reverse("audit:history", args=[object_type, object_id])
    context = {
        "page": page,
        "rows": rows,
        "object_type": object_type,
        "object_id": object_id,
        "pagination": pagination(page, path, []),
    }
    return render(request, "audit/history.html", context)
