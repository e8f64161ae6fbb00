"""CSV import: mapping, encodings, malformed rows, hostile content."""

from __future__ import annotations

import codecs
import csv
from datetime import UTC, datetime

from productize.domain.loop.importers import ColumnMapping, import_csv

MAPPING = ColumnMapping(
    text="Message",
    title="Subject",
    external_id="Ticket",
    author="Name",
    author_contact="Email",
    created_at="Created",
    product_hint="Product",
    labels="Tags",
)
HEADER = "Ticket,Subject,Message,Name,Email,Created,Product,Tags\n"


def run(text: str | bytes, mapping: ColumnMapping = MAPPING, **kwargs: object):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return import_csv(data, mapping=mapping, source="zendesk", **kwargs)  # type: ignore[arg-type]


def test_rows_become_feedback_inputs() -> None:
    result = run(
        HEADER + '17,Login loop,"I log in, then I am\nlogged out",Ana Costa,ana@example.org,'
        "2026-02-01T10:00:00Z,shop-app,bug; login\n"
    )
    assert result.skipped == [] and result.notes == []
    (item,) = result.items
    assert item.source == "zendesk"
    assert item.external_id == "17"
    assert item.title == "Login loop"
    assert item.text == "I log in, then I am\nlogged out"
    assert (item.author, item.author_contact) == ("Ana Costa", "ana@example.org")
    assert item.created_at == datetime(2026, 2, 1, 10, tzinfo=UTC)
    assert item.product_hint == "shop-app"
    assert item.labels == ("bug", "login")
    assert item.idempotence_key == ("zendesk", "17")


def test_header_names_match_regardless_of_case_and_spaces() -> None:
    result = run(
        " message ,EMAIL\nhello,a@b.c\n", ColumnMapping(text="Message", author_contact="email")
    )
    assert [(i.text, i.author_contact) for i in result.items] == [("hello", "a@b.c")]


def test_delimiter_is_sniffed() -> None:
    result = run("Message;Name\nSlots always full;Ben\nNo eggs;Cy\n", ColumnMapping("Message"))
    assert [i.text for i in result.items] == ["Slots always full", "No eggs"]


def test_utf8_bom_is_read() -> None:
    data = codecs.BOM_UTF8 + "Message\nCafé crème\n".encode()
    result = run(data, ColumnMapping("Message"))
    assert [i.text for i in result.items] == ["Café crème"]
    assert result.notes == []


def test_utf16_with_bom_is_read() -> None:
    for encoding in ("utf-16", "utf-16-be"):
        data = "Message\nGrüße aus Köln\n".encode(encoding)
        if encoding == "utf-16-be":
            data = codecs.BOM_UTF16_BE + data
        result = run(data, ColumnMapping("Message"))
        assert [i.text for i in result.items] == ["Grüße aus Köln"], encoding


def test_utf16_without_bom_is_recognised_with_a_note() -> None:
    for encoding in ("utf-16-le", "utf-16-be"):
        result = run("Message\nGrüße aus Köln\n".encode(encoding), ColumnMapping("Message"))
        assert [i.text for i in result.items] == ["Grüße aus Köln"], encoding
        assert result.notes[0].why == f"no byte order mark but looks like {encoding}; read as such"


def test_delimiter_comes_from_the_header_not_the_messages() -> None:
    result = run('Message\tName\n"a, b; c, d"\tAna\n', ColumnMapping("Message", author="Name"))
    assert [(i.text, i.author) for i in result.items] == [("a, b; c, d", "Ana")]
    result = run("Message\nhello, world\n", ColumnMapping("Message"))
    assert result.skipped[0].why.startswith("2 fields where the header has 1")


def test_windows_1252_falls_back_with_a_note() -> None:
    data = "Message\nThe price was 5\u20ac \u2013 too much\n".encode("cp1252")
    result = run(data, ColumnMapping("Message"))
    assert [i.text for i in result.items] == ["The price was 5\u20ac \u2013 too much"]
    assert len(result.notes) == 1 and "Windows-1252" in result.notes[0].why


