"""`{% notes entity.annotations %}`: what an import said that has no field of its own.

Backstage fields with no home in productize are kept as `annotations` (docs/backstage.md);
the product, loop, team and person pages all show them under "Notes" with one partial,
`web/includes/notes.html`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


def note_pairs(annotations: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(key, text) pairs sorted by key; values that are not text are shown as JSON."""
    pairs = []
    for key, value in sorted((annotations or {}).items()):
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        pairs.append((str(key), text))
    return pairs


@register.inclusion_tag("web/includes/notes.html")
def notes(annotations: Mapping[str, Any] | None, card: bool = True) -> dict[str, Any]:
    """The "Notes" list (in its own card unless `card=False`); nothing when there are none."""
    return {"annotations": note_pairs(annotations), "card": card}
