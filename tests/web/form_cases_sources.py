"""Form cases of the source settings forms: register and change a source (admins only)."""

from __future__ import annotations

from typing import Any

from productize.audit.services import Actor
from productize.ingest.models import Source
from productize.ingest.services import source_add
from tests.accounts.form_matrix import ADMINS, Ctx, FormCase

PLATFORM_URL = "https://git.example.com/acme/platform.git"  # never fetched by these cases


def _sources(ctx: Ctx) -> list[tuple[Any, ...]]:
    return sorted(
        Source.objects.values_list(
            "name", "location", "branch", "schedule_minutes", "format", "backstage_names"
        )
    )


def _source_data(name: str, **changes: Any) -> dict[str, Any]:
    data = {
        "name": name,
        "location": PLATFORM_URL,
        "branch": "main",
        "subpath": "",
        "schedule_minutes": "30",
        "format": "auto",
        "backstage_names": "catalog-info.yaml, *.entity.yaml",
        "webhook": "on",
        "reason": "The platform team keeps its catalog there.",
    }
    data.update(changes)
    return data


def _a_source(ctx: Ctx) -> None:
    ctx.objs["source"], _ = source_add(
        actor=Actor.system("tests"), name="platform", location=PLATFORM_URL, webhook=False
    )


def _history(ctx: Ctx) -> list[str]:
    return ["/audit/source/platform/", "/audit/"]


CASES = [
    FormCase(
        id="source-create",
        url_name="web:source-new",
        url="/sources/new/",
        data=_source_data("platform"),
        allowed=ADMINS,
        state=_sources,
        text_fields=("reason",),
        shows_text_at=_history,
    ),
    FormCase(
        id="source-edit",
        url_name="web:source-edit",
        url=lambda ctx: f"/sources/{ctx.objs['source'].pk}/edit/",
        setup=_a_source,
        data=_source_data("platform", format="backstage", enabled="on", webhook=""),
        allowed=ADMINS,
        state=_sources,
        text_fields=("reason",),
        shows_text_at=_history,
    ),
]
