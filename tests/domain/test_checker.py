"""Set-level checks over many documents, and `check_paths`."""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from productize.domain import checker
from productize.domain.checker import DocFacts, KnownIds, check_documents, check_paths
from productize.domain.findings import Severity
from tests.domain.conftest import FIXTURES, codes, docs, only

ORG = "kind: organization\nid: acme\nname: Acme\nmission: Help.\n"
ALICE = "kind: person\nid: alice\nname: Alice\n"
PAYMENTS = "kind: team\nid: payments\nname: Payments\n"


def product(pid: str, extra: str = "") -> str:
    return f"kind: product\nid: {pid}\nname: {pid.title()}\n{extra}"


def provider(pid: str = "billing", stability: str = "stable") -> str:
    return product(
        pid,
        "interfaces:\n  provides:\n    - name: api\n      kind: api\n"
        f"      stability: {stability}\n",
    )


def test_a_consistent_set_has_no_findings() -> None:
    found = check_documents(
        docs(
            ORG,
            ALICE,
            PAYMENTS + "members: [alice]\n",
            "kind: loop\nid: commerce\nname: C\nowners: [alice]\n",
            provider(),
            product(
                "shop",
                "loop: commerce\nowners: [alice, team:payments]\npart_of: billing\n"
                "interfaces:\n  consumes: [billing/api]\n",
            ),
        )
    )
    assert found == []


def test_duplicate_ids_are_reported_at_both_places() -> None:
    found = check_documents(
        docs(product("twin"), product("twin"), "kind: team\nid: twin\nname: T\n")
    )
    assert codes(found) == ["duplicate-id", "duplicate-id"]  # a team may share a product's id
    assert {f.path for f in found} == {"file0.productize.yaml", "file1.productize.yaml"}
    assert "file1.productize.yaml:2" in found[0].message
    assert all((f.line, f.column) == (2, 5) for f in found)


def test_a_second_organization_is_an_error() -> None:
    found = check_documents(docs(ORG, ORG.replace("acme", "other")))
    finding = only(found, "multiple-organizations")
    assert finding.path == "file1.productize.yaml"
    assert "file0.productize.yaml:1" in finding.message


def test_unknown_references_suggest_existing_ids() -> None:
    found = check_documents(
        docs(
            "kind: loop\nid: commerce\nname: C\n",
            ALICE,
            PAYMENTS + "members: [alise]\n",
            product("shop", "loop: comerce\npart_of: shopp\n"),
            "kind: person\nid: bob\nname: Bob\nteams: [paymets]\n",
        )
    )
    hints = {(f.field, f.hint) for f in found if f.code == "unknown-reference"}
    assert hints == {
        ("members[0]", "did you mean `alice`?"),
        ("loop", "did you mean `commerce`?"),
        ("part_of", "did you mean `shop`?"),
        ("teams[0]", "did you mean `payments`?"),
    }


def test_unknown_reference_without_a_close_match_mentions_partial() -> None:
    finding = only(check_documents(docs(product("shop", "loop: zzz\n"))), "unknown-reference")
    assert "--partial" in (finding.hint or "")
    assert (finding.line, finding.column) == (4, 7)


def test_parent_references_of_loops_and_teams() -> None:
    found = check_documents(
        docs("kind: loop\nid: a\nname: A\nparent: nope\n", PAYMENTS + "parent: nope\n")
    )
    assert [f.field for f in found] == ["parent", "parent"]
    assert codes(found) == ["unknown-reference"] * 2


@pytest.mark.parametrize(
    ("owners", "expected"),
    [
        ("[alice]", []),
        ("[person:alice]", []),
        ("[team:payments]", []),
        ("[ops]", ["ambiguous-owner"]),
        ("[person:ops, team:ops]", []),
        ("[team:alice]", ["unknown-reference"]),
        ("[person:payments]", ["unknown-reference"]),
        ("[nobody]", ["unknown-reference"]),
    ],
)
def test_owners(owners: str, expected: list[str]) -> None:
    found = check_documents(
        docs(
            ALICE,
            PAYMENTS,
            "kind: person\nid: ops\nname: O\n",
            "kind: team\nid: ops\nname: O\n",
            product("shop", f"owners: {owners}\n"),
        )
    )
    assert codes(found) == expected
    if expected == ["ambiguous-owner"]:
        assert found[0].hint == "write `person:ops` or `team:ops`"


