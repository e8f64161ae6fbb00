"""Graph policies: parsing the catalog block and checking a hand-made graph."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from productize.domain.graph import ProductGraph
from productize.domain.graph_policy import GraphPolicy, Violation, check_policies

from .conftest import build


def test_policy_block_mapping_and_list_forms() -> None:
    mapping = GraphPolicy.model_validate(
        {"no-cycles": True, "no-experimental-from-maintained": True, "max-fan-out": 3}
    )
    listed = GraphPolicy.model_validate(
        ["no-cycles", "no-experimental-from-maintained", {"max-fan-out": 3}]
    )
    assert mapping == listed
    assert mapping.enabled == ["no-cycles", "no-experimental-from-maintained", "max-fan-out"]
    assert GraphPolicy.model_validate(None).enabled == []
    assert GraphPolicy(no_cycles=True).no_cycles  # Python names work too


@pytest.mark.parametrize(
    "block", [{"no-cycle": True}, {"max-fan-out": 0}, {"max-fan-out": "many"}, [3]]
)
def test_policy_block_rejects_mistakes(block: object) -> None:
    with pytest.raises(ValidationError):
        GraphPolicy.model_validate(block)


def test_nothing_enabled_nothing_reported(shop_graph: ProductGraph) -> None:
    assert check_policies(shop_graph, GraphPolicy()) == []


def test_no_cycles_reports_each_member(shop_graph: ProductGraph) -> None:
    found = check_policies(shop_graph, GraphPolicy(no_cycles=True))
    assert [(v.policy, v.product) for v in found] == [
        ("no-cycles", "billing"),
        ("no-cycles", "ledger"),
    ]
    assert "billing → ledger (via ledger/api) → billing (via billing/api)" in found[0].message
    assert found[0].hint


def test_no_experimental_from_maintained() -> None:
    graph = build(
        {"core": "maintained", "beta": "prototype", "app": "growing", "self": "maintained"},
        {"beta/api": "experimental", "core/api": "stable", "self/x": "experimental"},
        [("core", "beta/api"), ("app", "beta/api"), ("beta", "core/api"), ("self", "self/x")],
    )
    found = check_policies(graph, GraphPolicy(no_experimental_from_maintained=True))
    assert found == [
        Violation(
            "no-experimental-from-maintained",
            "core",
            "core is maintained but consumes experimental interface beta/api",
            "Ask the owners of beta to declare beta/api stable, or stop using it from core.",
            "beta/api",
        )
    ]


def test_max_fan_out_counts_distinct_providers() -> None:
    providers = [f"p{i}" for i in range(4)]
    graph = build(
        {"hungry": "growing", "modest": "growing", **{p: "idea" for p in providers}},
        {**{f"{p}/a": "stable" for p in providers}, **{f"{p}/b": "stable" for p in providers}},
        [("hungry", f"{p}/{n}") for p in providers for n in ("a", "b")]
        + [("modest", "p0/a"), ("modest", "p0/b"), ("modest", "p1/a")],
    )
    found = check_policies(graph, GraphPolicy.model_validate({"max-fan-out": 3}))
    assert [v.product for v in found] == ["hungry"]
    assert "depends on 4 products (at most 3 allowed): p0, p1, p2, p3" in found[0].message
    assert check_policies(graph, GraphPolicy.model_validate({"max-fan-out": 4})) == []
    assert found[0].as_dict()["policy"] == "max-fan-out"


def test_no_cycles_says_when_a_member_is_not_on_the_example_path() -> None:
    graph = build(
        {p: "idea" for p in ("a", "b", "c")},
        {f"{p}/i": "stable" for p in ("a", "b", "c")},
        [("a", "b/i"), ("b", "c/i"), ("c", "a/i"), ("b", "a/i")],
    )
    found = {v.product: v.message for v in check_policies(graph, GraphPolicy(no_cycles=True))}
    assert found["a"] == (
        "a is part of a dependency cycle of 3 products: a → b (via b/i) → a (via a/i)"
    )
    assert "one cycle among them: a → b" in found["c"]
