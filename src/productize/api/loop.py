"""The loop, read: channels, feedback, patterns, improvements, roadmaps, my loop, the org view.

Writes are in api/loop_writes.py; both are thin adapters over productize.loop's selectors
and services.
"""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from productize.accounts.selectors import person_for_user
from productize.api import feedback as feedback_api
from productize.api.errors import ERRORS, ERRORS_404, ApiError, not_found
from productize.api.loop_schemas import (
    ChannelOut,
    ChannelPage,
    FeedbackOut,
    FeedbackPage,
    ImprovementDetailOut,
    ImprovementPage,
    LoopOverviewOut,
    LoopSummaryOut,
    MyLoopOut,
    PatternDetailOut,
    PatternPage,
    RoadmapOut,
    channel_out,
    feedback_out,
    improvement_out,
    milestone_out,
    pattern_out,
    roadmap_item_out,
)
from productize.api.params import Paging, strict_query
from productize.api.schemas import page_meta
from productize.catalog.models import Loop, Product
from productize.domain.loop.states import ImprovementStatus, PatternStatus
from productize.loop import selectors
from productize.loop.models import Feedback, FeedbackChannel, Pattern, PatternFeedback

router = Router(tags=["loop"])


def _product(slug: str, field: str = "product") -> Product:
    product = Product.objects.select_related("loop").filter(slug=slug).first()
    if product is None:
        raise ApiError(404, "not_found", f"no product with id `{slug}`", field=field)
    return product


def _loop(slug: str) -> Loop:
    loop = Loop.objects.filter(slug=slug).first()
    if loop is None:
        raise ApiError(404, "not_found", f"no loop with id `{slug}`", field="loop")
    return loop


def _choice(value: str, allowed: list[str], field: str) -> None:
    if value and value not in allowed:
        choices = ", ".join(f"`{a}`" for a in allowed)
        raise ApiError(
            422, "invalid_request", f"{field}: `{value}` is not one of {choices}", field=field
        )


def _pattern_ids(items: list[Feedback]) -> dict[int, list[int]]:
    links: dict[int, list[int]] = defaultdict(list)
    rows = PatternFeedback.objects.filter(feedback_id__in=[f.pk for f in items])
    for feedback_id, pattern_id in rows.values_list("feedback_id", "pattern_id"):
        links[feedback_id].append(pattern_id)
    return links


def feedback_items(items: list[Feedback]) -> list[dict[str, Any]]:
    """Feedback items with the patterns each is linked to (one query for the links)."""
    links = _pattern_ids(items)
    return [feedback_out(f, sorted(links.get(f.pk, []))) for f in items]


# --- channels ------------------------------------------------------------------------------


class ChannelFilters(Schema):
    """Narrowing the channel list."""

    product: str = Field("", description="Only this product's channels (its id).")
    loop: str = Field("", description="Only this loop's channels (its id).")


