"""The four importers wired to intake, through `productize feedback import` and the service."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from productize.audit.models import ChangeRecord
from productize.cli import main
from productize.domain.loop.importers import ColumnMapping, import_csv
from productize.loop.intake import import_feedback
from productize.loop.models import Feedback, Suggestion
from tests.loop.flow_helpers import SYSTEM, catalog, channel, member

pytestmark = pytest.mark.django_db

CSV = """\
Ticket,Subject,Message,Email,Created,Product
T-1,Refund slow,"Refund took two weeks, again",ann@example.org,2026-05-01 10:00,payments
T-2,Login,Cannot log in after reset,bo@example.org,2026-05-02T09:00:00Z,orders
T-3,,,,2026-05-03,orders
T-4,Odd,"broken ""quote",cy@example.org,not a date,nowhere
"""

GITHUB = [
    {
        "id": 101, "number": 7, "title": "Export fails", "body": "CSV export times out",
        "user": {"login": "dana"}, "created_at": "2026-04-01T08:00:00Z",
        "html_url": "https://github.com/acme/orders/issues/7",
        "repository_url": "https://api.github.com/repos/acme/orders",
        "labels": [{"name": "bug"}],
    },
    {"id": 102, "number": 8, "title": "Add feature", "body": "x", "pull_request": {}},
]  # fmt: skip

DISCOURSE = {
    "users": [{"id": 5, "username": "eve"}],
    "topic_list": {
        "topics": [
            {"id": 11, "title": "About the Help category", "slug": "about"},
            {
                "id": 12, "title": "Invoices show the wrong VAT", "slug": "vat",
                "excerpt": "The VAT line on invoices is off by a cent",
                "posters": [{"user_id": 5, "description": "Original Poster"}],
                "created_at": "2026-03-01T10:00:00Z", "tags": ["billing"],
            },
        ]
    },
}  # fmt: skip


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    data = catalog()
    data["desk"] = channel(rules=[{"product": "ledger", "keywords": ["vat"]}])
    return data


def _import(path: Path, fmt: str, channel_id: int, *extra: str) -> int:
    return main(
        [
            "feedback",
            "import",
            str(path),
            "--format",
            fmt,
            "--channel",
            str(channel_id),
            "-q",
            *extra,
        ]
    )


def test_csv_import_maps_columns_reports_skips_and_is_idempotent(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "tickets.csv"
    export.write_text(CSV, encoding="utf-8")
    assert _import(export, "csv", world["desk"].pk, "--map", "text=Message") == 0
    out = capsys.readouterr().out
    assert "4 read" not in out and "stored" in out
    rows = {f.source_key: f for f in Feedback.objects.all()}
    assert set(rows) == {"T-1", "T-2", "T-4"}
    assert rows["T-1"].product == world["payments"] and rows["T-1"].title == "Refund slow"
    assert rows["T-1"].author_contact == "ann@example.org" and rows["T-1"].source_kind == "csv"
    assert rows["T-1"].created_at.isoformat().startswith("2026-05-01T10:00")
    assert rows["T-4"].text == 'broken "quote' and rows["T-4"].product is None
    assert "row 4" in out and "no text" in out  # T-3 has neither title nor text
    assert "`not a date` is not a date" in out
    assert "product hint `nowhere` names no product" in out
    records = ChangeRecord.objects.filter(object_type="feedback").count()
    # The same export again: nothing new, each row said to be there already.
    assert _import(export, "csv", world["desk"].pk, "--map", "text=Message") == 0
    again = capsys.readouterr().out
    assert "0 stored" in again and again.count("already received") == 3
    assert "0 routed" in again  # only what was stored counts
    assert Feedback.objects.count() == 3
    assert ChangeRecord.objects.filter(object_type="feedback").count() == records


def test_jsonl_import_with_dotted_paths(world: dict[str, Any], tmp_path: Path) -> None:
    lines = [
        {
            "id": "a1",
            "message": {"body": "Cannot pay with VAT number"},
            "user": {"email": "f@x.org"},
        },
        {"id": "a2", "message": {"body": "Love it"}},
        "not an object",
    ]
    export = tmp_path / "export.jsonl"
    export.write_text("\n".join(json.dumps(line) for line in lines) + "\n{broken\n")
    assert _import(export, "jsonl", world["desk"].pk, "--map", "text=message.body",
                   "--map", "author_contact=user.email") == 0  # fmt: skip
    stored = {f.source_key: f for f in Feedback.objects.all()}
    assert set(stored) == {"a1", "a2"}
    assert stored["a1"].author_contact == "f@x.org"
    assert stored["a1"].product == world["ledger"]  # the channel's `vat` rule
    assert _import(export, "jsonl", world["desk"].pk, "--map", "text=message.body") == 0
    assert Feedback.objects.count() == 2


def test_github_and_discourse_exports(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    issues = tmp_path / "issues.json"
    issues.write_text(json.dumps(GITHUB))
    assert _import(issues, "github", world["desk"].pk) == 0
    out = capsys.readouterr().out
    assert "a pull request" in out
    issue = Feedback.objects.get(source_kind="github")
    assert issue.product == world["orders"]  # the repository name is the product hint
    assert issue.author_name == "dana" and issue.tags == ["bug"] and issue.source_key == "101"
    assert issue.source_url == "https://github.com/acme/orders/issues/7"
    topics = tmp_path / "latest.json"
    topics.write_text(json.dumps(DISCOURSE))
    assert (
        _import(topics, "discourse", world["desk"].pk, "--base-url", "https://forum.example.com")
        == 0
    )
    out = capsys.readouterr().out
    assert "category description" in out
    topic = Feedback.objects.get(source_kind="discourse")
    assert topic.author_name == "eve" and topic.product == world["ledger"]
    assert topic.source_url == "https://forum.example.com/t/vat/12"
    assert _import(issues, "github", world["desk"].pk) == 0
    assert _import(topics, "discourse", world["desk"].pk) == 0
    assert Feedback.objects.count() == 2


def test_usage_errors_are_clear(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "x.csv"
    export.write_text("text\nhello\n")
    assert _import(export, "csv", 999) == 2
    assert "no channel 999" in capsys.readouterr().err
    assert _import(export, "csv", world["desk"].pk, "--map", "txt=Body") == 2
    assert "did you mean `text`" in capsys.readouterr().err
    assert _import(tmp_path / "missing.csv", "csv", world["desk"].pk) == 2
    assert _import(export, "github", world["desk"].pk, "--map", "text=x") == 2
    assert _import(export, "csv", world["desk"].pk, "--as", "nobody") == 2
    assert "no user `nobody`" in capsys.readouterr().err
    header_only = tmp_path / "h.csv"
    header_only.write_text("Body\nhello\n")
    assert _import(header_only, "csv", world["desk"].pk, "--map", "text=Message") == 1
    assert "column `Message`" in capsys.readouterr().out
    assert not Feedback.objects.exists()


def test_import_as_a_user_is_audited_under_their_name(
    world: dict[str, Any], tmp_path: Path
) -> None:
    member("mia")
    export = tmp_path / "x.csv"
    export.write_text("text\nhello\n")
    assert _import(export, "csv", world["desk"].pk, "--as", "mia") == 0
    assert ChangeRecord.objects.get(object_type="feedback").actor_label == "mia"
    assert Feedback.objects.get().submitted_by.username == "mia"


def test_the_service_reports_progress_in_batches(world: dict[str, Any]) -> None:
    body = "id,text\n" + "".join(f"{i},item number {i}\n" for i in range(2_500))
    result = import_csv(
        body.encode(), mapping=ColumnMapping(text="text", external_id="id"), source="csv"
    )
    seen: list[tuple[int, int]] = []
    outcome = import_feedback(
        SYSTEM, channel=world["desk"], result=result, progress=lambda d, t: seen.append((d, t))
    )
    assert outcome.created == 2_500 and seen == [(1_000, 2_500), (2_000, 2_500), (2_500, 2_500)]


def test_suggest_command_lists_proposals(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    texts = ["Refund took two weeks", "My refund took two weeks", "Refund slow, two weeks"]
    for text in texts:
        Feedback.objects.create(text=text, product=world["orders"])
    assert main(["feedback", "suggest", "--product", "orders"]) == 0
    out = capsys.readouterr().out
    assert "1 proposed patterns" in out and "Refund" in out
    assert Suggestion.objects.filter(status="open").count() == 1
    assert main(["feedback", "suggest", "--product", "nope"]) == 1
