"""Hostile and broken input through the whole intake: files, encodings, sizes, markup, nesting."""

from __future__ import annotations

import codecs
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template

from productize.cli import main
from productize.domain.loop.importers import (
    ColumnMapping,
    FieldMapping,
    import_csv,
    import_discourse_topics,
    import_github_issues,
    import_jsonl,
)
from productize.domain.loop.importers.common import MAX_TEXT
from productize.loop.intake import bulk_give_feedback, import_feedback
from productize.loop.models import Feedback
from tests.accounts.conftest import bearer_client, make_user, new_token
from tests.loop.flow_helpers import SYSTEM, catalog, channel

pytestmark = pytest.mark.django_db
SCRIPT = '<script>alert("x")</script><img src=x onerror="alert(1)">'
TEXT = ColumnMapping(text="text", external_id="id")


@pytest.fixture
def desk(db: Any) -> Any:
    catalog()
    return channel()


def _store(desk: Any, result: Any) -> Any:
    return import_feedback(SYSTEM, channel=desk, result=result)


def test_malformed_csv_rows_are_skipped_with_their_place_and_the_rest_kept(desk: Any) -> None:
    data = b'id,text\n1,fine\n2,"unclosed quote\n3,a,b,c\n4,also fine\n'
    result = import_csv(data, mapping=TEXT, source="csv")
    outcome = _store(desk, result)
    stored = set(Feedback.objects.values_list("source_key", flat=True))
    assert "1" in stored
    assert outcome.skipped, "broken rows must be reported"
    assert all(where.startswith("row") for where, _ in outcome.skipped)
    assert any(
        "fields where the header has" in why or "malformed" in why for _, why in outcome.skipped
    )


def test_binary_junk_is_refused_as_a_file_without_crashing(desk: Any) -> None:
    junk = bytes(range(256)) * 40
    for result in (
        import_csv(junk, mapping=TEXT, source="csv"),
        import_jsonl(junk, mapping=FieldMapping(), source="jsonl"),
        import_github_issues(junk),
        import_discourse_topics(junk),
    ):
        outcome = _store(desk, result)
        assert outcome.created == 0 and outcome.skipped
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected", "noted"),
    [
        ("id,text\n1,Crème brûlée\n".encode("latin-1"), "Crème brûlée", "Windows-1252"),
        (codecs.BOM_UTF16_LE + "id,text\n1,naïve façade\n".encode("utf-16-le"), "naïve façade", ""),
        (codecs.BOM_UTF8 + "id,text\n1,日本語のテキスト\n".encode(), "日本語のテキスト", ""),
        ("id,text\n1,no BOM ü\n".encode("utf-16-le"), "no BOM ü", "byte order mark"),
        (b"id,text\n1,bad \xff\xfe bytes\n", "bad ÿþ bytes", "not UTF-8"),
    ],
)
def test_wrong_encodings_are_read_and_noted(
    desk: Any, data: bytes, expected: str, noted: str
) -> None:
    outcome = _store(desk, import_csv(data, mapping=TEXT, source="csv"))
    assert outcome.created == 1
    assert Feedback.objects.get().text == expected
    if noted:
        assert any(noted in why for _, why in outcome.notes)


def test_huge_fields_are_capped_with_a_note_not_lost(desk: Any) -> None:
    huge = "x" * (MAX_TEXT * 4)
    data = f"id,text,title\n1,{huge},{'t' * 5_000}\n".encode()
    outcome = _store(
        desk,
        import_csv(
            data, mapping=ColumnMapping(text="text", title="title", external_id="id"), source="csv"
        ),
    )
    fb = Feedback.objects.get()
    assert len(fb.text) == MAX_TEXT and len(fb.title) == 500
    assert any("capped at 50,000" in why for _, why in outcome.notes)


def test_huge_fields_through_the_api_are_refused_by_name(desk: Any) -> None:
    writer = bearer_client(new_token(make_user("mia"), scope="write"))
    body = json.dumps(
        [{"text": "ok"}, {"text": "y" * (MAX_TEXT + 1)}, {"text": "z", "author": "a" * 201}]
    )
    response = writer.post("/api/v1/feedback", data=body, content_type="application/json")
    assert response.status_code == 422
    fields = {d["field"]: d["message"] for d in response.json()["error"]["details"]}
    assert "50,000" in fields["[1].text"] and "200" in fields["[2].author"]
    assert not Feedback.objects.exists()


