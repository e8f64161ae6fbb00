"""Safe YAML loading with positions, limits and findings for hostile input."""

from __future__ import annotations

import math
import time

import pytest

from productize.domain.findings import Severity
from productize.domain.yamlload import (
    MAX_FILE_BYTES,
    LoadResult,
    index_to_pos,
    load_yaml,
    offset_to_pos,
    resolve_plain,
)
from tests.domain.conftest import codes, only


def load(text: str | bytes, **limits: int) -> LoadResult:
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    return load_yaml("f.yaml", data, **limits)


def test_values_and_positions_of_keys_and_values() -> None:
    result = load("# comment\nkind: product\nscope:\n  does:\n    - a\n    - b\nowners: [x, y]\n")
    assert result.findings == []
    (doc,) = result.documents
    assert doc.value == {"kind": "product", "scope": {"does": ["a", "b"]}, "owners": ["x", "y"]}
    assert (doc.line, doc.column) == (2, 1)
    pos = doc.positions
    assert pos.key(("kind",)) == (2, 1)
    assert pos.value(("kind",)) == (2, 7)
    assert pos.key(("scope", "does")) == (4, 3)
    assert pos.value(("scope", "does", 1)) == (6, 7)
    assert pos.value(("owners", 1)) == (7, 13)


def test_position_of_a_missing_path_falls_back_to_the_nearest_parent() -> None:
    (doc,) = load("a:\n  b: 1\n").documents
    assert doc.positions.value(("a", "b", "c", 3)) == (2, 6)
    assert doc.positions.value(("nothing",)) == (1, 1)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"),  # YAML 1.2 core schema: no "Norway problem"
        ("no", "no"),
        ("on", "on"),
        ("2024-01-01", "2024-01-01"),  # dates stay text
        ("1.2.3", "1.2.3"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("12", 12),
        ("-3", -3),
        ("0x1f", 31),
        ("0o17", 15),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("-.inf", -math.inf),
        ("text", "text"),
    ],
)
def test_plain_scalars_resolve_with_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    assert resolve_plain(text) == value
    assert type(resolve_plain(text)) is type(value)


def test_nan_resolves_to_nan() -> None:
    assert math.isnan(resolve_plain(".nan"))


def test_quoted_scalars_stay_text_and_raw_text_is_kept_for_non_strings() -> None:
    (doc,) = load("a: '12'\nb: 12\nc: yes\n").documents
    assert doc.value == {"a": "12", "b": 12, "c": "yes"}
    assert doc.positions.raw == {("b",): "12"}


def test_bom_is_accepted_and_columns_ignore_it() -> None:
    result = load("\ufeffkind: product\n".encode())
    assert result.findings == []
    assert result.documents[0].value == {"kind": "product"}
    assert result.documents[0].positions.value(("kind",)) == (1, 7)


def test_crlf_line_endings_are_accepted_with_correct_lines() -> None:
    result = load(b"a: 1\r\nb:\r\n  - x\r\n")
    assert result.findings == []
    (doc,) = result.documents
    assert doc.value == {"a": 1, "b": ["x"]}
    assert doc.positions.value(("b", 0)) == (3, 5)


def test_duplicate_key_is_an_error_naming_both_places() -> None:
    result = load("a: 1\nb: 2\na: 3\n")
    finding = only(result.findings, "duplicate-key")
    assert (finding.line, finding.column) == (3, 1)
    assert "line 1, column 1" in finding.message
    assert finding.severity is Severity.ERROR
    assert result.documents[0].ok is False
    assert result.documents[0].value == {"a": 1, "b": 2}  # the first, never a silent overwrite


@pytest.mark.parametrize(
    ("text", "shown"),
    [("1: a\n", "`1`"), ("true: a\n", "`true`"), ("null: a\n", "`null`"), ("? [1]\n: a\n", "list")],
)
def test_non_string_keys_are_errors(text: str, shown: str) -> None:
    finding = only(load(text).findings, "non-string-key")
    assert shown in finding.message
    assert finding.line == 1


def test_tab_indentation_gets_a_clear_error_with_a_hint() -> None:
    finding = only(load("a:\n  b: 1\n\tc: 2\n").findings, "tab-indent")
    assert (finding.line, finding.column) == (3, 1)
    assert finding.hint and "spaces" in finding.hint


def test_tab_after_a_colon_is_fine() -> None:
    assert load("a:\t1\n").documents[0].value == {"a": 1}


def test_binary_file_is_rejected_at_the_nul_byte() -> None:
    finding = only(load(b"a: 1\nb: \x00\x01").findings, "binary-file")
    assert (finding.line, finding.column) == (2, 4)


def test_non_utf8_bytes_are_located_by_line_and_column() -> None:
    finding = only(load(b"a: 1\nname: caf\xe9\n").findings, "not-utf8")
    assert (finding.line, finding.column) == (2, 10)
    assert "0xe9" in finding.message and "offset 14" in finding.message


def test_utf16_is_rejected_with_a_hint() -> None:
    finding = only(load("a: 1\n".encode("utf-16")).findings, "not-utf8")
    assert finding.hint == "save it as UTF-8"


