"""The audit log over the API: who changed what, when, filtered and paged."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from productize.accounts.permissions import AUDIT_READ
from productize.api.auth import actor_for
from productize.api.errors import ERRORS, ApiError, ErrorResponse
from productize.api.params import Paging, strict_query
from productize.api.schemas import page_meta
from productize.audit.selectors import AuditFilters, change_page, record_json

router = Router(tags=["audit"])


class ChangeOut(Schema):
    """One change: who, when, what, from what to what, and why."""

    id: int
    at: str = Field(description="ISO 8601 time of the change.")
    actor_kind: str = Field(description="`user`, `token`, `ingest` or `system`.")
    actor: str = Field(description="Username, token name or ingest run.")
    request_id: str
    action: str = Field(description="`create`, `update` or `delete`.")
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    reason: str


class ChangePage(Schema):
    """A page of changes, newest first."""

    items: list[ChangeOut]
    total: int
    page: int
    page_size: int
    pages: int


class AuditFilterParams(Schema):
    """Narrowing the log."""

    actor: str = Field("", description="Only changes by this actor (username, token name...).")
    actor_kind: str = Field("", description="`user`, `token`, `ingest` or `system`.")
    object_type: str = Field("", description="Only this kind of object, e.g. `product`.")
    object_id: str = Field("", description="Only this object (with `object_type`).")
    since: datetime | None = Field(None, description="From this time (ISO 8601), inclusive.")
    until: datetime | None = Field(None, description="Before this time (ISO 8601).")


@router.get(
    "/audit",
    response={200: ChangePage, 403: ErrorResponse, **ERRORS},
    url_name="audit",
    summary="List changes (the audit log)",
)
@strict_query(AuditFilterParams, Paging)
def list_changes(
    request: HttpRequest, filters: Query[AuditFilterParams], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of change records, newest first, filtered by actor, object and time."""
    if not actor_for(request).can(AUDIT_READ):
        raise ApiError(403, "forbidden", "you may not read the audit log")
    page = change_page(AuditFilters(**filters.dict()), paging.page_request())
    return {"items": [record_json(r) for r in page.items], **page_meta(page)}
