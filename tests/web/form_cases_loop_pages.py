"""Form cases of the product loop pages: proposals, pattern and improvement decisions, roadmap.

Proposals are open to every signed-in member; everything else is for the owners of `orders`.
"""

from __future__ import annotations

from typing import Any

from productize.audit.services import Actor
from productize.loop import services
from productize.loop.models import Improvement, ImprovementPerson, Milestone, Pattern, RoadmapEntry
from tests.accounts.form_matrix import MEMBER, OWNERS, SIGNED_IN, Ctx, FormCase

SYSTEM = Actor.system("tests")


def _loop_of_orders(ctx: Ctx) -> None:
    """A pattern, an improvement with two milestones on the roadmap, and one not placed."""
    pattern = services.create_pattern(SYSTEM, title="Boxes cannot be changed", products=["orders"])
    improvement = services.create_improvement(
        SYSTEM, title="Edit a box", patterns=[pattern.pk], products=["orders"]
    )
    first = services.add_milestone(SYSTEM, improvement, title="Edit screen")
    services.add_milestone(SYSTEM, improvement, title="Undo", kind="stretch")
    entry = services.place_on_roadmap(SYSTEM, ctx.catalog["orders"], improvement, "now")
    spare = services.create_improvement(SYSTEM, title="Gift boxes", products=["orders"])
    ctx.objs.update(pattern=pattern, improvement=improvement, first=first, entry=entry, spare=spare)


def _pattern_titles(ctx: Ctx) -> list[str]:
    return sorted(Pattern.objects.values_list("title", flat=True))


def _improvement_titles(ctx: Ctx) -> list[str]:
    return sorted(Improvement.objects.values_list("title", flat=True))


def _pattern_status(ctx: Ctx) -> str:
    return Pattern.objects.get(pk=ctx.objs["pattern"].pk).status


def _pattern(ctx: Ctx) -> tuple[Any, ...]:
    row = Pattern.objects.get(pk=ctx.objs["pattern"].pk)
    return row.title, row.description, row.workaround, row.owner_id


def _estimates(ctx: Ctx) -> tuple[Any, ...]:
    row = Improvement.objects.get(pk=ctx.objs["improvement"].pk)
    return row.effort_weeks, row.confidence


def _improvement(ctx: Ctx) -> tuple[Any, ...]:
    row = Improvement.objects.get(pk=ctx.objs["improvement"].pk)
    return row.title, row.status, row.specification


def _people(ctx: Ctx) -> list[tuple[str, str]]:
    rows = ImprovementPerson.objects.filter(improvement=ctx.objs["improvement"])
    return sorted(rows.values_list("person__slug", "role"))


