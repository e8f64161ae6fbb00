"""`{% scorecard product %}`: the assessment panel of the product page (two queries).

`|backticks`: Markdown-style `code` spans in rule texts (next steps, evidence) as <code>.
"""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from productize.assessment import selectors
from productize.assessment.charts import history_chart
from productize.catalog.models import Product

register = template.Library()
_CODE_SPAN = re.compile(r"`([^`\n]+)`")


@register.filter(is_safe=True)
def backticks(text: object) -> SafeString:
    """The text escaped, then each `span` between backticks wrapped in <code>."""
    escaped = str(conditional_escape(text if isinstance(text, str) else str(text)))
    # Safe: the spans come from text that is already escaped, and the tags are fixed.
    return mark_safe(_CODE_SPAN.sub(r"<code>\1</code>", escaped))


STATUS_LABELS = {
    "met": "met",
    "partly-met": "partly met",
    "not-met": "not met",
    "not-expected": "not expected yet",
    "not-applicable": "not applicable",
    "no-data": "no data yet",
}


def _characteristic_items(characteristics: list[dict[str, Any]]) -> SafeString:
    """The scorecard's list items, written here: as nested template loops over a dozen
    characteristics and their evidence they were most of the product page's scorecard cost."""
    items = [
        format_html(
            "<li>\n      <details>\n        <summary><span>{}</span>"
            '<span class="char-status status-{}">{}</span></summary>\n'
            "        {}\n        {}\n      </details>\n    </li>",
            c.get("title") or c["key"],
            c["status"],
            c["label"],
            format_html_join(
                "", '<p class="char-evidence">{}</p>', ((backticks(e),) for e in c["evidence"])
            ),
            format_html_join(
                "", '<p class="char-step">→ {}</p>', ((backticks(s),) for s in c["steps"])
            ),
        )
        for c in characteristics
    ]
    # Each item is format_html output (escaped); laid out as the template loop laid them out.
    return mark_safe("".join(f"\n    {item}\n    " for item in items))


@register.inclusion_tag("web/assessment/scorecard.html")
def scorecard(product: Product) -> dict[str, Any]:
    """The current result with each characteristic, the next steps and the history chart."""
    current = selectors.current_for(product)
    history = selectors.recent_history(product) if current is not None else []
    characteristics = []
    if current is not None:
        for c in current.result.get("characteristics", []):
            characteristics.append(
                {
                    **c,
                    "label": STATUS_LABELS.get(c["status"], c["status"]),
                    "evidence": [e for r in c.get("rules", []) for e in r.get("evidence", [])],
                    "steps": [
                        r["next_step"]
                        for r in c.get("rules", [])
                        if r.get("next_step") and r["status"] in ("not-met", "partly-met")
                    ],
                }
            )
    return {
        "product": product,
        "current": current,
        "level_title": selectors.level_title(current.level) if current else "",
        "characteristics": characteristics,
        "characteristic_items": _characteristic_items(characteristics),
        "next_steps": (current.result.get("next_steps", []) if current else [])[:3],
        "chart": history_chart(history),
        "history": history[::-1][:5],
    }
