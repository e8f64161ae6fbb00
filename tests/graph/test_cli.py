"""`productize graph`: neighbours, impact, hubs, cycles and map in every format."""

from __future__ import annotations

import json

import pytest

from productize.cli import main

pytestmark = pytest.mark.django_db


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["graph", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_neighbours_as_text_and_json(small, capsys):
    code, out, _ = run(capsys, "neighbours", "shop")
    assert code == 0
    assert "shop: 2 providers, 2 consumers" in out and "← core (depth 1)" in out
    code, out, _ = run(capsys, "neighbours", "shop", "--format", "json", "--depth", "2")
    assert json.loads(out)["center"] == "shop"


@pytest.mark.parametrize(("fmt", "marker"), [("dot", "digraph"), ("mermaid", "flowchart"),
                                             ("svg", "<svg")])  # fmt: skip
def test_pictures(small, capsys, fmt, marker):
    code, out, _ = run(capsys, "neighbours", "shop", "--format", fmt)
    assert code == 0 and marker in out
    code, out, _ = run(capsys, "map", "--format", fmt)
    assert code == 0 and marker in out


def test_impact_names_the_owners_to_tell(small, capsys):
    code, out, _ = run(capsys, "impact", "core/api")
    assert code == 0
    assert "3 products depend on core/api" in out
    assert "[core/api] → shop → [shop/events] → report" in out
    assert "bob: billing, shop" in out
    code, out, _ = run(capsys, "impact", "core", "--format", "json")
    assert json.loads(out)["count"] == 3


def test_hubs_cycles_and_map(small, capsys):
    code, out, _ = run(capsys, "hubs", "--top", "1")
    assert out.strip() == "core: 3 direct, 3 in all"
    code, out, _ = run(capsys, "cycles", "--format", "json")
    assert [sorted(c["products"]) for c in json.loads(out)] == [["billing", "shop"]]
    code, out, _ = run(capsys, "map")
    assert code == 0 and "Market" in out


def test_mistakes(small, capsys):
    assert run(capsys, "impact", "nope")[0] == 1
    assert run(capsys, "neighbours")[0] == 2
    assert run(capsys, "hubs", "--format", "svg")[0] == 2
    assert run(capsys, "neighbours", "shop", "--depth", "9")[0] == 2
