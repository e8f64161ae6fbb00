"""The routing rule: first matching rule wins, whole-word keywords, tags, interface hints."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productize.domain.loop.routing import (
    RoutingInput,
    RoutingRuleError,
    parse_rules,
    route,
)

RULES = parse_rules(
    [
        {"product": "auth", "keywords": ["log in", "password"]},
        {"product": "billing", "interface": "invoices", "tags": ["Invoice"]},
        {"product": "orders", "interface": "api", "interfaces": ["orders/api"]},
    ]
)


def test_keyword_phrase_matches_whole_words_across_whitespace() -> None:
    decision = route(RoutingInput(text="I cannot LOG\n  in since Monday"), RULES)
    assert decision.product == "auth"
    assert decision.rule_index == 0
    assert "keyword `log in`" in decision.why


def test_keyword_does_not_match_inside_another_word() -> None:
    decision = route(RoutingInput(text="the catalog included a blog login-free"), RULES)
    assert decision.product is None
    assert "triage" in decision.why


def test_title_is_searched_too() -> None:
    assert route(RoutingInput(title="Password reset", text="broken"), RULES).product == "auth"


def test_tags_match_case_insensitively_and_set_the_interface() -> None:
    decision = route(RoutingInput(text="x", tags=["invoice"]), RULES)
    assert (decision.product, decision.interface) == ("billing", "invoices")


def test_interface_hint_matches_ref_or_bare_name() -> None:
    assert route(RoutingInput(text="x", interface_hint="orders/api"), RULES).product == "orders"
    assert route(RoutingInput(text="x", interface_hint="API"), RULES).product == "orders"


def test_first_matching_rule_wins() -> None:
    decision = route(RoutingInput(text="password on my invoice", tags=["invoice"]), RULES)
    assert decision.product == "auth"


def test_default_product_when_nothing_matches() -> None:
    decision = route(RoutingInput(text="hello"), RULES, default_product="catalog")
    assert decision.product == "catalog"
    assert decision.rule_index is None
    assert "default" in decision.why


def test_regex_characters_in_keywords_are_literal() -> None:
    rules = parse_rules([{"product": "p", "keywords": ["c++ (build)"]}])
    assert route(RoutingInput(text="my c++ (build) fails"), rules).product == "p"
    assert route(RoutingInput(text="my cxx build fails"), rules).product is None


def test_rule_round_trips_through_as_dict() -> None:
    assert parse_rules([r.as_dict() for r in RULES]) == RULES


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("nope", "routing_rules"),
        ([1], "routing_rules[0]"),
        ([{"keywords": ["x"]}], "routing_rules[0].product"),
        ([{"product": "p"}], "routing_rules[0]"),
        ([{"product": "p", "keywords": "x", "colour": 1}], "routing_rules[0].colour"),
        ([{"product": "p", "keywords": ["ok", "  "]}], "routing_rules[0].keywords[1]"),
        ([{"product": "p", "keywords": [3]}], "routing_rules[0].keywords[0]"),
        ([{"product": "p", "tags": {"a": 1}}], "routing_rules[0].tags"),
        ([{"product": "p", "tags": ["a"], "interface": ""}], "routing_rules[0].interface"),
    ],
)
def test_bad_rules_name_the_field(data: object, field: str) -> None:
    with pytest.raises(RoutingRuleError) as caught:
        parse_rules(data)
    assert caught.value.field == field
    assert str(caught.value).startswith(field + ":")


def test_a_single_keyword_string_is_accepted() -> None:
    assert parse_rules([{"product": "p", "keywords": "refund"}])[0].keywords == ("refund",)


@settings(deadline=None)  # a busy machine must not fail it on time
@given(
    text=st.text(max_size=300),
    keywords=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=5),
    tags=st.lists(st.text(max_size=10), max_size=5),
)
def test_any_text_and_keywords_route_without_crashing(
    text: str, keywords: list[str], tags: list[str]
) -> None:
    try:
        rules = parse_rules([{"product": "p", "keywords": keywords}])
    except RoutingRuleError as error:
        assert error.field.startswith("routing_rules[0].keywords")  # blank ones are refused
        return
    decision = route(RoutingInput(text=text, tags=tags), rules, default_product="d")
    assert decision.product in {"p", "d"}
    if decision.product == "p":
        assert decision.rule_index == 0 and decision.matched