def test_malformed_rows_are_reported_and_the_rest_imported() -> None:
    text = (
        "Ticket,Message\n"
        "1,fine\n"
        '2,"broken"quote\n'
        "3,too,many,fields\n"
        "4\n"
        "\n"
        "5,also fine\n"
        '6,"never closed\n'
    )
    result = run(text, ColumnMapping("Message", external_id="Ticket"))
    assert [i.external_id for i in result.items] == ["1", "5"]
    wheres = [s.where for s in result.skipped]
    assert wheres[0].startswith("row 3") and "malformed CSV" in result.skipped[0].why
    assert wheres[1] == "row 4" and "4 fields where the header has 2" in result.skipped[1].why
    assert wheres[2] == "row 5"
    assert wheres[3].startswith("row 8")
    assert len(result.skipped) == 4


def test_missing_mapped_column_is_named_with_a_hint() -> None:
    result = run("Ticket,Mesage\n1,hello\n", ColumnMapping("Message"))
    assert result.items == []
    (skip,) = result.skipped
    assert skip.where == "row 1"
    assert "`Message`" in skip.why and "did you mean `Mesage`?" in skip.why


def test_empty_and_header_only_files() -> None:
    assert run(b"").skipped[0].why == "the file is empty"
    assert run(b" \n\n").skipped[0].why == "the file is empty"
    result = run(HEADER)
    assert result.items == [] and result.skipped == []


def test_rows_without_text_are_skipped() -> None:
    result = run("Message,Name\n ,Ana\n", ColumnMapping("Message", author="Name"))
    assert result.items == []
    assert result.skipped[0].why.startswith("no text")


def test_huge_fields_are_capped_with_a_note() -> None:
    huge = "x" * 300_000  # beyond the csv module's default field limit too
    limit_before = csv.field_size_limit()
    result = run(
        f"Message,Name\n{huge},{'n' * 1000}\nsmall,Ana\n", ColumnMapping("Message", author="Name")
    )
    assert csv.field_size_limit() == limit_before  # the process-wide limit is restored
    assert [len(i.text) for i in result.items] == [50_000, 5]
    assert result.items[0].author == "n" * 500
    whys = [n.why for n in result.notes]
    assert "text: 300,000 characters capped at 50,000" in whys
    assert "author: 1,000 characters capped at 500" in whys


def test_nul_bytes_are_removed_and_script_tags_kept() -> None:
    text = 'Message\n"<script>alert(1)</script>\x00 hi\x07"\n'
    result = run(text, ColumnMapping("Message"))
    assert [i.text for i in result.items] == ["<script>alert(1)</script> hi"]
    assert result.notes[0].why == "text: control characters (such as NUL) removed"


def test_duplicates_in_one_export_are_skipped() -> None:
    text = "Ticket,Message\n1,first\n1,again\n,same words\n,Same   words\n"
    result = run(text, ColumnMapping("Message", external_id="Ticket"))
    assert [i.text for i in result.items] == ["first", "same words"]
    assert [s.why for s in result.skipped] == [
        "duplicate of row 2 (same id `1`)",
        "duplicate of row 4 (same content)",
    ]


def test_reimport_gives_the_same_keys() -> None:
    text = "Message,Name\nhello,Ana\nbye,Ben\n"
    mapping = ColumnMapping("Message", author="Name")
    first = [i.idempotence_key for i in run(text, mapping).items]
    second = [i.idempotence_key for i in run(text, mapping).items]
    assert first == second
    assert first[0][1].startswith("sha256:") and first[0] != first[1]


def test_unreadable_dates_are_noted_and_left_empty() -> None:
    result = run(
        "Message,Created\nhi,last tuesday\nho,1767225600\n",
        ColumnMapping("Message", created_at="Created"),
    )
    assert result.items[0].created_at is None
    assert result.notes[0].where == "row 2" and "`last tuesday`" in result.notes[0].why
    assert result.items[1].created_at == datetime(2026, 1, 1, tzinfo=UTC)
