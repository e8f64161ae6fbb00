"""Descriptor documents: dispatch on kind, validation, and errors located with a hint."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from productize.domain import parse as parse_module
from productize.domain.checker import check_paths
from productize.domain.descriptors import OrganizationDoc, ProductDoc
from productize.domain.findings import Severity
from productize.domain.parse import dotted, parse_bytes, parse_file
from productize.domain.yamlload import MAX_FILE_BYTES
from tests.domain.conftest import FIXTURES, codes, only, parse_text

PRODUCT = "kind: product\nid: checkout\nname: Checkout\n"


def test_a_valid_product_parses_with_its_location() -> None:
    parsed = parse_text("# hello\n" + PRODUCT + "stage: growing\n")
    assert parsed.findings == []
    assert parsed.ok
    (doc,) = parsed.documents
    assert isinstance(doc.model, ProductDoc)
    assert (doc.kind, doc.id, doc.index, doc.line, doc.column) == ("product", "checkout", 0, 2, 1)
    assert doc.locate(("stage",)) == (5, 8)
    assert doc.locate(("stage",), key=True) == (5, 1)


def test_sha256_is_of_the_bytes() -> None:
    data = PRODUCT.encode()
    assert parse_bytes("p.yaml", data).sha256 == hashlib.sha256(data).hexdigest()


def test_organisation_spelling_is_accepted() -> None:
    parsed = parse_text("kind: organisation\nid: acme\nname: Acme\nmission: Help.\n")
    assert parsed.findings == []
    assert isinstance(parsed.documents[0].model, OrganizationDoc)
    assert parsed.documents[0].kind == "organization"


def test_unknown_field_suggests_the_closest_field() -> None:
    finding = only(parse_text(PRODUCT + "owner: [alice]\n").findings, "unknown-field")
    assert (finding.line, finding.column, finding.field) == (4, 1, "owner")
    assert finding.hint == "did you mean `owners`?"


def test_unknown_nested_field_suggests_among_that_level() -> None:
    text = (
        PRODUCT
        + "interfaces:\n  provides:\n    - name: api\n      kind: api\n      stabilty: stable\n"
    )
    finding = only(parse_text(text).findings, "unknown-field")
    assert finding.field == "interfaces.provides[0].stabilty"
    assert (finding.line, finding.column) == (8, 7)
    assert finding.hint == "did you mean `stability`?"


def test_unknown_field_with_no_close_match_lists_the_allowed_fields() -> None:
    text = PRODUCT + "alignment:\n  kind: direct\n  why: x\n  zzz: 1\n"
    finding = only(parse_text(text).findings, "unknown-field")
    assert finding.hint == "allowed fields here: kind, why"


def test_a_familiar_synonym_points_at_the_right_field() -> None:
    finding = only(parse_text(PRODUCT + "description: hi\n").findings, "unknown-field")
    assert finding.hint == "did you mean `mission`?"


def test_bad_enum_value_lists_the_choices_and_the_nearest() -> None:
    finding = only(parse_text(PRODUCT + "stage: grown\n").findings, "invalid-value")
    assert (finding.line, finding.column) == (4, 8)
    assert "idea, prototype, established, growing, maintained or retired" in finding.message
    assert finding.hint == "did you mean `growing`?"


def test_bad_id_suggests_a_slug() -> None:
    finding = only(
        parse_text("kind: product\nid: Checkout Service\nname: x\n").findings, "invalid-id"
    )
    assert (finding.line, finding.column) == (2, 5)
    assert finding.hint == "did you mean `checkout-service`?"


def test_bad_id_in_a_reference_list_is_located_at_the_item() -> None:
    text = "kind: team\nid: t\nname: T\nmembers:\n  - alice\n  - Bob Smith\n"
    finding = only(parse_text(text).findings, "invalid-id")
    assert (finding.line, finding.column, finding.field) == (6, 5, "members[1]")
    assert finding.hint == "did you mean `bob-smith`?"


def test_missing_kind_guesses_from_the_file_name() -> None:
    finding = only(parse_text("id: x\nname: X\n", "svc/product.yaml").findings, "missing-kind")
    assert finding.hint == "add `kind: product`"
    other = only(parse_text("id: x\n", "x.productize.yaml").findings, "missing-kind")
    assert "organization, loop, team, person or product" in (other.hint or "")


@pytest.mark.parametrize(("kind", "hint"), [("prodct", "did you mean `product`?"), ("zzz", None)])
def test_unknown_kind_suggests_the_nearest(kind: str, hint: str | None) -> None:
    finding = only(parse_text(f"kind: {kind}\nid: x\n").findings, "unknown-kind")
    assert (finding.line, finding.column) == (1, 7)
    assert finding.hint == hint


def test_non_text_kind_is_an_unknown_kind() -> None:
    assert codes(parse_text("kind: [a]\nid: x\n").findings) == ["unknown-kind"]


def test_missing_id_suggests_one_from_the_name() -> None:
    finding = only(parse_text("kind: product\nname: Checkout Service\n").findings, "missing-id")
    assert finding.hint == "add `id: checkout-service`"


def test_missing_required_field_is_located_at_its_parent() -> None:
    text = "kind: product\nid: x\nname: X\nalignment:\n  kind: direct\n"
    finding = only(parse_text(text).findings, "missing-field")
    assert (finding.line, finding.column) == (4, 1)
    assert "`why`" in finding.message and "`alignment`" in finding.message


def test_wrong_type_suggests_quotes_for_scalars_yaml_read_as_numbers() -> None:
    finding = only(parse_text(PRODUCT + "annotations:\n  version: 1.10\n").findings, "wrong-type")
    assert (finding.line, finding.column) == (5, 12)
    assert finding.hint == 'put it in quotes: `"1.10"`'


def test_wrong_type_for_a_section() -> None:
    finding = only(parse_text(PRODUCT + "scope: everything\n").findings, "wrong-type")
    assert "should be a mapping, got text" in finding.message


def test_interface_reference_in_short_form_is_located_at_the_item() -> None:
    text = PRODUCT + "interfaces:\n  consumes:\n    - a/b\n    - Billing API\n"
    finding = only(parse_text(text).findings, "invalid-reference")
    assert (finding.line, finding.column, finding.field) == (7, 7, "interfaces.consumes[1]")
    assert "product-id/interface-name" in finding.message


def test_owner_reference_suggests_a_fix() -> None:
    finding = only(parse_text(PRODUCT + "owners: [Team:Payments]\n").findings, "invalid-reference")
    assert finding.hint == "did you mean `team:payments`?"


def test_empty_and_too_long_texts() -> None:
    assert codes(parse_text("kind: product\nid: x\nname: ''\n").findings) == ["empty-value"]
    long_name = "kind: product\nid: x\nname: " + "n" * 501 + "\n"
    assert codes(parse_text(long_name).findings) == ["too-long"]


def test_bad_email_and_tag() -> None:
    person = "kind: person\nid: p\nname: P\nemail: nope\n"
    assert (
        only(parse_text(person).findings, "invalid-value").hint
        == "write it like `name@example.com`"
    )
    tag = only(parse_text(PRODUCT + "tags: [Bad Tag]\n").findings, "invalid-value")
    assert tag.hint == "did you mean `bad-tag`?"


def test_not_a_mapping() -> None:
    finding = only(parse_text("- a\n- b\n").findings, "not-a-mapping")
    assert "a list" in finding.message


def test_one_bad_document_does_not_hide_the_others() -> None:
    text = PRODUCT + "---\nkind: product\nid: Bad Id\nname: x\n---\nkind: person\nid: p\nname: P\n"
    parsed = parse_text(text)
    assert [d.id for d in parsed.documents] == ["checkout", "p"]
    assert [d.index for d in parsed.documents] == [0, 2]
    finding = only(parsed.findings, "invalid-id")
    assert (finding.line, finding.document) == (6, 1)


def test_a_document_with_a_loading_error_is_reported_once_and_skipped() -> None:
    parsed = parse_text("kind: product\nid: x\nname: *missing\n")
    assert codes(parsed.findings) == ["undefined-alias"]
    assert parsed.documents == []


def test_duplicate_key_document_is_skipped_but_still_validated() -> None:
    parsed = parse_text("kind: product\nid: x\nname: A\nname: B\nstage: grown\n")
    assert codes(parsed.findings) == ["duplicate-key", "invalid-value"]
    assert parsed.documents == []


def test_empty_documents_are_skipped_silently() -> None:
    parsed = parse_text("---\n" + PRODUCT + "---\n")
    assert parsed.findings == []
    assert len(parsed.documents) == 1


def test_unexpected_exceptions_become_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(parse_module, "load_yaml", boom)
    parsed = parse_bytes("x.yaml", b"a: 1\n")
    finding = only(parsed.findings, "internal-error")
    assert (finding.path, finding.line, finding.column) == ("x.yaml", 0, 0)
    assert "kaboom" in finding.message
    assert parsed.documents == []


def test_parse_file_uses_the_display_path(write: Callable[[str, str], Path]) -> None:
    path = write("a/product.yaml", PRODUCT + "stage: grown\n")
    parsed = parse_file(path, display_path="shown/product.yaml")
    assert parsed.path == "shown/product.yaml"
    assert parsed.findings[0].path == "shown/product.yaml"


def test_parse_file_rejects_a_50_mb_file_fast_without_reading_it(tmp_path: Path) -> None:
    big = tmp_path / "product.yaml"
    with open(big, "wb") as handle:
        chunk = b"kind: product\nname: " + b"x" * (1024 * 1024) + b"\n"
        for _ in range(50):
            handle.write(chunk)
    started = time.perf_counter()
    parsed = parse_file(big)
    report = check_paths([tmp_path])
    assert time.perf_counter() - started < 0.5
    assert codes(parsed.findings) == ["file-too-large"]
    assert parsed.sha256 == ""
    assert codes(report.findings) == ["file-too-large"]


def test_parse_file_never_opens_a_file_over_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "product.yaml"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: large on paper, nothing to write
    monkeypatch.setattr("builtins.open", lambda *a, **k: pytest.fail("the file was opened"))
    assert codes(parse_file(big).findings) == ["file-too-large"]


def test_parse_file_of_a_directory_or_missing_file(tmp_path: Path) -> None:
    assert codes(parse_file(tmp_path).findings) == ["unreadable-file"]
    assert codes(parse_file(tmp_path / "nope.yaml").findings) == ["unreadable-file"]


def test_parse_file_without_permission(
    write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write("product.yaml", PRODUCT)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", denied)  # chmod does not stop root, who runs CI here
    finding = only(parse_file(path).findings, "unreadable-file")
    assert finding.message == "cannot read the file: Permission denied"


def test_parse_file_of_a_fifo_does_not_block(tmp_path: Path) -> None:
    fifo = tmp_path / "product.yaml"
    os.mkfifo(fifo)
    assert only(parse_file(fifo).findings, "unreadable-file").message.endswith("regular file")


def test_every_fixture_in_valid_parses_cleanly() -> None:
    files = sorted(p for p in (FIXTURES / "valid").rglob("*.y*ml") if p.is_file())
    assert len(files) >= 4
    for path in files:
        parsed = parse_file(path)
        assert parsed.findings == [], [f.render() for f in parsed.findings]
        assert parsed.documents


def test_findings_carry_severity_field_and_document() -> None:
    finding = parse_text(PRODUCT + "stage: grown\n").findings[0]
    assert finding.severity is Severity.ERROR
    assert (finding.field, finding.document) == ("stage", 0)


def test_dotted_paths() -> None:
    assert dotted(("interfaces", "consumes", 2, "interface")) == "interfaces.consumes[2].interface"
    assert dotted(()) is None