@router.get(
    "/channels",
    response={200: ChannelPage, **ERRORS_404},
    url_name="channels",
    summary="List channels",
)
@strict_query(ChannelFilters, Paging)
def list_channels(
    request: HttpRequest, filters: Query[ChannelFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of feedback channels by name."""
    page = selectors.channel_page(
        paging.page_request(),
        product=_product(filters.product) if filters.product else None,
        loop=_loop(filters.loop) if filters.loop else None,
    )
    return {"items": [channel_out(c) for c in page.items], **page_meta(page)}


@router.get(
    "/channels/{channel_id}",
    response={200: ChannelOut, **ERRORS_404},
    url_name="channel",
    summary="Get a channel",
)
@strict_query()
def get_channel(request: HttpRequest, channel_id: int) -> dict[str, Any]:
    """One feedback channel with its routing rules and notification settings."""
    channel = (
        FeedbackChannel.objects.select_related("product", "loop", "default_product")
        .filter(pk=channel_id)
        .first()
    )
    if channel is None:
        raise not_found("channel", channel_id)
    return channel_out(channel)


# --- feedback ------------------------------------------------------------------------------


class FeedbackFilters(Schema):
    """Narrowing the feedback list."""

    product: str = Field("", description="Only feedback routed to this product (its id).")
    channel: int | None = Field(None, description="Only feedback from this channel.")
    pattern: int | None = Field(None, description="Only feedback linked to this pattern.")
    loop: str = Field("", description="Only feedback of this loop's products or channels.")
    unrouted: bool = Field(False, description="Only feedback no product has yet (triage).")
    unpatterned: bool = Field(False, description="Only feedback linked to no pattern.")
    q: str = Field("", max_length=200, description="Text or title contains this.")
    since: datetime | None = Field(None, description="Written at or after this time.")


# GET /feedback shares its path with the intake's POST /feedback, so it joins that router.
@feedback_api.router.get(
    "/feedback",
    response={200: FeedbackPage, **ERRORS_404},
    url_name="feedback-list",
    summary="List feedback",
)
@strict_query(FeedbackFilters, Paging)
def list_feedback(
    request: HttpRequest, filters: Query[FeedbackFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of feedback, newest first, narrowed by product, channel, pattern or state."""
    channel = None
    if filters.channel is not None:
        channel = FeedbackChannel.objects.filter(pk=filters.channel).first()
        if channel is None:
            raise ApiError(404, "not_found", f"no channel `{filters.channel}`", field="channel")
    pattern = None
    if filters.pattern is not None:
        pattern = Pattern.objects.filter(pk=filters.pattern).first()
        if pattern is None:
            raise ApiError(404, "not_found", f"no pattern `{filters.pattern}`", field="pattern")
    page = selectors.feedback_page(
        paging.page_request(),
        product=_product(filters.product) if filters.product else None,
        channel=channel,
        pattern=pattern,
        loop=_loop(filters.loop) if filters.loop else None,
        unrouted=filters.unrouted,
        only_unpatterned=filters.unpatterned,
        q=filters.q.strip(),
        since=filters.since,
    )
    return {"items": feedback_items(list(page.items)), **page_meta(page)}


@router.get(
    "/feedback/{feedback_id}",
    response={200: FeedbackOut, **ERRORS_404},
    url_name="feedback-item",
    summary="Get a feedback item",
)
@strict_query()
def get_feedback(request: HttpRequest, feedback_id: int) -> dict[str, Any]:
    """One feedback item, as given, with the patterns it is linked to."""
    item = selectors.feedback_get(feedback_id)
    if item is None:
        raise not_found("feedback", feedback_id)
    return feedback_items([item])[0]


# --- patterns ------------------------------------------------------------------------------


class PatternFilters(Schema):
    """Narrowing and ordering the pattern list."""

    product: str = Field("", description="Only this product's patterns (its id).")
    status: str = Field("", description="Only patterns in this status.")
    open: bool = Field(False, description="Only patterns not closed.")
    unclaimed: bool = Field(False, description="Only patterns no product claims.")
    order: str = Field(
        "weight",
        description="`weight` (heaviest first, the default), `-weight`, `recent` (newest "
        "feedback first), `new` (newest pattern first) or `title`.",
    )
    q: str = Field("", max_length=200, description="Problem statement contains this.")


@router.get(
    "/patterns",
    response={200: PatternPage, **ERRORS_404},
    url_name="patterns",
    summary="List patterns",
)
@strict_query(PatternFilters, Paging)
def list_patterns(
    request: HttpRequest, filters: Query[PatternFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of patterns, heaviest first (weight: linked feedback, authors, recency)."""
    _choice(filters.status, [str(s) for s in PatternStatus], "status")
    _choice(filters.order, list(selectors.PATTERN_ORDER), "order")
    page = selectors.pattern_page(
        paging.page_request(),
        product=_product(filters.product) if filters.product else None,
        status=filters.status or None,
        open_only=filters.open,
        unclaimed=filters.unclaimed,
        order=filters.order,
        q=filters.q.strip(),
    )
    return {"items": [pattern_out(p) for p in page.items], **page_meta(page)}


@router.get(
    "/patterns/{pattern_id}",
    response={200: PatternDetailOut, **ERRORS_404},
    url_name="pattern",
    summary="Get a pattern",
)
@strict_query(Paging)
def get_pattern(request: HttpRequest, pattern_id: int, paging: Query[Paging]) -> dict[str, Any]:
    """One pattern: its weight explained, linked feedback (paged), verification, next moves."""
    detail = selectors.pattern_detail(pattern_id, paging.page_request())
    if detail is None:
        raise not_found("pattern", pattern_id)
    p = detail.pattern
    return {
        **pattern_out(p),
        "description": p.description,
        "workaround": p.workaround,
        "products": [x.slug for x in detail.products],
        "interfaces": [i.ref for i in detail.interfaces],
        "related": [r.pk for r in detail.related],
        "improvements": [
            {"id": i.pk, "title": i.title, "status": i.status} for i in detail.improvements
        ],
        "weight_explained": detail.weight.as_dict(),
        "allowed_moves": detail.allowed_moves,
        "feedback": {
            "items": feedback_items(list(detail.feedback.items)),
            **page_meta(detail.feedback),
        },
        "verification": detail.verification.as_dict() if detail.verification else None,
    }


# --- improvements --------------------------------------------------------------------------


class ImprovementFilters(Schema):
    """Narrowing the improvement list."""

    product: str = Field("", description="Only this product's improvements (its id).")
    status: str = Field("", description="Only improvements in this status.")


@router.get(
    "/improvements",
    response={200: ImprovementPage, **ERRORS_404},
    url_name="improvements",
    summary="List improvements",
)
@strict_query(ImprovementFilters, Paging)
def list_improvements(
    request: HttpRequest, filters: Query[ImprovementFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of improvements, most recently changed first."""
    _choice(filters.status, [str(s) for s in ImprovementStatus], "status")
    page = selectors.improvement_page(
        paging.page_request(),
        product=_product(filters.product) if filters.product else None,
        status=filters.status or None,
    )
    return {"items": [improvement_out(i) for i in page.items], **page_meta(page)}


def improvement_detail_out(improvement_id: int) -> dict[str, Any]:
    """The detail shape of one improvement (also what its write endpoints answer)."""
    detail = selectors.improvement_detail(improvement_id)
    if detail is None:
        raise not_found("improvement", improvement_id)
    i = detail.improvement
    return {
        **improvement_out(i, [p.slug for p in detail.products]),
        "specification": i.specification,
        "patterns": [pattern_out(p) for p in detail.patterns],
        "milestones": [milestone_out(m, detail.depends_on[m.pk]) for m in detail.milestones],
        "progress": detail.progress.as_dict(),
        "people": [
            {"person": ip.person.slug, "name": ip.person.name, "role": ip.role}
            for ip in detail.people
        ],
        "roadmap": [
            {
                "entry_id": e.pk,
                "product": e.product.slug,
                "column": e.column,
                "position": e.position,
            }
            for e in detail.roadmap
        ],
        "allowed_moves": detail.allowed_moves,
    }


@router.get(
    "/improvements/{improvement_id}",
    response={200: ImprovementDetailOut, **ERRORS_404},
    url_name="improvement",
    summary="Get an improvement",
)
@strict_query()
def get_improvement(request: HttpRequest, improvement_id: int) -> dict[str, Any]:
    """One improvement: specification, patterns, milestones with progress, people, roadmap."""
    return improvement_detail_out(improvement_id)


# --- roadmap, my loop, organisation --------------------------------------------------------


def roadmap_out(product: Product) -> dict[str, Any]:
    """A product's roadmap in the API's shape."""
    board = selectors.roadmap(product)
    return {
        "product": product.slug,
        **{column: [roadmap_item_out(item) for item in items] for column, items in board.items()},
    }


@router.get(
    "/products/{product_id}/roadmap",
    response={200: RoadmapOut, **ERRORS_404},
    url_name="product-roadmap",
    summary="Get a product's roadmap",
)
@strict_query()
def get_roadmap(request: HttpRequest, product_id: str) -> dict[str, Any]:
    """Now / next / later in order; each item's priority shows how it was computed."""
    return roadmap_out(_product(product_id, "product_id"))


@router.get(
    "/products/{product_id}/loop",
    response={200: LoopSummaryOut, **ERRORS_404},
    url_name="product-loop",
    summary="Get a product's loop summary",
)
@strict_query()
def get_product_loop(request: HttpRequest, product_id: str) -> dict[str, Any]:
    """What the loop tab shows: channels, recent feedback, heavy patterns, improvements by
    status, roadmap and feedback per week (the last 12 weeks)."""
    summary = selectors.loop_summary(_product(product_id, "product_id"))
    return {
        "product": summary.product.slug,
        "channels": [channel_out(c) for c in summary.channels],
        "feedback_total": summary.feedback_total,
        "unpatterned_total": summary.unpatterned_total,
        "last_feedback_at": summary.last_feedback_at,
        "recent_feedback": feedback_items(summary.recent_feedback),
        "patterns": [pattern_out(p) for p in summary.patterns],
        "patterns_open": summary.patterns_open,
        "improvements": {s: v["count"] for s, v in summary.improvements.items()},
        "roadmap": {
            c: [roadmap_item_out(i) for i in items] for c, items in summary.roadmap.items()
        },
        "weekly": summary.weekly,
    }


@router.get(
    "/my-loop",
    response={200: MyLoopOut, **ERRORS},
    url_name="my-loop",
    summary="What waits on me",
)
@strict_query(Paging)
def get_my_loop(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """For the signed-in person, across the products they own: untriaged feedback (paged),
    heavy open patterns, improvements awaiting approval, milestones due within two weeks and
    the improvements they have a role on. Empty when the account is linked to no person."""
    person = person_for_user(getattr(request, "user", None))
    if person is None:
        empty: dict[str, Any] = {"items": [], "total": 0, "page": 1, "page_size": 10, "pages": 0}
        return {
            "person": None,
            "products": [],
            "untriaged": empty,
            "heavy_patterns": [],
            "to_approve": [],
            "milestones_due": [],
            "my_improvements": [],
        }
    mine = selectors.my_loop(person, paging.page_request())
    return {
        "person": person.slug,
        "products": [p.slug for p in mine.products],
        "untriaged": {
            "items": feedback_items(list(mine.untriaged.items)),
            **page_meta(mine.untriaged),
        },
        "heavy_patterns": [pattern_out(p) for p in mine.heavy_patterns],
        "to_approve": [improvement_out(i) for i in mine.to_approve],
        "milestones_due": [
            {
                **milestone_out(m, []),
                "improvement": m.improvement_id,
                "improvement_title": m.improvement.title,
            }
            for m in mine.milestones_due
        ],
        "my_improvements": [improvement_out(i) for i in mine.my_improvements],
    }


@router.get(
    "/loop-overview",
    response={200: LoopOverviewOut, **ERRORS},
    url_name="loop-overview",
    summary="The organisation's loop",
)
@strict_query(Paging)
def get_loop_overview(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    """Where feedback piles up (unpatterned, per product and per loop), how much waits in
    triage, patterns no product claims (paged), products whose loop went quiet (no feedback
    for 30 days), and feedback per week across the organisation."""
    org = selectors.org_loop(paging.page_request())
    return {
        "unrouted_total": org.unrouted_total,
        "piles": org.piles,
        "loop_piles": org.loop_piles,
        "unclaimed_patterns": {
            "items": [pattern_out(p) for p in org.unclaimed_patterns.items],
            **page_meta(org.unclaimed_patterns),
        },
        "quiet_products": org.quiet_products,
        "weekly": org.weekly,
    }