def test_nul_bytes_are_removed_everywhere_and_noted(desk: Any) -> None:
    data = b"id,text\n1,before\x00after\n"
    outcome = _store(desk, import_csv(data, mapping=TEXT, source="csv"))
    assert Feedback.objects.get().text == "beforeafter"
    assert any("control characters" in why for _, why in outcome.notes)
    api = bulk_give_feedback(SYSTEM, [{"text": "a\x00b", "author": "n\x00ul", "tags": ["t\x00"]}])
    fb = Feedback.objects.get(pk=api.created[0][1])
    assert (fb.text, fb.author_name, fb.tags) == ("ab", "nul", ["t"])


def test_script_tags_are_stored_as_given_and_never_rendered_live(desk: Any) -> None:
    outcome = bulk_give_feedback(
        SYSTEM, [{"text": SCRIPT, "title": "<b>bold</b>", "author": SCRIPT}]
    )
    fb = Feedback.objects.get(pk=outcome.created[0][1])
    assert fb.text == SCRIPT and fb.title == "<b>bold</b>"  # evidence, kept exactly
    html = Template("<p>{{ fb.text }}</p><h2>{{ fb.title }}</h2>{{ fb.author_name }}").render(
        Context({"fb": fb})
    )
    assert "<script>" not in html and "<img" not in html and "&lt;script&gt;" in html
    writer = bearer_client(new_token(make_user("mia"), scope="write"))
    response = writer.post(
        "/api/v1/feedback", data=json.dumps({"text": SCRIPT}), content_type="application/json"
    )
    assert response["Content-Type"] == "application/json"  # never text/html
    assert Feedback.objects.get(pk=response.json()["created"][0]["id"]).text == SCRIPT


def test_the_markdown_renderer_drops_scripts(desk: Any) -> None:
    render = pytest.importorskip("productize.loop.render").markdown_safe
    html = str(render(f"**bold** and {SCRIPT} [link](javascript:alert(1))"))
    assert "<strong>bold</strong>" in html
    # Raw HTML shows as text (escaped); nothing becomes a live tag, handler or link.
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html.lower()


def test_deeply_nested_json_is_refused_not_a_crash(desk: Any) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    for result in (
        import_jsonl(
            deep + b'\n{"text": "after the bomb", "id": "ok"}\n',
            mapping=FieldMapping(external_id="id"),
            source="jsonl",
        ),
        import_github_issues(deep),
        import_discourse_topics(deep),
    ):
        assert any("nested too deeply" in why for _, why in result.skipped)
    kept = import_jsonl(
        deep + b'\n{"text": "after the bomb", "id": "ok"}\n',
        mapping=FieldMapping(external_id="id"),
        source="jsonl",
    )
    assert [i.text for i in kept.items] == ["after the bomb"]
    nested_value = {"text": {"a": {"b": {"c": "deep"}}}}
    outcome = bulk_give_feedback(SYSTEM, [nested_value], all_or_nothing=False)
    assert outcome.invalid[0].field == "text" and "expected text" in outcome.invalid[0].message


def test_a_50_mb_line_is_refused_clearly_and_memory_stays_bounded(
    desk: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = json.dumps({"id": "big", "text": "a" * (50 * 1024 * 1024)}).encode()
    export = tmp_path / "big.jsonl"
    export.write_bytes(
        b'{"id": "small", "text": "before"}\n' + line + b'\n{"id": "s2", "text": "after"}\n'
    )
    tracemalloc.start()
    try:
        code = main(
            [
                "feedback",
                "import",
                str(export),
                "--format",
                "jsonl",
                "--channel",
                str(desk.pk),
                "-q",
            ]
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert code == 0
    out = capsys.readouterr().out
    assert "line 2" in out and "too long to be one item" in out
    assert set(Feedback.objects.values_list("source_key", flat=True)) == {"small", "s2"}
    # The file is read once and split; a few copies of it at most, never an explosion.
    assert peak < 8 * len(line), f"peak {peak / 1e6:.0f} MB for a {len(line) / 1e6:.0f} MB line"


def test_a_csv_with_an_enormous_field_is_capped_not_a_crash(desk: Any) -> None:
    data = b"id,text\n1," + b"b" * (20 * 1024 * 1024) + b"\n2,short\n"
    outcome = _store(desk, import_csv(data, mapping=TEXT, source="csv"))
    assert outcome.created == 2
    assert len(Feedback.objects.get(source_key="1").text) == MAX_TEXT
