"""The loop API's shapes: channels, feedback, patterns, improvements, milestones, roadmap."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from productize.api.schemas import PageMeta
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Pattern,
)
from productize.loop.selectors import Progress, RoadmapItem


class ChannelOut(Schema):
    """A feedback channel (its secrets are never shown; rotate one to see it once)."""

    id: int
    name: str
    kind: str = Field(description="support, sales, forum, chat, issue-tracker, survey, form, ...")
    description: str
    product: str | None = Field(description="The product it belongs to (its id), if any.")
    loop: str | None = Field(description="The loop it belongs to (its id), if any.")
    url: str
    is_active: bool
    routing_rules: list[dict[str, Any]] = Field(
        description="Ordered rules: `{product, interface, keywords, tags, interfaces}`; the "
        "first that matches routes an item (docs/loop.md)."
    )
    default_product: str | None = Field(description="Where items no rule matches go.")
    notify_email: bool = Field(description="E-mail authors when their feedback is addressed.")
    webhook_url: str = Field(description="Receives signed `improvement.completed` notices.")


class ChannelPage(PageMeta):
    """A page of channels."""

    items: list[ChannelOut]


class FeedbackOut(Schema):
    """A feedback item, as given."""

    id: int
    channel: int | None
    product: str | None
    interface: str | None = Field(description="`product/interface`, if routed to one.")
    source_kind: str
    source_key: str
    source_url: str
    author_name: str
    author_contact: str
    created_at: datetime = Field(description="When it was written (as the source says).")
    received_at: datetime
    title: str
    text: str = Field(description="As given (Markdown; render it through a sanitiser).")
    tags: list[str]
    pattern_ids: list[int] = Field(description="Patterns it is linked to.")


class FeedbackPage(PageMeta):
    """A page of feedback, newest first."""

    items: list[FeedbackOut]


class PatternOut(Schema):
    """A pattern in a list."""

    id: int
    title: str = Field(description="The problem statement.")
    status: str
    owner: str | None
    weight: float = Field(description="From linked feedback: count, distinct authors, recency.")
    feedback_count: int
    distinct_authors: int
    last_feedback_at: datetime | None


class PatternPage(PageMeta):
    """A page of patterns."""

    items: list[PatternOut]


class PatternDetailOut(PatternOut):
    """A pattern with everything its page shows."""

    description: str
    workaround: str
    products: list[str]
    interfaces: list[str]
    related: list[int]
    improvements: list[dict[str, Any]] = Field(description="`{id, title, status}` of each.")
    weight_explained: dict[str, Any] = Field(description="Each term of the weight, and why.")
    allowed_moves: list[str] = Field(description="Statuses it may move to next.")
    feedback: FeedbackPage = Field(description="The first page of linked feedback.")
    verification: dict[str, Any] | None = Field(
        description="Feedback per week before and after the last improvement shipped, with a "
        "verdict hint (dropped, unchanged, rose, too-early, no-feedback); null until one ships."
    )


class MilestoneOut(Schema):
    """A milestone of an improvement."""

    id: int
    position: int
    title: str
    description: str
    kind: str = Field(description="`mvp` or `stretch`.")
    due_date: date | None
    done_at: datetime | None
    depends_on: list[int]


class ImprovementOut(Schema):
    """An improvement in a list."""

    id: int
    title: str
    status: str
    products: list[str]
    effort_weeks: float | None
    confidence: float | None
    completed_at: datetime | None
    updated_at: datetime


class ImprovementPage(PageMeta):
    """A page of improvements."""

    items: list[ImprovementOut]


class ImprovementDetailOut(ImprovementOut):
    """An improvement with its specification, patterns, milestones, people and progress."""

    specification: str = Field(description="Markdown, pre-filled from the patterns.")
    patterns: list[PatternOut]
    milestones: list[MilestoneOut]
    progress: dict[str, Any] = Field(description="Milestones done of all, and of the MVP set.")
    people: list[dict[str, str]] = Field(description="`{person, name, role}`.")
    roadmap: list[dict[str, Any]] = Field(description="Where it sits: `{product, column, ...}`.")
    allowed_moves: list[str]


class RoadmapItemOut(Schema):
    """An improvement on a roadmap, with the priority and how it was computed."""

    entry_id: int
    position: int
    rationale: str
    improvement: ImprovementOut
    priority: dict[str, Any] = Field(
        description="`effective` orders the column: the owner's `override` when set, else "
        "`computed` = impact * reach factor * confidence / effort; `explain` shows each term."
    )
    progress: dict[str, Any]


class RoadmapOut(Schema):
    """A product's roadmap."""

    product: str
    now: list[RoadmapItemOut]
    next: list[RoadmapItemOut]
    later: list[RoadmapItemOut]


class WeekOut(Schema):
    """Feedback in one calendar week."""

    week: date = Field(description="The week's Monday.")
    count: int


class LoopSummaryOut(Schema):
    """What a product's loop tab shows."""

    product: str
    channels: list[ChannelOut] = Field(description="The product's own, then its loops'.")
    feedback_total: int
    unpatterned_total: int = Field(description="Items linked to no pattern yet.")
    last_feedback_at: datetime | None
    recent_feedback: list[FeedbackOut] = Field(description="The 10 newest items.")
    patterns: list[PatternOut] = Field(description="The 10 heaviest open patterns.")
    patterns_open: int
    improvements: dict[str, int] = Field(description="How many improvements in each status.")
    roadmap: dict[str, list[RoadmapItemOut]] = Field(description="`now`, `next`, `later`.")
    weekly: list[WeekOut] = Field(description="Feedback per week, the last 12 weeks.")


