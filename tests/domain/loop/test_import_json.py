"""JSON Lines, GitHub issues and Discourse topics imports, including hostile input."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from productize.domain.loop.importers import (
    FieldMapping,
    import_discourse_topics,
    import_github_issues,
    import_jsonl,
)
from productize.domain.loop.importers.discourse import html_to_text

# --- JSON Lines ---------------------------------------------------------------------------

MAPPING = FieldMapping(
    text="body",
    title="subject",
    external_id="id",
    author="user.name",
    author_contact="user.email",
    created_at="at",
    url="link",
    labels="tags",
)


def lines(*records: Any) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in records).encode()


def test_jsonl_maps_dotted_paths() -> None:
    result = import_jsonl(
        lines(
            {
                "id": 7,
                "subject": "Pause",
                "body": "Let me pause <b>deliveries</b>",
                "user": {"name": "Ana", "email": "ana@example.org"},
                "at": 1767225600,
                "link": "https://x.test/7",
                "tags": ["holiday", " "],
            }
        ),
        mapping=MAPPING,
        source="typeform",
    )
    (item,) = result.items
    assert (item.external_id, item.title, item.text) == (
        "7",
        "Pause",
        "Let me pause <b>deliveries</b>",
    )
    assert (item.author, item.author_contact) == ("Ana", "ana@example.org")
    assert item.created_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert (item.url, item.labels) == ("https://x.test/7", ("holiday",))


def test_jsonl_bad_lines_are_reported_with_line_numbers() -> None:
    result = import_jsonl(
        lines(
            {"id": 1, "body": "ok"},
            "{not json",
            "[1, 2]",
            "",
            {"id": 2, "body": ""},
            {"id": 3, "body": {"nested": True}},
            {"id": 1, "body": "same id again"},
            {"id": 4, "body": "fine"},
        ),
        mapping=MAPPING,
        source="s",
    )
    assert [i.external_id for i in result.items] == ["1", "4"]
    assert [(s.where, s.why.split(":")[0]) for s in result.skipped] == [
        ("line 2", "not JSON"),
        ("line 3", "expected a JSON object, found list"),
        ("line 5", "no text at `body`"),
        ("line 6", "no text at `body`"),
        ("line 7", "duplicate of line 1 (same id `1`)"),
    ]
    assert result.notes[0].where == "line 6" and "holds a dict" in result.notes[0].why


def test_jsonl_hostile_content() -> None:
    result = import_jsonl(
        lines({"body": "a\u0000b<script>x</script>", "tags": "a; b,c"}, {"body": "z" * 60_000}),
        mapping=MAPPING,
        source="s",
    )
    assert [i.text[:30] for i in result.items] == ["ab<script>x</script>", "z" * 30]
    assert result.items[0].labels == ("a", "b", "c")
    assert len(result.items[1].text) == 50_000
    assert len(result.notes) == 2


def test_jsonl_empty_and_utf16() -> None:
    assert import_jsonl(b"", mapping=MAPPING, source="s").skipped[0].why == "the file is empty"
    data = json.dumps({"body": "Grüße"}, ensure_ascii=False).encode("utf-16")
    assert [i.text for i in import_jsonl(data, mapping=MAPPING, source="s").items] == ["Grüße"]


# --- GitHub -------------------------------------------------------------------------------


def issue(number: int, **overrides: Any) -> dict[str, Any]:
    """An issue shaped like the GitHub REST API returns it (fields trimmed)."""
    data: dict[str, Any] = {
        "url": f"https://api.github.com/repos/harvestlane/shop-app/issues/{number}",
        "repository_url": "https://api.github.com/repos/harvestlane/shop-app",
        "html_url": f"https://github.com/harvestlane/shop-app/issues/{number}",
        "id": 1000 + number,
        "node_id": f"I_kw{number}",
        "number": number,
        "title": f"Issue {number}",
        "user": {"login": "octocat", "id": 1, "type": "User"},
        "labels": [{"id": 1, "name": "bug", "color": "f29513"}],
        "state": "open",
        "comments": 0,
        "created_at": "2026-02-03T04:05:06Z",
        "body": "Steps to reproduce...",
    }
    data.update(overrides)
    return data


def test_github_issues_become_feedback_and_pull_requests_are_skipped() -> None:
    export = [
        issue(1),
        issue(2, pull_request={"url": "https://api.github.com/repos/o/r/pulls/2"}),
        issue(3, body=None, labels=["question"]),
        issue(4, title="", body=""),
        "not an issue",
    ]
    result = import_github_issues(json.dumps(export).encode())
    assert [i.external_id for i in result.items] == ["1001", "1003"]
    first, third = result.items
    assert (first.source, first.title, first.text, first.author) == (
        "github",
        "Issue 1",
        "Steps to reproduce...",
        "octocat",
    )
    assert first.url == "https://github.com/harvestlane/shop-app/issues/1"
    assert (first.product_hint, first.labels) == ("shop-app", ("bug",))
    assert first.created_at == datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert third.text == "Issue 3"  # no body: the title stands in
    assert third.labels == ("question",)
    assert [(s.where, s.why.split(" (")[0].split(",")[0]) for s in result.skipped] == [
        ("item 2 (#2)", "a pull request"),
        ("item 4 (#4)", "no title and no body"),
        ("item 5", "expected an issue object"),
    ]


def test_github_paginated_export_and_duplicates() -> None:
    data = (json.dumps([issue(1)]) + json.dumps([issue(1), issue(2)])).encode()
    result = import_github_issues(data)
    assert [i.external_id for i in result.items] == ["1001", "1002"]
    assert result.skipped[0].where == "page 2, item 1 (#1)"
    assert "duplicate of page 1, item 1 (#1)" in result.skipped[0].why


def test_github_bad_json_and_wrong_shape() -> None:
    broken = import_github_issues(b'[{"id": 1,')
    assert broken.items == [] and "not valid JSON" in broken.skipped[0].why
    shaped = import_github_issues(b'"hello"')
    assert "expected a JSON array of issues" in shaped.skipped[0].why
    assert import_github_issues(b"").skipped[0].why == "the file is empty"
    assert [i.external_id for i in import_github_issues(json.dumps(issue(9)).encode()).items] == [
        "1009"
    ]


def test_github_hostile_body() -> None:
    body = "<script>document.location='//evil'</script>\x00" + "y" * 70_000
    result = import_github_issues(json.dumps([issue(1, body=body)]).encode())
    (item,) = result.items
    assert item.text.startswith("<script>document.location='//evil'</script>y")
    assert len(item.text) == 50_000
    assert {n.why.split(":")[0] for n in result.notes} == {"body"}


# --- Discourse ------------------------------------------------------------------------------

LATEST = {
    "users": [{"id": 5, "username": "farmer_jo"}, {"id": 6, "username": "ops_sam"}],
    "topic_list": {
        "topics": [
            {
                "id": 11,
                "title": "About the Farm portal category",
                "slug": "about-the-farm-portal-category",
                "created_at": "2025-01-01T00:00:00Z",
                "pinned": True,
                "posters": [{"user_id": 6, "description": "Original Poster"}],
            },
            {
                "id": 42,
                "title": "Photo upload fails for big images",
                "slug": "photo-upload-fails",
                "created_at": "2026-02-10T09:00:00.000Z",
                "category_id": 3,
                "tags": ["upload", {"name": "photos"}],
                "excerpt": "When I upload photos from my camera the portal says &hellip;",
                "posters": [
                    {"user_id": 6, "description": "Frequent Poster"},
                    {"user_id": 5, "description": "Original Poster, Most Recent Poster"},
                ],
            },
            {"id": 43, "title": "", "slug": "x"},
        ]
    },
}


def test_discourse_latest_json() -> None:
    result = import_discourse_topics(
        json.dumps(LATEST).encode(), base_url="https://forum.test/", categories={3: "farm-portal"}
    )
    (item,) = result.items
    assert (item.external_id, item.title, item.author) == (
        "42",
        "Photo upload fails for big images",
        "farmer_jo",
    )
    assert item.text.startswith("When I upload photos")
    assert item.url == "https://forum.test/t/photo-upload-fails/42"
    assert (item.product_hint, item.labels) == ("farm-portal", ("upload", "photos"))
    assert item.created_at == datetime(2026, 2, 10, 9, tzinfo=UTC)
    assert [s.why for s in result.skipped] == [
        "a category description topic, not feedback",
        "no title and no text",
    ]
    assert result.skipped[0].where == "topic 1 (id 11)"


def test_discourse_topics_with_posts() -> None:
    topics = [
        {
            "id": 7,
            "title": "Payout late",
            "slug": "payout-late",
            "post_stream": {
                "posts": [
                    {
                        "post_number": 1,
                        "username": "hill_farm",
                        "created_at": "2026-03-01T08:00:00Z",
                        "cooked": "<p>Paid on <b>Tuesday</b> again.</p><p>Second&nbsp;para</p>",
                    },
                    {"post_number": 2, "username": "staff", "raw": "Sorry!"},
                ]
            },
        },
        {
            "id": 8,
            "title": "Raw wins",
            "post_stream": {"posts": [{"post_number": 1, "raw": "**raw** <script>1</script>"}]},
        },
    ]
    result = import_discourse_topics(json.dumps(topics).encode())
    assert [i.text for i in result.items] == [
        "Paid on Tuesday again.\nSecond para",  # nbsp folded like any space
        "**raw** <script>1</script>",
    ]
    assert result.items[0].author == "hill_farm"
    assert result.items[0].created_at == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert result.items[0].url is None  # no base_url given


def test_discourse_wrong_shapes() -> None:
    assert "no `topic_list.topics`" in import_discourse_topics(b'{"a": 1}').skipped[0].why
    result = import_discourse_topics(b'{"topics": [1, {"id": 2, "title": "ok"}]}')
    assert [i.text for i in result.items] == ["ok"]
    assert "expected a topic object" in result.skipped[0].why


def test_html_to_text_keeps_paragraphs_apart() -> None:
    assert html_to_text("<p>a <i>b</i></p><ul><li>c</li><li>d &amp; e</li></ul>") == "a b\nc\nd & e"
