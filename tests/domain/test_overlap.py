"""Scope overlap between products, on a small hand-made catalog with known answers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productize.domain.overlap import OverlapInput, find_overlaps, stem, tokens

CATALOG = [
    OverlapInput(
        "orders",
        "Keep track of every box someone has ordered until it is at their door.",
        ["Record new orders, changes, skips and cancellations", "Hold each order's slot"],
    ),
    OverlapInput(
        "box-tracker",
        "Track every ordered box until it reaches the door.",
        ["Record orders and cancellations"],
    ),
    OverlapInput(
        "payments",
        "Take payments from customers and issue refunds.",
        ["Charge cards", "Issue refunds"],
    ),
    OverlapInput(
        "billing", "Charge customers and refund them when needed.", ["Charge cards", "Invoices"]
    ),
    OverlapInput("handbook", "A handbook for growers on how to farm.", []),
    OverlapInput("rota", "Plan who drives which van on which day.", ["Driver shifts"]),
    OverlapInput("empty", None, []),
]


def test_known_overlaps_are_found_with_their_words():
    pairs = find_overlaps(CATALOG, threshold=0.25)
    assert [(p.a, p.b) for p in pairs] == [("orders", "box-tracker"), ("payments", "billing")]
    first = pairs[0]
    assert {"box", "door"} <= set(first.shared_words)
    assert 0.25 <= first.similarity <= 1
    assert "charge" in pairs[1].shared_words


def test_threshold_filters_weaker_pairs():
    assert [(p.a, p.b) for p in find_overlaps(CATALOG, threshold=0.4)] == [
        ("orders", "box-tracker")
    ]
    assert find_overlaps(CATALOG, threshold=0.99) == []


def test_identical_products_have_similarity_one():
    twin = [OverlapInput("a", "Sell boxes of fruit."), OverlapInput("b", "Sell boxes of fruit."),
            OverlapInput("c", "Drive vans.")]  # fmt: skip
    (pair,) = find_overlaps(twin)
    assert (pair.a, pair.b, pair.similarity) == ("a", "b", 1.0)


def test_only_stop_words_never_overlap():
    items = [OverlapInput("a", "It is what it is."), OverlapInput("b", "It is what it is.")]
    assert find_overlaps(items) == []


def test_fewer_than_two_products():
    assert find_overlaps([]) == []
    assert find_overlaps(CATALOG[:1]) == []


def test_the_index_skips_only_very_common_words():
    # 100 products share "box"; two also share a rare pair of words.
    items = [OverlapInput(f"p{i}", f"box number{i} thing{i}") for i in range(100)]
    items += [OverlapInput("x", "box cheese grater"), OverlapInput("y", "box cheese grater")]
    pairs = find_overlaps(items, max_df=0.01, min_df_cap=5)
    assert [(p.a, p.b) for p in pairs] == [("x", "y")]


@pytest.mark.parametrize(
    ("words", "same"),
    [
        (("orders", "ordered", "ordering", "order"), True),
        (("deliveries", "delivery", "delivered"), True),
        (("charges", "charge", "charging"), True),
        (("box", "boxes"), True),
        (("order", "farm"), False),
    ],
)
def test_stemming(words: tuple[str, ...], same: bool):
    assert (len({stem(w) for w in words}) == 1) is same


def test_tokens_drop_stop_words():
    assert tokens("Keep track of the boxes") == ["keep", "track", "box"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=120), min_size=2, max_size=8))
def test_overlap_never_raises_and_stays_in_range(missions: list[str]):
    items = [OverlapInput(f"p{i}", text, [text[:10]]) for i, text in enumerate(missions)]
    for pair in find_overlaps(items, threshold=0.0):
        assert 0.0 <= pair.similarity <= 1.0001
        assert pair.a != pair.b
