"""Form cases of product ideas (products created in productize): create and edit."""

from __future__ import annotations

from typing import Any

from productize.audit.services import Actor
from productize.catalog.models import Origin, Product
from productize.catalog.services.ideas import IdeaInput, idea_create
from tests.accounts.form_matrix import OWNERS, SIGNED_IN, Ctx, FormCase

IDEA_TEXT_FIELDS = ("name", "mission", "vision", "does", "does_not", "audience",
                    "alignment_why", "reason")  # fmt: skip


def _ideas(ctx: Ctx) -> list[tuple[Any, ...]]:
    return sorted(
        Product.objects.filter(origin=Origin.UI).values_list("slug", "name", "mission", "stage")
    )


def _idea_data(name: str) -> dict[str, str]:
    return {
        "name": name,
        "mission": "Let growers swap seeds with their neighbours.",
        "vision": "Every farm grows what suits its soil.",
        "does": "List seeds on offer\nMatch swaps",
        "does_not": "Sell seeds",
        "stage": "prototype",
        "loop": "market",
        "owners": "alice",
        "tags": "seeds, community",
        "audience": "Small growers",
        "alignment": "indirect",
        "alignment_why": "Healthier farms supply more boxes.",
        "reason": "Asked for at the growers' meeting.",
    }


def _an_idea_of_alice(ctx: Ctx) -> None:
    ctx.objs["idea"] = idea_create(
        actor=Actor.system("tests"),
        data=IdeaInput(name="Seed Swap", mission="Swap seeds.", owners=["alice"]),
    )


def _newest_idea_pages(ctx: Ctx) -> list[str]:
    slug = Product.objects.filter(origin=Origin.UI).latest("id").slug
    return [f"/products/{slug}/", f"/ideas/{slug}/edit/", "/ideas/", f"/audit/product/{slug}/",
            "/audit/"]  # fmt: skip


CASES = [
    FormCase(
        id="idea-create",
        url_name="web:idea-new",
        url="/ideas/new/",
        data=_idea_data("Seed Swap"),
        allowed=SIGNED_IN,  # any member may propose a product
        state=_ideas,
        text_fields=IDEA_TEXT_FIELDS,
        shows_text_at=_newest_idea_pages,
    ),
    FormCase(
        id="idea-edit",
        url_name="web:idea-edit",
        url=lambda ctx: f"/ideas/{ctx.objs['idea'].slug}/edit/",
        setup=_an_idea_of_alice,
        data=_idea_data("Seed Swap Club"),
        allowed=OWNERS,  # its owner alice, and admins
        state=_ideas,
        text_fields=IDEA_TEXT_FIELDS,
        shows_text_at=_newest_idea_pages,
    ),
]
