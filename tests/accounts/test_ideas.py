"""Product ideas (created in productize): create and edit with the descriptor rules, audited,
exported; descriptor-owned entities say where their file is instead of offering an edit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Origin, Ownership, Product, ProductTag
from productize.catalog.services.ideas import IdeaInput, idea_create, idea_update
from productize.domain.checker import check_paths
from productize.domain.parse import parse_bytes
from productize.ingest.export import export_catalog
from productize.ingest.models import SourceKind
from tests.accounts.conftest import World
from tests.accounts.form_cases_ideas import _idea_data

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_creates_an_idea_through_the_form(world: World) -> None:
    client = _client(world.member)
    assert client.get("/ideas/new/").status_code == 200
    response = client.post("/ideas/new/", _idea_data("Seed Swap"))
    assert response.status_code == 302 and response["Location"] == "/products/seed-swap/"
    idea = Product.objects.get(slug="seed-swap")
    assert idea.origin == Origin.UI and idea.source is None and idea.stage == "prototype"
    assert idea.loop == world.catalog["market"] and idea.does == [
        "List seeds on offer",
        "Match swaps",
    ]
    assert idea.alignment == "indirect" and idea.audience == ["Small growers"]
    owner = Ownership.objects.get(product=idea)
    assert owner.ref == "alice" and owner.person == world.catalog["alice"]
    assert sorted(ProductTag.objects.filter(product=idea).values_list("tag", flat=True)) == [
        "community",
        "seeds",
    ]
    record = ChangeRecord.objects.get(object_type="product", object_id="seed-swap")
    assert record.action == "create" and record.actor_label == "mia"
    assert record.reason == "Asked for at the growers' meeting."
    assert record.after["scope"]["does_not"] == ["Sell seeds"]
    # It shows up in the catalog's search and on the ideas page.
    assert "Seed Swap" in client.get("/catalog/?q=seed").content.decode()
    assert "/products/seed-swap/" in client.get("/ideas/").content.decode()


def test_the_product_page_of_an_idea_offers_edit_to_owners_and_download_to_all(
    world: World,
) -> None:
    idea_create(actor=Actor.system("t"), data=IdeaInput(name="Seed Swap", owners=["alice"]))
    page = _client(world.member).get("/products/seed-swap/").content.decode()
    assert "Created in productize" in page and "/ideas/seed-swap/product.yaml" in page
    assert "/ideas/seed-swap/edit/" not in page
    page = _client(world.owner).get("/products/seed-swap/").content.decode()
    assert 'href="/ideas/seed-swap/edit/"' in page


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"owners": "alice, nobody-here"}, "owners", "nobody-here"),
        ({"tags": "Not A Tag!"}, "tags", "tags"),
        ({"slug": "Bad Slug"}, "slug", "id"),
        ({"slug": "orders"}, "slug", "already exists"),
        ({"alignment": "", "alignment_why": "It helps."}, "alignment", "kind"),
        ({"name": "   "}, "name", "required"),
    ],
)
def test_the_descriptor_rules_refuse_bad_ideas_and_nothing_is_written(
    world: World, change: dict[str, str], field: str, message: str
) -> None:
    records = ChangeRecord.objects.count()
    response = _client(world.member).post("/ideas/new/", {**_idea_data("Seed Swap"), **change})
    assert response.status_code == 200  # the form again, with the errors
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    page = response.content.decode()
    assert "Not created" in page and f'href="#{form[field].id_for_label}"' in page
    assert 'aria-invalid="true"' in page
    assert not Product.objects.filter(origin=Origin.UI).exists()
    assert ChangeRecord.objects.count() == records


def test_the_rules_are_those_of_productize_check(world: World, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as raised:
        idea_create(
            actor=Actor.system("t"),
            data=IdeaInput(name="X", slug="x", loop="nowhere", owners=["alice"]),
        )
    messages = raised.value.message_dict["loop"]
    # The same document in a file, checked by `productize check` with the loop missing.
    path = tmp_path / "product.yaml"
    path.write_text("kind: product\nid: x\nname: X\nloop: nowhere\nowners: [alice]\n")
    report = check_paths([str(path)], partial=False)
    loop_findings = [f for f in report.findings if f.field == "loop"]
    assert loop_findings and loop_findings[0].message in messages[0]


def test_owners_edit_their_idea_and_the_change_is_recorded(world: World) -> None:
    idea_create(
        actor=Actor.system("t"), data=IdeaInput(name="Seed Swap", mission="Old.", owners=["alice"])
    )
    client = _client(world.owner)
    page = client.get("/ideas/seed-swap/edit/").content.decode()
    assert "Old." in page and 'name="slug"' not in page  # the id cannot change
    data = {**_idea_data("Seed Swap Club"), "mission": "Swap seeds nearby.", "reason": "renamed"}
    response = client.post("/ideas/seed-swap/edit/", data)
    assert response.status_code == 302
    idea = Product.objects.get(slug="seed-swap")
    assert idea.name == "Seed Swap Club" and idea.mission == "Swap seeds nearby."
    record = ChangeRecord.objects.filter(object_id="seed-swap", action="update").get()
    assert record.before["mission"] == "Old." and record.after["mission"] == "Swap seeds nearby."
    assert record.reason == "renamed" and record.actor_label == "alice"
    # Saving again without changes writes no record.
    client.post("/ideas/seed-swap/edit/", data)
    assert ChangeRecord.objects.filter(object_id="seed-swap", action="update").count() == 1
    # Others may not.
    assert _client(world.member).post("/ideas/seed-swap/edit/", data).status_code == 403
    with pytest.raises(PermissionDenied):
        idea_update(
            actor=Actor.for_user(world.other_owner),
            product=idea,
            data=IdeaInput(name="Mine now", owners=["carol"]),
        )


def test_a_descriptor_product_is_changed_in_its_file_not_here(world: World) -> None:
    orders = world.catalog["orders"]
    source = world.catalog["source"]
    source.kind, source.location, source.branch = SourceKind.GIT, "git@github.com:acme/cat.git", ""
    source.subpath = "catalog"
    source.save()
    file_link = "https://github.com/acme/cat/blob/HEAD/catalog/orders/product.yaml"
    admin = _client(world.admin)
    page = admin.get("/products/orders/").content.decode()
    assert file_link in page and "/ideas/orders/edit/" not in page
    assert "edit the file in its repository" in page
    page = admin.get("/ideas/orders/edit/").content.decode()
    assert "is changed in its descriptor file" in page and file_link in page
    before = Product.objects.filter(pk=orders.pk).values().get()
    response = admin.post("/ideas/orders/edit/", _idea_data("Hijacked"))
    assert response.status_code == 409
    assert Product.objects.filter(pk=orders.pk).values().get() == before
    with pytest.raises(ValidationError, match=r"comes from orders/product\.yaml"):
        idea_update(actor=Actor.system("t"), product=orders, data=IdeaInput(name="Hijacked"))


def test_loops_teams_and_people_say_where_their_file_is(world: World) -> None:
    market = world.catalog["market"]
    market.source, market.source_path, market.source_line = world.catalog["source"], "loops.yaml", 4
    market.save()
    client = _client(world.member)
    page = client.get("/loops/market/").content.decode()
    assert "<code>loops.yaml:4</code>" in page and "mission, customers" in page
    # Directory sources: the path, no link; entities without a file say so.
    assert "No descriptor file is recorded" in client.get("/teams/payments/").content.decode()
    assert "Source" in client.get("/people/alice/").content.decode()


def test_an_idea_downloads_as_a_valid_descriptor_and_is_exported(
    world: World, tmp_path: Path
) -> None:
    idea_create(
        actor=Actor.system("t"),
        data=IdeaInput(name="Seed Swap", mission="Swap seeds.", owners=["alice"], tags=["seeds"]),
    )
    response = _client(world.member).get("/ideas/seed-swap/product.yaml")
    assert response["Content-Disposition"] == 'attachment; filename="seed-swap.product.yaml"'
    text = response.content.decode()
    parsed = parse_bytes("product.yaml", text.encode())
    assert parsed.ok and parsed.documents[0].model.id == "seed-swap"
    assert yaml.safe_load(text)["owners"] == ["alice"]
    export_catalog(tmp_path / "out")
    exported = (tmp_path / "out" / "products" / "seed-swap" / "product.yaml").read_text()
    assert yaml.safe_load(exported) == yaml.safe_load(text)


def test_anonymous_readers_cannot_propose(world: World, settings: Any) -> None:
    settings.ANONYMOUS_READ = True
    client = Client()
    assert client.get("/ideas/").status_code == 200
    assert client.get("/ideas/new/")["Location"] == "/accounts/sign-in/?next=/ideas/new/"
    assert client.post("/ideas/new/", _idea_data("Seed Swap")).status_code == 302
    assert not Product.objects.filter(origin=Origin.UI).exists()
    # A read-only token's actor may not propose either (the service checks).
    with pytest.raises(PermissionDenied):
        idea_create(actor=Actor.for_token("r", world.member), data=IdeaInput(name="X"))