def _milestones(ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = Milestone.objects.filter(improvement=ctx.objs["improvement"]).order_by("position", "id")
    return [(m.title, m.kind, m.done_at is not None) for m in rows]


def _roadmap(ctx: Ctx) -> list[tuple[Any, ...]]:
    rows = RoadmapEntry.objects.order_by("id")
    return list(
        rows.values_list("improvement_id", "column", "position", "priority_override", "rationale")
    )


def _improvement_url(suffix: str) -> Any:
    return lambda ctx: f"/improvements/{ctx.objs['improvement'].pk}/{suffix}"


def _entry_url(suffix: str) -> Any:
    return lambda ctx: f"/products/orders/roadmap/{ctx.objs['entry'].pk}/{suffix}"


def _newest(model: type, prefix: str) -> Any:
    return lambda ctx: [f"/{prefix}/{model.objects.latest('id').pk}/", "/products/orders/loop/"]  # type: ignore[attr-defined]


CASES = [
    FormCase(
        id="loop-pattern-new",
        url_name="web:pattern-new",
        url="/patterns/new/",
        data={
            "title": "Totals are confusing",
            "description": "People cannot tell what they pay for.",
            "workaround": "Care explains the bill.",
            "products": "orders",
        },
        allowed=SIGNED_IN,
        state=_pattern_titles,
        text_fields=("title", "description", "workaround"),
        shows_text_at=_newest(Pattern, "patterns"),
        xss_role=MEMBER,
    ),
    FormCase(
        id="loop-improvement-new",
        url_name="web:improvement-new",
        url="/improvements/new/",
        data={"title": "Clearer totals", "products": "orders", "effort_weeks": "2"},
        allowed=SIGNED_IN,
        state=_improvement_titles,
        text_fields=("title",),
        shows_text_at=_newest(Improvement, "improvements"),
        xss_role=MEMBER,
    ),
    FormCase(
        id="loop-pattern-move",
        url_name="web:pattern-move",
        url=lambda ctx: f"/patterns/{ctx.objs['pattern'].pk}/move/",
        data={"status": "brainstorming", "reason": "Let us think about it."},
        allowed=OWNERS,
        state=_pattern_status,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-pattern-edit",
        url_name="web:pattern-edit",
        url=lambda ctx: f"/patterns/{ctx.objs['pattern'].pk}/edit/",
        data={
            "title": "Boxes cannot be changed after ordering",
            "description": "Asked for every week.",
            "workaround": "Care re-creates the order.",
            "owner": "alice",
            "products": "orders",
        },
        allowed=OWNERS,
        state=_pattern,
        setup=_loop_of_orders,
        text_fields=("title", "description", "workaround"),
        shows_text_at=lambda ctx: [f"/patterns/{ctx.objs['pattern'].pk}/"],
    ),
    FormCase(
        id="loop-improvement-estimates",
        url_name="web:improvement-estimates",
        url=_improvement_url("estimates/"),
        data={"effort_weeks": "3", "confidence": "0.7"},
        allowed=OWNERS,
        state=_estimates,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-improvement-move",
        url_name="web:improvement-move",
        url=_improvement_url("move/"),
        data={"status": "researching"},
        allowed=OWNERS,
        state=_improvement,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-improvement-edit",
        url_name="web:improvement-edit",
        url=_improvement_url("edit/"),
        data={"title": "Edit a box, any time", "specification": "## Problem\n\nBoxes are fixed."},
        allowed=OWNERS,
        state=_improvement,
        setup=_loop_of_orders,
        text_fields=("title", "specification"),
        shows_text_at=lambda ctx: [
            f"/improvements/{ctx.objs['improvement'].pk}/",
            "/products/orders/roadmap/",
        ],
    ),
    FormCase(
        id="loop-improvement-people",
        url_name="web:improvement-people",
        url=_improvement_url("people/"),
        data={"owner": ["alice"], "contributor": ["bob"]},
        allowed=OWNERS,
        state=_people,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-milestone-add",
        url_name="web:milestone-add",
        url=_improvement_url("milestones/"),
        data={"title": "Tell customers", "kind": "stretch", "due": "2026-12-31"},
        allowed=OWNERS,
        state=_milestones,
        setup=_loop_of_orders,
        text_fields=("title",),
        shows_text_at=lambda ctx: [f"/improvements/{ctx.objs['improvement'].pk}/"],
    ),
    FormCase(
        id="loop-milestone-complete",
        url_name="web:milestone-complete",
        url=lambda ctx: (
            f"/improvements/{ctx.objs['improvement'].pk}/milestones/{ctx.objs['first'].pk}/done/"
        ),
        data={},
        allowed=OWNERS,
        state=_milestones,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-milestone-move",
        url_name="web:milestone-move",
        url=lambda ctx: (
            f"/improvements/{ctx.objs['improvement'].pk}/milestones/{ctx.objs['first'].pk}/move/"
        ),
        data={"direction": "down"},
        allowed=OWNERS,
        state=_milestones,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-roadmap-move",
        url_name="web:roadmap-move",
        url=_entry_url("move/"),
        data={"to": "next"},
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-roadmap-move-htmx",
        url_name="web:roadmap-move",
        url=_entry_url("move/"),
        data={"to": "later"},
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
        htmx=True,
    ),
    FormCase(
        id="loop-roadmap-override",
        url_name="web:roadmap-override",
        url=_entry_url("override/"),
        data={"score": "12.5", "reason": "Promised to the growers."},
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
        text_fields=("reason",),
        shows_text_at=lambda ctx: ["/products/orders/roadmap/"],
    ),
    FormCase(
        id="loop-roadmap-rationale",
        url_name="web:roadmap-rationale",
        url=_entry_url("rationale/"),
        data={"rationale": "Most asked for by care."},
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
        text_fields=("rationale",),
        shows_text_at=lambda ctx: ["/products/orders/roadmap/"],
    ),
    FormCase(
        id="loop-roadmap-remove",
        url_name="web:roadmap-remove",
        url=_entry_url("remove/"),
        data={},
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
    ),
    FormCase(
        id="loop-roadmap-place",
        url_name="web:roadmap-place",
        url="/products/orders/roadmap/place/",
        data=lambda ctx: {
            "improvement": str(ctx.objs["spare"].pk),
            "column": "next",
            "rationale": "Before the holidays.",
        },
        allowed=OWNERS,
        state=_roadmap,
        setup=_loop_of_orders,
        text_fields=("rationale",),
        shows_text_at=lambda ctx: ["/products/orders/roadmap/", "/products/orders/loop/"],
    ),
]
