"""An idea moves into its repository: its downloaded descriptor file, once committed and
ingested, adopts the product created in productize instead of clashing with it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Origin, Product
from productize.catalog.services.ideas import IdeaInput, idea_create
from productize.ingest.models import IngestProblem, RunStatus
from productize.ingest.runner import ingest_path
from productize.loop.models import Feedback, RoadmapEntry
from tests.accounts.conftest import make_user
from tests.ingest.trees import small_catalog
from tests.loop import factories

pytestmark = pytest.mark.django_db

IDEA_PATH = "products/seed-swap/product.yaml"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = small_catalog(tmp_path / "catalog")
    run = ingest_path(location=root)
    assert run.status == RunStatus.SUCCEEDED
    return root


def _idea(name: str = "Seed Swap", **fields: Any) -> Product:
    data = IdeaInput(
        name=name,
        mission="Let growers swap seeds.",
        does=["list seeds on offer"],
        does_not=["sell seeds"],
        loop="commerce",
        owners=["alice"],
        tags=["seeds"],
        **fields,
    )
    return idea_create(actor=Actor.system("t"), data=data, reason="asked for at the meeting")


def _download(client: Client, slug: str) -> str:
    response = client.get(f"/ideas/{slug}/product.yaml")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{slug}.product.yaml"'
    return response.content.decode()


def _commit(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _problems() -> list[str]:
    return list(IngestProblem.objects.filter(current=True).values_list("message", flat=True))


def test_the_downloaded_file_adopts_the_idea_keeping_its_id_and_its_loop(tree: Path) -> None:
    idea = _idea()
    item = factories.feedback("I want to swap beans", product=idea)
    pattern = factories.pattern("No way to swap", products=[idea], feedback=[item])
    work = factories.improvement(products=[idea], patterns=[pattern])
    RoadmapEntry.objects.create(product=idea, improvement=work, column="next")
    client = Client()
    client.force_login(make_user("root", admin=True))
    _commit(tree, IDEA_PATH, _download(client, "seed-swap"))

    run = ingest_path(location=tree)

    assert run.status == RunStatus.SUCCEEDED, _problems()
    assert _problems() == []  # no "already declared" clash
    adopted = Product.objects.get(slug="seed-swap")
    assert adopted.pk == idea.pk
    assert adopted.origin == Origin.DESCRIPTOR
    assert adopted.source == run.source and adopted.source_path == IDEA_PATH
    assert adopted.source_line >= 1
    assert adopted.mission == "Let growers swap seeds." and adopted.loop is not None
    assert adopted.loop.slug == "commerce"
    assert list(adopted.ownerships.values_list("ref", flat=True)) == ["alice"]
    # Its loop data stayed attached to the same row.
    assert Feedback.objects.get(pk=item.pk).product_id == idea.pk
    assert list(pattern.products.values_list("pk", flat=True)) == [idea.pk]
    assert RoadmapEntry.objects.get(improvement=work).product_id == idea.pk
    # The file said what the idea already held: counted as a change, nothing else differs.
    assert (run.created, run.updated, run.removed) == (0, 1, 0)
    records = ChangeRecord.objects.filter(object_type="product", object_id="seed-swap")
    assert [r.action for r in records.order_by("at", "id")] == ["create", "update"]
    adoption = records.order_by("at", "id").last()
    assert adoption is not None and adoption.ingest_run_id == run.pk
    assert adoption.before == {"origin": "ui"}
    assert adoption.after == {
        "origin": "descriptor",
        "source": run.source.name,
        "source_path": IDEA_PATH,
    }
    assert f"adopted from the repository file {IDEA_PATH}:" in adoption.reason
    history = client.get("/audit/product/seed-swap/").content.decode()
    assert "adopted from the repository file" in history

    # A second run changes nothing and records nothing.
    again = ingest_path(location=tree)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert records.count() == 2


def test_a_file_that_changed_the_idea_adopts_it_and_applies_the_change(tree: Path) -> None:
    idea = _idea()
    item = factories.feedback("Beans please", product=idea)
    client = Client()
    client.force_login(make_user("root", admin=True))
    text = _download(client, "seed-swap").replace(
        "Let growers swap seeds.", "Help growers swap their seeds."
    )
    _commit(tree, IDEA_PATH, text)

    run = ingest_path(location=tree)

    assert run.status == RunStatus.SUCCEEDED, _problems()
    adopted = Product.objects.get(slug="seed-swap")
    assert (adopted.pk, adopted.origin) == (idea.pk, Origin.DESCRIPTOR)
    assert adopted.mission == "Help growers swap their seeds."
    assert Feedback.objects.get(pk=item.pk).product_id == idea.pk
    assert (run.created, run.updated) == (0, 1)
    actions = list(
        ChangeRecord.objects.filter(object_type="product", object_id="seed-swap")
        .order_by("at", "id")
        .values_list("action", "reason")
    )
    # Created, adopted (with its own reason), then the file's content applied.
    assert [action for action, _ in actions] == ["create", "update", "update"]
    assert "adopted from the repository file" in actions[1][1]
    content = (
        ChangeRecord.objects.filter(object_type="product", object_id="seed-swap")
        .order_by("at", "id")
        .last()
    )
    assert content is not None
    assert content.before["mission"] == "Let growers swap seeds."
    assert content.after["mission"] == "Help growers swap their seeds."


def test_the_idea_pages_then_say_it_is_changed_in_its_file(tree: Path) -> None:
    _idea()
    owner = make_user("alice-user", email="alice@example.com")  # alice owns it
    client = Client()
    client.force_login(owner)
    assert client.get("/ideas/seed-swap/edit/").status_code == 200  # editable while an idea
    _commit(tree, IDEA_PATH, _download(client, "seed-swap"))
    ingest_path(location=tree)

    edit = client.get("/ideas/seed-swap/edit/")
    assert edit.status_code == 200
    page = edit.content.decode()
    assert "is changed in its descriptor file" in page and IDEA_PATH in page
    assert 'name="mission"' not in page  # no form to fill in that the next ingest would undo
    refused = client.post("/ideas/seed-swap/edit/", {"name": "Renamed"})
    assert refused.status_code == 409
    assert Product.objects.get(slug="seed-swap").name == "Seed Swap"
    product_page = client.get("/products/seed-swap/").content.decode()
    assert "Created in productize" not in product_page and IDEA_PATH in product_page
    ideas = client.get("/ideas/").content.decode()
    assert "/products/seed-swap/" not in ideas  # no longer listed as an idea


def test_an_idea_no_file_declares_is_untouched(tree: Path) -> None:
    other = _idea("Tool Library")
    before = Product.objects.values().get(pk=other.pk)
    client = Client()
    client.force_login(make_user("root", admin=True))
    seed = _idea()
    _commit(tree, IDEA_PATH, _download(client, "seed-swap"))

    run = ingest_path(location=tree)

    assert run.status == RunStatus.SUCCEEDED, _problems()
    assert Product.objects.get(pk=seed.pk).origin == Origin.DESCRIPTOR
    assert Product.objects.values().get(pk=other.pk) == before
    assert not ChangeRecord.objects.filter(object_id="tool-library", action="update").exists()
    # Removing the adopted file removes the product like any descriptor's; the other idea stays.
    (tree / IDEA_PATH).unlink()
    ingest_path(location=tree)
    assert not Product.objects.filter(pk=seed.pk).exists()
    assert Product.objects.get(pk=other.pk).origin == Origin.UI


def test_a_product_of_another_source_is_still_a_conflict_not_adopted(
    tree: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    _commit(other, "product.yaml", "kind: product\nid: payments\nname: Payments again\n")

    run = ingest_path(location=other)

    payments = Product.objects.get(slug="payments")
    assert payments.name == "Payments" and payments.source != run.source
    assert any("already declared" in message for message in _problems())