class MilestoneDueOut(MilestoneOut):
    """A milestone due soon, with its improvement."""

    improvement: int
    improvement_title: str


class MyLoopOut(Schema):
    """What waits on the signed-in person."""

    person: str | None = Field(description="The catalog person this account is (null: none).")
    products: list[str] = Field(description="The products they own (directly, team, loop).")
    untriaged: FeedbackPage = Field(description="Their products' feedback in no pattern yet.")
    heavy_patterns: list[PatternOut]
    to_approve: list[ImprovementOut] = Field(description="Improvements awaiting approval.")
    milestones_due: list[MilestoneDueOut] = Field(description="Overdue or due in two weeks.")
    my_improvements: list[ImprovementOut] = Field(description="Open ones they have a role on.")


class PileOut(Schema):
    """Unpatterned feedback piling up on one product."""

    product: str
    name: str
    loop: str | None
    unpatterned: int
    newest: datetime | None


class LoopPileOut(Schema):
    """Unpatterned feedback of one loop's products."""

    loop: str
    name: str
    unpatterned: int


class QuietOut(Schema):
    """A live product whose loop heard nothing for 30 days (or ever)."""

    product: str
    name: str
    stage: str
    last_feedback_at: datetime | None
    channels: int = Field(description="Its own feedback channels.")


class LoopOverviewOut(Schema):
    """The organisation's loop at a glance."""

    unrouted_total: int = Field(description="Feedback waiting in triage for a product.")
    piles: list[PileOut]
    loop_piles: list[LoopPileOut]
    unclaimed_patterns: PatternPage = Field(description="Open patterns no product claims.")
    quiet_products: list[QuietOut]
    weekly: list[WeekOut]


def channel_out(c: FeedbackChannel) -> dict[str, Any]:
    """A channel as the API shows it."""
    return {
        "id": c.pk,
        "name": c.name,
        "kind": c.kind,
        "description": c.description,
        "product": c.product.slug if c.product_id else None,  # type: ignore[union-attr]
        "loop": c.loop.slug if c.loop_id else None,  # type: ignore[union-attr]
        "url": c.url,
        "is_active": c.is_active,
        "routing_rules": c.routing_rules,
        "default_product": c.default_product.slug if c.default_product_id else None,  # type: ignore[union-attr]
        "notify_email": c.notify_email,
        "webhook_url": c.webhook_url,
    }


def feedback_out(f: Feedback, pattern_ids: list[int] | None = None) -> dict[str, Any]:
    """A feedback item as the API shows it."""
    return {
        "id": f.pk,
        "channel": f.channel_id,
        "product": f.product.slug if f.product_id else None,  # type: ignore[union-attr]
        "interface": f.interface.ref if f.interface_id else None,  # type: ignore[union-attr]
        "source_kind": f.source_kind,
        "source_key": f.source_key,
        "source_url": f.source_url,
        "author_name": f.author_name,
        "author_contact": f.author_contact,
        "created_at": f.created_at,
        "received_at": f.received_at,
        "title": f.title,
        "text": f.text,
        "tags": list(f.tags or []),
        "pattern_ids": pattern_ids or [],
    }


def pattern_out(p: Pattern) -> dict[str, Any]:
    """A pattern in a list."""
    return {
        "id": p.pk,
        "title": p.title,
        "status": p.status,
        "owner": p.owner.slug if p.owner_id else None,  # type: ignore[union-attr]
        "weight": p.weight,
        "feedback_count": p.feedback_count,
        "distinct_authors": p.distinct_authors,
        "last_feedback_at": p.last_feedback_at,
    }


def improvement_out(i: Improvement, products: list[str] | None = None) -> dict[str, Any]:
    """An improvement in a list."""
    if products is None:
        products = sorted(p.slug for p in i.products.all())  # prefetched by the lists
    return {
        "id": i.pk,
        "title": i.title,
        "status": i.status,
        "products": products,
        "effort_weeks": i.effort_weeks,
        "confidence": i.confidence,
        "completed_at": i.completed_at,
        "updated_at": i.updated_at,
    }


def milestone_out(m: Milestone, depends_on: list[int]) -> dict[str, Any]:
    """A milestone."""
    return {
        "id": m.pk,
        "position": m.position,
        "title": m.title,
        "description": m.description,
        "kind": m.kind,
        "due_date": m.due_date,
        "done_at": m.done_at,
        "depends_on": depends_on,
    }


def progress_out(progress: Progress) -> dict[str, Any]:
    """Progress as plain data."""
    return progress.as_dict()


def roadmap_item_out(item: RoadmapItem) -> dict[str, Any]:
    """One roadmap item with its priority explained."""
    return {
        "entry_id": item.entry.pk,
        "position": item.entry.position,
        "rationale": item.entry.rationale,
        "improvement": improvement_out(item.improvement),
        "priority": item.priority.as_dict(),
        "progress": item.progress.as_dict(),
    }
