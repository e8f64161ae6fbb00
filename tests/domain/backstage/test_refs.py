"""Entity references in all their forms, and the ids they map to."""

from __future__ import annotations

import pytest

from productize.domain.backstage.refs import EntityRef, id_for, parse_ref


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("checkout", EntityRef("group", "team-ns", "checkout")),
        ("user:ana", EntityRef("user", "team-ns", "ana")),
        ("group:default/ops", EntityRef("group", "default", "ops")),
        ("other/ops", EntityRef("group", "other", "ops")),
        ({"kind": "User", "name": "bo"}, EntityRef("User", "team-ns", "bo")),
    ],
)
def test_reference_forms_take_kind_from_the_field_and_namespace_from_the_entity(
    text: object, expected: EntityRef
) -> None:
    assert parse_ref(text, default_kind="group", namespace="team-ns") == expected


def test_references_compare_case_insensitively() -> None:
    a = parse_ref("Group:Default/Ops", default_kind=None, namespace="default")
    b = parse_ref("group:default/ops", default_kind=None, namespace="default")
    assert a.key == b.key
    assert str(a) == "group:Default/Ops"


@pytest.mark.parametrize("bad", ["", "group:", "a/b/c", 42, {"kind": "group"}])
def test_malformed_references_raise(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_ref(bad, default_kind="group", namespace="default")


def test_a_field_without_a_default_kind_needs_one() -> None:
    with pytest.raises(ValueError, match="names no kind"):
        parse_ref("thing", default_kind=None, namespace="default")


def test_ids_from_names_and_namespaces() -> None:
    assert id_for("default", "Payments_Core") == "payments-core"
    assert id_for("finance", "payments") == "finance-payments"
    assert id_for("DEFAULT", "a.b") == "a-b"
    long_a, long_b = "x" * 70 + "a", "x" * 70 + "b"
    assert len(id_for("default", long_a)) == 63
    assert id_for("default", long_a) != id_for("default", long_b)