def test_loop_owners_are_checked_too() -> None:
    found = check_documents(docs("kind: loop\nid: l\nname: L\nowners: [nobody]\n"))
    assert only(found, "unknown-reference").field == "owners[0]"


def test_membership_may_be_declared_on_either_side() -> None:
    found = check_documents(
        docs(
            PAYMENTS + "members: [alice]\n",
            ALICE,
            "kind: person\nid: bob\nname: Bob\nteams: [payments]\n",
        )
    )
    assert found == []


def test_duplicate_interface_names_in_one_product() -> None:
    text = product(
        "shop",
        "interfaces:\n  provides:\n    - name: api\n      kind: api\n"
        "    - name: api\n      kind: ui\n",
    )
    finding = only(check_documents(docs(text)), "duplicate-interface")
    assert (finding.line, finding.column) == (8, 13)
    assert "first at line 6" in finding.message


def test_consuming_its_own_interface() -> None:
    text = provider("shop").replace(
        "stability: stable\n", "stability: stable\n  consumes: [shop/api]\n"
    )
    finding = only(check_documents(docs(text)), "self-consumption")
    assert finding.field == "interfaces.consumes[0]"


def test_consumed_interface_must_exist() -> None:
    found = check_documents(
        docs(provider(), product("shop", "interfaces:\n  consumes: [billing/apj, biling/api]\n"))
    )
    assert [(f.code, f.hint) for f in found] == [
        ("unknown-reference", "did you mean `billing/api`?"),
        ("unknown-reference", "did you mean `billing/api`?"),
    ]
    assert [f.column for f in found] == [14, 27]


def test_deprecated_interface_is_a_warning_naming_the_provider() -> None:
    found = check_documents(
        docs(
            provider(stability="deprecated"),
            product("shop", "interfaces:\n  consumes: billing/api\n"),
        )
    )
    finding = only(found, "deprecated-interface")
    assert finding.severity is Severity.WARNING
    assert "`billing`" in finding.message


def test_consuming_twice_is_a_warning() -> None:
    found = check_documents(
        docs(
            provider(),
            product(
                "shop",
                "interfaces:\n  consumes:\n    - billing/api\n    - interface: billing/api\n",
            ),
        )
    )
    finding = only(found, "duplicate-consumes")
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.field) == (7, "interfaces.consumes[1]")


def test_part_of_cycle_is_reported_once_listing_the_cycle() -> None:
    found = check_documents(
        docs(
            product("c", "part_of: a\n"),
            product("a", "part_of: b\n"),
            product("b", "part_of: c\n"),
            product("d", "part_of: a\n"),  # leads into the cycle but is not part of it
        )
    )
    finding = only(found, "cycle")
    assert finding.message.endswith("a → b → c → a")
    assert (finding.path, finding.field) == ("file1.productize.yaml", "part_of")


def test_self_parent_and_team_cycles() -> None:
    found = check_documents(
        docs(
            "kind: loop\nid: l\nname: L\nparent: l\n",
            PAYMENTS + "parent: web\n",
            "kind: team\nid: web\nname: W\nparent: payments\n",
        )
    )
    messages = sorted(f.message for f in found if f.code == "cycle")
    assert messages == [
        "`parent` links form a cycle of loops: l → l",
        "`parent` links form a cycle of teams: payments → web → payments",
    ]


def test_known_ids_resolve_references_and_documents_replace_them() -> None:
    known = KnownIds(
        organizations=frozenset({"acme"}),
        loops={"commerce": None},
        teams={"payments": None},
        people=frozenset({"alice"}),
        products={"billing": None, "shop": "billing"},
        interfaces={"billing/api": "deprecated", "shop/old": "stable"},
    )
    found = check_documents(
        docs(
            product(
                "shop",
                "loop: commerce\nowners: [alice, team:payments]\n"
                "interfaces:\n  consumes: [billing/api]\n",
            ),
            product("other", "interfaces:\n  consumes: [shop/old]\n"),
            ORG.replace("acme", "second"),
        ),
        known=known,
    )
    # shop's document replaces what was known about it: `shop/old` no longer exists.
    assert codes(found) == ["multiple-organizations", "deprecated-interface", "unknown-reference"]
    assert "--partial" not in (found[-1].hint or "")


