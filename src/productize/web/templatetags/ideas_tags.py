"""`{% source_card entity kind %}`: where a catalog entity is changed — its file, or here."""

from __future__ import annotations

from typing import Any

from django import template

from productize.accounts import permissions
from productize.audit.services import Actor
from productize.web.source_links import source_location

register = template.Library()

# What a descriptor decides, as the note says it, by kind.
OWNED_FIELDS = {
    "product": "name, mission, scope, stage, loop, owners, interfaces and links",
    "loop": "name, mission, customers, parent loop and owners",
    "team": "name, members and parent team",
    "person": "name, email and teams",
}


@register.inclusion_tag("web/ideas/_source_card.html", takes_context=True)
def source_card(context: template.Context, entity: Any, kind: str) -> dict[str, Any]:
    """The source card: the file to edit (linked on its host), or, for ideas, edit/download."""
    request = context.get("request")
    user = getattr(request, "user", None)
    can_edit = False
    if kind == "product" and entity.origin == "ui" and user is not None:
        can_edit = Actor.for_user(user).can(permissions.PRODUCT_EDIT, entity)
    return {
        "entity": entity,
        "kind": kind,
        "location": source_location(entity),
        "can_edit": can_edit,
        "owned_fields": OWNED_FIELDS.get(kind, "fields"),
    }
