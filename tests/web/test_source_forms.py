"""Admins register and change sources in the web UI, file format and Backstage names included
(who may post is covered by tests/accounts/test_form_matrix.py via form_cases_sources.py)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from productize.audit.models import ChangeRecord
from productize.catalog.models import Product
from productize.ingest.models import Source
from productize.ingest.runner import ingest_source
from productize.ingest.services import webhook_secret_matches
from tests.accounts.conftest import make_user
from tests.ingest.trees import write

pytestmark = pytest.mark.django_db

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: {name}, description: Does one thing.}}
spec: {{type: service, lifecycle: production, owner: user:ada}}
"""


@pytest.fixture
def admin() -> Client:
    client = Client()
    client.force_login(make_user("root", admin=True))
    return client


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    user = "---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: ada}\nspec: {}\n"
    write(root, "catalog-info.yaml", COMPONENT.format(name="standard") + user)
    write(root, "services/billing.entity.yaml", COMPONENT.format(name="billing"))
    write(root, "report/product.yaml", "kind: product\nid: report\nname: Report\n")
    return root


def _data(location: Path | str, **changes: Any) -> dict[str, Any]:
    data = {
        "name": "acme",
        "location": str(location),
        "branch": "",
        "subpath": "",
        "schedule_minutes": "15",
        "format": "auto",
        "backstage_names": "",
        "reason": "",
    }
    data.update(changes)
    return data


def test_the_form_explains_each_setting(admin: Client, settings: Any) -> None:
    settings.BACKSTAGE_FILE_NAMES = ["catalog-info.yaml", "catalog-info.yml"]
    page = admin.get("/sources/new/").content.decode()
    for label in ("Directory or git URL", "Files to read", "Backstage file names",
                  "Create a webhook secret", "Refresh every (minutes)"):  # fmt: skip
        assert f">{label}" in page, label
    assert "every .yaml/.yml file, read as a Backstage catalog file" in page
    assert "the server&#x27;s default, catalog-info.yaml, catalog-info.yml" in page
    assert 'aria-describedby="id_backstage_names_helptext"' in page
    assert "${GIT_TOKEN}" in page
    assert 'name="enabled"' not in page  # a new source is enabled


def test_an_admin_registers_a_source_with_backstage_names_and_sees_the_secret_once(
    admin: Client, repo: Path
) -> None:
    names = "catalog-info.yaml, *.entity.yaml"
    response = admin.post(
        "/sources/new/", _data(repo, backstage_names=names, webhook="on", reason="Our services.")
    )

    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    source = Source.objects.get(name="acme")
    assert (source.format, source.backstage_names) == ("auto", "catalog-info.yaml,*.entity.yaml")
    assert source.schedule_minutes == 15 and source.enabled
    page = response.content.decode()
    secret = re.search(r"<dt>Secret</dt><dd><code class=\"break\">([^<]+)</code>", page)
    assert secret is not None and webhook_secret_matches(source, secret.group(1))
    assert f"/api/v1/sources/{source.pk}/refresh" in page
    record = ChangeRecord.objects.get(object_type="source", object_id="acme")
    assert record.action == "create" and record.reason == "Our services."
    assert record.after["backstage_names"] == "catalog-info.yaml,*.entity.yaml"
    assert secret.group(1) not in str(record.after)
    # The source page says which files it reads, and never shows the secret again.
    shown = admin.get(f"/sources/{source.pk}/").content.decode()
    assert "Backstage files named <code>catalog-info.yaml,*.entity.yaml</code>" in shown
    assert secret.group(1) not in shown
    assert f'href="/sources/{source.pk}/edit/"' in shown
    # And the ingest reads exactly those files.
    ingest_source(source=source)
    assert set(Product.objects.values_list("slug", flat=True)) == {"standard", "billing", "report"}


def test_without_a_webhook_it_goes_straight_to_the_source(admin: Client, repo: Path) -> None:
    response = admin.post("/sources/new/", _data(repo, format="backstage"))
    source = Source.objects.get(name="acme")
    assert response.status_code == 302 and response["Location"] == f"/sources/{source.pk}/"
    assert source.format == "backstage" and not source.webhook_secret_hash
    page = admin.get(f"/sources/{source.pk}/").content.decode()
    assert "every .yaml/.yml file, read as Backstage" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"backstage_names": "services/catalog-info.yaml"}, "backstage_names", "not paths"),
        ({"format": "yaml"}, "format", "Select a valid choice"),
        ({"name": "Not A Name"}, "name", "not a valid source name"),
        ({"location": "/no/such/dir"}, "location", "is not a directory"),
        ({"schedule_minutes": "-1"}, "schedule_minutes", "greater than or equal to 0"),
    ],
)
def test_bad_settings_are_shown_at_their_field_and_nothing_is_saved(
    admin: Client, repo: Path, changes: dict[str, str], field: str, message: str
) -> None:
    response = admin.post("/sources/new/", {**_data(repo), **changes})
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    page = response.content.decode()
    assert "Not registered" in page and f'href="#{form[field].id_for_label}"' in page
    assert not Source.objects.exists() and not ChangeRecord.objects.exists()


def test_a_token_typed_into_the_url_is_refused_and_never_echoed(admin: Client) -> None:
    url = "https://ci:t0psecret-value@git.example.com/acme/infra.git"
    response = admin.post("/sources/new/", _data(url, name="Bad Name"))  # two errors at once
    page = response.content.decode()
    assert response.status_code == 200 and "t0psecret-value" not in page
    response = admin.post("/sources/new/", _data(url))
    page = response.content.decode()
    assert "t0psecret-value" not in page and "${GIT_TOKEN}" in page
    assert "holds a password or token" in " ".join(response.context["form"].errors["location"])
    assert not Source.objects.exists()


def test_an_admin_changes_the_file_settings_and_the_change_is_audited(
    admin: Client, repo: Path
) -> None:
    admin.post("/sources/new/", _data(repo, backstage_names="catalog-info.yaml"))
    source = Source.objects.get(name="acme")
    form = admin.get(f"/sources/{source.pk}/edit/")
    assert form.status_code == 200
    assert 'value="catalog-info.yaml"' in form.content.decode()
    assert 'name="webhook"' not in form.content.decode()

    data = _data(repo, format="backstage", backstage_names="", reason="Only Backstage files.")
    response = admin.post(f"/sources/{source.pk}/edit/", data)  # `enabled` unticked

    assert response.status_code == 302 and response["Location"] == f"/sources/{source.pk}/"
    source.refresh_from_db()
    assert (source.format, source.backstage_names, source.enabled) == ("backstage", "", False)
    record = ChangeRecord.objects.filter(object_type="source", action="update").get()
    assert record.reason == "Only Backstage files."
    assert record.before["format"] == "auto" and record.after["format"] == "backstage"
    assert record.after["enabled"] is False


def test_only_admins_see_the_buttons(repo: Path, admin: Client) -> None:
    admin.post("/sources/new/", _data(repo))
    source = Source.objects.get(name="acme")
    assert 'href="/sources/new/"' in admin.get("/sources/").content.decode()
    member = Client()
    member.force_login(make_user("mia"))
    assert 'href="/sources/new/"' not in member.get("/sources/").content.decode()
    page = member.get(f"/sources/{source.pk}/").content.decode()
    assert "/edit/" not in page and "Files" in page
    assert member.get("/sources/new/").status_code == 403
    assert member.get(f"/sources/{source.pk}/edit/").status_code == 403
    assert Client().get("/sources/new/").status_code == 302  # anonymous: sign in first
    assert admin.get("/sources/999/edit/").status_code == 404
