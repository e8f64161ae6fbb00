"""Did-you-mean and slugs."""

from __future__ import annotations

import pytest

from productize.domain.suggest import did_you_mean, hint_for, one_of, slugify


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Checkout Service", "checkout-service"),
        ("  Café Crème!! ", "cafe-creme"),
        ("a__b--c", "a-b-c"),
        ("Ünïcödé", "unicode"),
        ("!!!", ""),
        ("x" * 70 + " y", "x" * 63),
        ("a" * 62 + " bcd", "a" * 62),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_did_you_mean_prefers_case_and_separator_matches_then_synonyms_then_spelling() -> None:
    fields = ["owners", "does_not", "part_of", "mission"]
    assert did_you_mean("does-not", fields) == "does_not"
    assert did_you_mean("Part_Of", fields) == "part_of"
    assert did_you_mean("description", fields, synonyms={"description": "mission"}) == "mission"
    assert did_you_mean("ownrs", fields) == "owners"
    assert did_you_mean("zzzz", fields) is None
    assert did_you_mean("owners", fields) is None  # nothing to suggest for a correct word
    assert did_you_mean("x", []) is None


def test_hint_and_one_of() -> None:
    assert hint_for("prodct", ["product", "person"]) == "did you mean `product`?"
    assert hint_for("qqq", ["product"]) is None
    assert one_of(["a", "b", "c"]) == "a, b or c"
    assert one_of(["a"]) == "a"
