"""A channel's routing rule: which product (and interface) a feedback item belongs to.

A channel keeps an ordered list of rules. Each rule names a target product (and optionally
an interface of it) and what makes an item match:

- `keywords`: words or phrases; matched case-insensitively as whole words in the title and
  text (`"log in"` matches "Cannot log in!" but `"log"` does not match "blog");
- `tags`: matched against the item's tags (case-insensitive);
- `interfaces`: interface references (`product/interface`) or names that the source gave as
  a hint (an importer's `interface_hint`, a form's interface field).

The first rule that matches wins; a rule with several conditions matches when any of them
does. When none matches, the channel's default product is used, and when there is none the
item stays unrouted for triage. The result says which rule decided and why, for people.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

MAX_RULES = 200
MAX_TERMS = 200
MAX_TERM_LENGTH = 200
_RULE_FIELDS = ("product", "interface", "keywords", "tags", "interfaces")


class RoutingRuleError(ValueError):
    """A routing rule that cannot be used; `field` locates it (`routing_rules[2].keywords`)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True, slots=True)
class RoutingRule:
    """One rule: a target product (and interface) and the conditions that select it."""

    product: str
    interface: str | None = None
    keywords: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    interfaces: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The rule as stored (JSON-ready)."""
        return {
            "product": self.product,
            "interface": self.interface,
            "keywords": list(self.keywords),
            "tags": list(self.tags),
            "interfaces": list(self.interfaces),
        }


@dataclass(frozen=True, slots=True)
class RoutingInput:
    """What routing looks at in a feedback item."""

    text: str
    title: str | None = None
    tags: Sequence[str] = ()
    interface_hint: str | None = None


@dataclass(frozen=True, slots=True)
class RoutingDecision:
    """Where an item goes, and why (product None: unrouted, left for triage)."""

    product: str | None
    interface: str | None = None
    rule_index: int | None = None  # None: no rule matched
    why: str = ""
    matched: tuple[str, ...] = field(default=())


def _terms(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise RoutingRuleError(where, "expected a list of strings")
    if len(value) > MAX_TERMS:
        raise RoutingRuleError(where, f"at most {MAX_TERMS} entries")
    out: list[str] = []
    for i, term in enumerate(value):
        if not isinstance(term, str):
            raise RoutingRuleError(f"{where}[{i}]", "expected a string")
        term = " ".join(term.split())
        if not term:
            raise RoutingRuleError(f"{where}[{i}]", "empty; remove it")
        if len(term) > MAX_TERM_LENGTH:
            raise RoutingRuleError(f"{where}[{i}]", f"longer than {MAX_TERM_LENGTH} characters")
        out.append(term)
    return tuple(out)


def parse_rules(data: Any, *, name: str = "routing_rules") -> list[RoutingRule]:
    """Validate stored or submitted rules; raise `RoutingRuleError` naming the bad field."""
    if data is None:
        return []
    if not isinstance(data, list | tuple):
        raise RoutingRuleError(name, "expected a list of rules")
    if len(data) > MAX_RULES:
        raise RoutingRuleError(name, f"at most {MAX_RULES} rules")
    rules: list[RoutingRule] = []
    for i, raw in enumerate(data):
        where = f"{name}[{i}]"
        if isinstance(raw, RoutingRule):
            rules.append(raw)
            continue
        if not isinstance(raw, Mapping):
            raise RoutingRuleError(where, "expected an object with `product` and conditions")
        unknown = sorted(set(raw) - set(_RULE_FIELDS))
        if unknown:
            allowed = ", ".join(f"`{f}`" for f in _RULE_FIELDS)
            raise RoutingRuleError(f"{where}.{unknown[0]}", f"unknown field; allowed: {allowed}")
        product = raw.get("product")
        if not isinstance(product, str) or not product.strip():
            raise RoutingRuleError(f"{where}.product", "a product id is required")
        interface = raw.get("interface")
        if interface is not None and (not isinstance(interface, str) or not interface.strip()):
            raise RoutingRuleError(f"{where}.interface", "expected an interface name or null")
        rule = RoutingRule(
            product=product.strip(),
            interface=interface.strip() if interface else None,
            keywords=_terms(raw.get("keywords"), f"{where}.keywords"),
            tags=_terms(raw.get("tags"), f"{where}.tags"),
            interfaces=_terms(raw.get("interfaces"), f"{where}.interfaces"),
        )
        if not (rule.keywords or rule.tags or rule.interfaces):
            raise RoutingRuleError(
                where, "a rule needs at least one of `keywords`, `tags` or `interfaces`"
            )
        rules.append(rule)
    return rules


@lru_cache(maxsize=4096)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    # Whole words, any run of whitespace between the words of a phrase. Cached: a bulk
    # intake routes thousands of items through the same few rules.
    words = [re.escape(w) for w in keyword.casefold().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


def _interface_matches(hint: str, candidates: Iterable[str]) -> str | None:
    hint = hint.strip().casefold()
    for candidate in candidates:
        c = candidate.casefold()
        # `orders/api` matches `orders/api`, and a bare `api` matches the name part.
        if hint == c or hint.rsplit("/", 1)[-1] == c or c.rsplit("/", 1)[-1] == hint:
            return candidate
    return None


def _match(rule: RoutingRule, item: RoutingInput, haystack: str) -> list[str]:
    found: list[str] = []
    for keyword in rule.keywords:
        if _keyword_pattern(keyword).search(haystack):
            found.append(f"keyword `{keyword}`")
    item_tags = {t.strip().casefold() for t in item.tags if isinstance(t, str)}
    found.extend(f"tag `{tag}`" for tag in rule.tags if tag.casefold() in item_tags)
    if item.interface_hint:
        hit = _interface_matches(item.interface_hint, rule.interfaces)
        if hit:
            found.append(f"interface `{hit}`")
    return found


def route(
    item: RoutingInput,
    rules: Sequence[RoutingRule],
    *,
    default_product: str | None = None,
) -> RoutingDecision:
    """Apply the rules in order to one item (pure); fall back to the default product."""
    haystack = f"{item.title or ''}\n{item.text}".casefold()
    for index, rule in enumerate(rules):
        matched = _match(rule, item, haystack)
        if matched:
            return RoutingDecision(
                rule.product,
                rule.interface,
                index,
                f"rule {index + 1} matched {', '.join(matched)}",
                tuple(matched),
            )
    if default_product:
        return RoutingDecision(default_product, None, None, "no rule matched: default product")
    return RoutingDecision(None, None, None, "no rule matched and no default: left for triage")