def test_known_parents_close_a_cycle() -> None:
    known = KnownIds(products={"a": "b", "b": None})
    found = check_documents(docs(product("b", "part_of: a\n")), known=known)
    assert only(found, "cycle").message.endswith("b → a → b")  # starts at the document


def test_partial_skips_unresolvable_references_but_not_what_it_can_see() -> None:
    found = check_documents(
        docs(
            provider(),
            product(
                "shop",
                "loop: elsewhere\nowners: [someone]\npart_of: parent\n"
                "interfaces:\n  consumes: [other/api, billing/nope]\n",
            ),
        ),
        partial=True,
    )
    assert [(f.code, f.field) for f in found] == [("unknown-reference", "interfaces.consumes[1]")]


def test_check_paths_on_the_valid_fixtures() -> None:
    report = check_paths([FIXTURES / "valid"])
    assert report.files == 5
    assert report.documents == {"organization": 1, "loop": 2, "team": 2, "person": 2, "product": 3}
    assert codes(report.findings) == ["deprecated-interface"]
    assert (report.errors, report.warnings, report.ok) == (0, 1, True)


def test_strict_turns_warnings_into_errors() -> None:
    report = check_paths([FIXTURES / "valid"], strict=True)
    assert (report.errors, report.warnings, report.ok) == (1, 0, False)
    assert report.as_dict()["strict"] is True


def test_findings_are_sorted_by_path_line_and_column(write: Callable[[str, str], Path]) -> None:
    b = write("b/product.yaml", "kind: product\nid: B\nname: x\nstage: no\n")
    write("a/product.yaml", "kind: product\nid: a\nname: x\nstage: no\n")
    report = check_paths([b.parent.parent])
    assert [(Path(f.path).parent.name, f.line) for f in report.findings] == [
        ("a", 4),
        ("b", 2),
        ("b", 4),
    ]


def test_process_pool_gives_the_same_report(
    write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for i in range(30):
        stage = "grown" if i % 7 == 0 else "idea"
        write(f"p{i}/product.yaml", product(f"p{i}", f"stage: {stage}\npart_of: p{(i + 1) % 30}\n"))
    serial = check_paths([tmp_path], jobs=1)
    monkeypatch.setattr(checker, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(checker, "CHUNK_FILES", 4)
    progress: list[tuple[int, int]] = []
    parallel = check_paths([tmp_path], jobs=2, progress=lambda d, t: progress.append((d, t)))
    assert parallel.findings == serial.findings
    assert codes(serial.findings).count("invalid-value") == 5
    assert progress[-1] == (30, 30)
    assert len(progress) == 8


_PARENT = os.getpid()
_REAL_PARSE_CHUNK = checker._parse_chunk


def _dying_worker(paths: list[str]) -> object:
    """Dies in any worker process, works in the parent (module level so it can be pickled)."""
    if os.getpid() != _PARENT:
        os._exit(1)
    return _REAL_PARSE_CHUNK(paths)


def test_a_killed_worker_does_not_lose_files(
    write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for i in range(12):
        write(f"p{i}/product.yaml", product(f"p{i}", "stage: grown\n"))
    monkeypatch.setattr(checker, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(checker, "CHUNK_FILES", 3)
    monkeypatch.setattr(checker, "_parse_chunk", _dying_worker)
    report = check_paths([tmp_path], jobs=2)
    assert codes(report.findings) == ["invalid-value"] * 12


def test_doc_facts_carry_the_places_of_references() -> None:
    (doc,) = docs(product("shop", "loop: l\nowners: [a, b]\ninterfaces:\n  consumes: [x/y]\n"))
    facts = DocFacts.of(doc)
    assert (facts.kind, facts.id, facts.loop, facts.owners) == ("product", "shop", "l", ("a", "b"))
    assert facts.consumes == ("x/y",)
    assert facts.locate(("owners", 1)) == (5, 13)
    assert facts.locate(("interfaces", "consumes", 0)) == (7, 14)
    assert facts.locate(("nothing",)) == (1, 1)
    assert pickle.loads(pickle.dumps(facts)) == facts  # noqa: S301 (our own bytes)
