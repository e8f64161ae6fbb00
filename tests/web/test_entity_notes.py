"""Loop, team and person pages show their `annotations` (Backstage fields with no home) under
"Notes", with the partial the product page uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from productize.catalog.models import Loop, Person, Team
from productize.ingest.models import RunStatus
from productize.ingest.runner import ingest_path
from productize.web.templatetags.notes_tags import note_pairs
from tests.ingest.trees import write

pytestmark = pytest.mark.django_db

WIKI = "https://wiki.example.com/commerce"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata:
  name: commerce
  description: Selling things.
  labels: {tier: gold}
  annotations: {example.com/wiki: "https://wiki.example.com/commerce"}
spec: {owner: group:core}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: core
  annotations: {slack.com/channel: "<script>alert(1)</script>"}
spec: {type: team, children: [], profile: {email: core@example.com}}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata:
  name: ada
  annotations: {github.com/user-login: ada-l}
spec: {profile: {displayName: Ada}, memberOf: [core]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: shop
  description: Sell things.
  annotations: {example.com/runbook: "https://runbooks.example.com/shop"}
spec: {type: service, lifecycle: production, owner: group:core, system: commerce}
"""


@pytest.fixture
def client(tmp_path: Path) -> Client:
    write(tmp_path / "repo", "catalog-info.yaml", CATALOG)
    write(tmp_path / "repo", "teams.productize.yaml", "kind: team\nid: quiet\nname: Quiet\n")
    run = ingest_path(location=tmp_path / "repo")
    assert run.status == RunStatus.SUCCEEDED
    client = Client()
    client.force_login(User.objects.create_user("reader", "reader@example.com", "x"))
    return client


def _notes(page: str) -> list[tuple[str, str]]:
    """The (key, value) pairs of the Notes list on a page (its first `facts-compact` list)."""
    match = re.search(r"Notes</h[23]>\s*<dl class=\"facts facts-compact\">(.*?)</dl>", page, re.S)
    assert match is not None, "no Notes on the page"
    return re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", match.group(1), re.S)


@pytest.mark.parametrize(
    ("url", "model", "slug", "key", "value"),
    [
        ("/loops/commerce/", Loop, "commerce", "example.com/wiki", WIKI),
        ("/teams/core/", Team, "core", "slack.com/channel", ESCAPED),
        ("/people/ada/", Person, "ada", "github.com/user-login", "ada-l"),
    ],
)
def test_loop_team_and_person_pages_show_their_annotations_sorted_and_escaped(
    client: Client, url: str, model: type, slug: str, key: str, value: str
) -> None:
    annotations = model.objects.get(slug=slug).annotations  # type: ignore[attr-defined]
    assert annotations[key]  # what the import kept
    page = client.get(url).content.decode()
    assert '<section class="card" aria-labelledby="notes-heading">' in page
    assert '<h2 id="notes-heading">Notes</h2>' in page
    pairs = _notes(page)
    assert [k for k, _ in pairs] == sorted(annotations)  # every one, sorted by key
    assert (key, value) in pairs
    assert "<script>alert(1)</script>" not in page


def test_an_entity_without_annotations_has_no_notes_card(client: Client) -> None:
    # A productize descriptor's team: nothing without a home, so no Notes.
    assert Team.objects.get(slug="quiet").annotations == {}
    page = client.get("/teams/quiet/").content.decode()
    assert "notes-heading" not in page and "Notes</h" not in page


def test_the_product_page_keeps_its_notes_inline_under_keeping_it_alive(client: Client) -> None:
    page = client.get("/products/shop/").content.decode()
    assert '<h3 class="subhead">Notes</h3>' in page and "notes-heading" not in page
    assert ("example.com/runbook", "https://runbooks.example.com/shop") in _notes(page)


def test_note_pairs_sort_keys_and_show_other_values_as_json() -> None:
    assert note_pairs({"b": "two", "a": {"x": [1]}, "c": 3}) == [
        ("a", '{"x": [1]}'),
        ("b", "two"),
        ("c", "3"),
    ]
    assert note_pairs(None) == [] and note_pairs({}) == []