def test_control_character_is_located() -> None:
    finding = only(load("a: 1\nb: x\x07\n").findings, "control-character")
    assert (finding.line, finding.column) == (2, 5)


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "---\n", "~\n"])
def test_empty_file_is_a_warning(text: str) -> None:
    result = load(text)
    finding = only(result.findings, "empty-file")
    assert finding.severity is Severity.WARNING
    assert (finding.line, finding.column) == (0, 0)


def test_a_50_mb_file_is_rejected_fast_without_parsing() -> None:
    data = b"a: " + b"x" * (50 * 1024 * 1024)
    started = time.perf_counter()
    result = load_yaml("big.yaml", data)
    assert time.perf_counter() - started < 0.5
    finding = only(result.findings, "file-too-large")
    assert f"{MAX_FILE_BYTES:,}" in finding.message
    assert result.documents == []


def test_deep_flow_nesting_is_stopped_quickly() -> None:
    started = time.perf_counter()
    result = load("[" * 10_000 + "]" * 10_000)
    assert time.perf_counter() - started < 2
    finding = only(result.findings, "too-deep")
    assert finding.line == 1


def test_depth_limit_applies_to_block_nesting_and_is_configurable() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(10)) + "  " * 10 + "leaf: 1\n"
    assert load(text).findings == []
    finding = only(load(text, max_depth=5).findings, "too-deep")
    assert (finding.line, finding.column) == (6, 11)


def test_alias_bomb_is_rejected_quickly_without_expanding() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        name, prev = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    result = load("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1
    finding = only(result.findings, "alias-expansion")
    assert finding.line > 1
    assert result.documents == []


def test_small_aliases_are_allowed_and_shared() -> None:
    result = load("base: &b [x, y]\ncopy: *b\n")
    assert result.findings == []
    assert result.documents[0].value == {"base": ["x", "y"], "copy": ["x", "y"]}


def test_node_limit_counts_every_node() -> None:
    finding = only(load("[" + "1," * 50 + "1]", max_nodes=20).findings, "too-many-nodes")
    assert finding.line == 1


def test_recursive_alias_is_an_error_and_the_next_document_still_loads() -> None:
    result = load("a: &x [1, *x]\n---\nb: 2\n")
    finding = only(result.findings, "recursive-alias")
    assert (finding.line, finding.column) == (1, 11)
    assert [d.value for d in result.documents] == [{"b": 2}]


def test_undefined_alias_is_an_error() -> None:
    result = load("a: *nope\n")
    assert (only(result.findings, "undefined-alias").column) == 4
    assert result.documents[0].ok is False


def test_merge_keys_are_not_supported() -> None:
    result = load("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
    assert (only(result.findings, "merge-key").line) == 3


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert load("'<<': 1\n").documents[0].value == {"<<": 1}


def test_unknown_tags_are_rejected_and_standard_tags_work() -> None:
    result = load(
        "a: !!python/object:os.system x\nb: !!int 12\nc: !!str 12\nd: !custom {x: 1}\n"
        "e: !!float 1\nf: !!bool true\ng: ! 12\n"
    )
    assert codes(result.findings) == ["unsupported-tag", "unsupported-tag"]
    assert [f.line for f in result.findings] == [1, 4]
    value = result.documents[0].value
    assert value["b"] == 12 and value["c"] == "12" and value["e"] == 1.0 and value["f"] is True
    assert value["g"] == "12"


@pytest.mark.parametrize(
    "text", ["a: !!int abc\n", "a: !!bool 1\n", "a: !!null x\n", "a: !!int true\n"]
)
def test_values_that_do_not_match_their_tag_are_errors(text: str) -> None:
    assert codes(load(text).findings) == ["invalid-tagged-value"]


def test_syntax_error_is_located_and_later_documents_still_load() -> None:
    result = load("kind: a\n---\nkind: [b\n---\nkind: c\n---\n- x\n")
    finding = only(result.findings, "yaml-syntax")
    assert finding.line == 4
    assert "line 3, column 7" in finding.message
    assert [(d.index, d.value) for d in result.documents] == [
        (0, {"kind": "a"}),
        (2, {"kind": "c"}),
        (3, ["x"]),
    ]
    assert result.documents[1].line == 5


def test_unterminated_quote_reports_where_it_started() -> None:
    finding = only(load("a: 'open\nb: 1\n").findings, "yaml-syntax")
    assert "line 1, column 4" in finding.message


def test_documents_are_indexed_and_positioned_in_the_whole_file() -> None:
    result = load("a: 1\n---\n# c\nb: 2\n")
    assert [(d.index, d.line) for d in result.documents] == [(0, 1), (1, 4)]


def test_offset_and_index_helpers() -> None:
    assert offset_to_pos(b"ab\ncd\xc3\xa9f", 7) == (2, 4)
    assert index_to_pos("ab\ncd", 4) == (2, 2)
    assert index_to_pos("ab", 99) == (1, 3)
