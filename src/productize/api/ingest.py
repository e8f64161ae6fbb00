"""Ingest sources, their runs and the problems found; the push webhook that refreshes a source."""

import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from productize.api.errors import ERRORS, ERRORS_404, ApiError, ErrorResponse, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import (
    ProblemPage,
    RefreshOut,
    RunOut,
    RunPage,
    SourceOut,
    SourcePage,
    page_meta,
    problem_out,
    run_out,
    source_brief,
    source_out,
)
from productize.catalog import selectors
from productize.ingest import services as ingest_services

router = Router(tags=["ingest"])

SECRET_HEADER = "X-Productize-Secret"  # noqa: S105 (a header name, not a secret)
SIGNATURE_HEADER = "X-Hub-Signature-256"


def _source(source_id: int) -> Any:
    source = selectors.source_get(source_id)
    if source is None:
        raise not_found("source", source_id)
    return source


@router.get(
    "/sources", response={200: SourcePage, **ERRORS}, url_name="sources", summary="List sources"
)
@strict_query(Paging)
def list_sources(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """A page of ingest sources by name, each with its current problems and last run."""
    page = selectors.source_page(paging.page_request())
    items = [source_out(s, getattr(s, "last_run", None)) for s in page.items]
    return {"items": items, **page_meta(page)}


@router.get(
    "/sources/{source_id}",
    response={200: SourceOut, **ERRORS_404},
    url_name="source",
    summary="Get a source",
)
@strict_query()
def get_source(request: HttpRequest, source_id: int) -> dict[str, Any]:
    """One source: where it reads from, its schedule, problems and last run."""
    source = _source(source_id)
    last = selectors.run_page(selectors.PageRequest(1, 1), source=source).items
    return source_out(source, last[0] if last else None)


@router.get(
    "/sources/{source_id}/problems",
    response={200: ProblemPage, **ERRORS_404},
    url_name="source-problems",
    summary="List a source's current problems",
)
@strict_query(Paging)
def list_source_problems(
    request: HttpRequest, source_id: int, paging: Query[Paging]
) -> dict[str, Any]:
    """A page of the problems currently standing in the source's files, by file and line."""
    source = _source(source_id)
    page = selectors.problem_page(paging.page_request(), source=source)
    return {"items": [problem_out(p) for p in page.items], **page_meta(page)}


def _signature_valid(body: bytes, signature: str) -> bool:
    """A GitHub-style `sha256=<hex>` HMAC of the body, keyed with PRODUCTIZE_WEBHOOK_SECRET."""
    shared = str(getattr(settings, "WEBHOOK_SECRET", "") or "")
    if not shared or not signature.startswith("sha256="):
        return False
    expected = hmac.new(shared.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.removeprefix("sha256="))


@router.post(
    "/sources/{source_id}/refresh",
    response={
        202: RefreshOut,
        401: ErrorResponse,
        404: ErrorResponse,
        409: ErrorResponse,
        **ERRORS,
    },
    url_name="source-refresh",
    summary="Refresh a source (push webhook)",
)
@strict_query()
def refresh_source(request: HttpRequest, source_id: int) -> Status[dict[str, Any]]:
    """Ask the worker to re-read a source soon: what a git host's push webhook calls.

    Authenticate with the source's webhook secret in the `X-Productize-Secret` header, or
    with a GitHub-style `X-Hub-Signature-256: sha256=<HMAC of the body>` keyed with the
    server-wide secret (PRODUCTIZE_WEBHOOK_SECRET; a per-source secret is stored only as a
    hash, so it cannot check an HMAC). The body is not read otherwise.
    """
    source = _source(source_id)
    secret = request.headers.get(SECRET_HEADER, "")
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if secret:
        valid = ingest_services.webhook_secret_matches(source, secret)
    elif signature:
        valid = _signature_valid(request.body, signature)
        secret = str(getattr(settings, "WEBHOOK_SECRET", "") or "")
    else:
        raise ApiError(
            401,
            "unauthenticated",
            f"send the source's webhook secret in the {SECRET_HEADER} header "
            f"(or a signed {SIGNATURE_HEADER})",
        )
    if not valid:
        raise ApiError(401, "unauthenticated", "the webhook secret or signature does not match")
    if not source.enabled:
        raise ApiError(409, "conflict", f"source `{source.name}` is disabled")
    if not ingest_services.source_refresh_from_webhook(source=source, secret=secret):
        raise ApiError(401, "unauthenticated", "the webhook secret or signature does not match")
    return Status(202, {"status": "queued", "source": source_brief(source)})


class RunFilterParams(Schema):
    """Narrowing the run list."""

    source: int | None = Field(None, description="Only the runs of this source (its id).")


@router.get("/runs", response={200: RunPage, **ERRORS}, url_name="runs", summary="List runs")
@strict_query(RunFilterParams, Paging)
def list_runs(
    request: HttpRequest, filters: Query[RunFilterParams], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of ingest runs, newest first."""
    source = _source(filters.source) if filters.source is not None else None
    page = selectors.run_page(paging.page_request(), source=source)
    return {"items": [run_out(r) for r in page.items], **page_meta(page)}


@router.get(
    "/runs/{run_id}", response={200: RunOut, **ERRORS_404}, url_name="run", summary="Get a run"
)
@strict_query()
def get_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """One run: counts of files and entities, status, and why it failed if it did."""
    run = selectors.run_get(run_id)
    if run is None:
        raise not_found("run", run_id)
    return run_out(run)


@router.get(
    "/runs/{run_id}/problems",
    response={200: ProblemPage, **ERRORS_404},
    url_name="run-problems",
    summary="List a run's problems",
)
@strict_query(Paging)
def list_run_problems(request: HttpRequest, run_id: int, paging: Query[Paging]) -> dict[str, Any]:
    """A page of the problems one run found, by file and position."""
    run = selectors.run_get(run_id)
    if run is None:
        raise not_found("run", run_id)
    page = selectors.problem_page(paging.page_request(), run=run)
    return {"items": [problem_out(p) for p in page.items], **page_meta(page)}


class ProblemFilterParams(Schema):
    """Narrowing the problem list."""

    source: int | None = Field(None, description="Only this source's problems (its id).")
    product: str = Field("", description="Only the problems of this product (its id).")


@router.get(
    "/problems",
    response={200: ProblemPage, **ERRORS},
    url_name="problems",
    summary="List current problems",
)
@strict_query(ProblemFilterParams, Paging)
def list_problems(
    request: HttpRequest, filters: Query[ProblemFilterParams], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of the problems standing in descriptor files now, across all sources."""
    source = _source(filters.source) if filters.source is not None else None
    page = selectors.problem_page(
        paging.page_request(), source=source, product_slug=filters.product
    )
    return {"items": [problem_out(p) for p in page.items], **page_meta(page)}
