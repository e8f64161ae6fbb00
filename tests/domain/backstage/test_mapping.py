"""The documented mapping, case by case, on the `basic` corpus (a small, tidy shop)."""

from __future__ import annotations

import json

import pytest

from productize.domain.backstage.options import MappingOptions
from productize.domain.backstage.reader import BackstageResult
from productize.domain.descriptors import LoopDoc, PersonDoc, ProductDoc, TeamDoc
from tests.domain.backstage.conftest import doc, located, mapped, read_case


@pytest.fixture(scope="module")
def basic() -> BackstageResult:
    return read_case("basic")


def test_every_file_is_reached_through_the_location_and_its_glob(basic: BackstageResult) -> None:
    assert basic.files == [
        "catalog-info.yaml",
        "org.yaml",
        "apis.yaml",
        "components/checkout-service.yaml",
        "components/checkout-web.yaml",
        "components/payments.yaml",
    ]
    assert dict(basic.entities) == {
        "Location": 1, "Domain": 1, "System": 2, "Group": 4, "User": 2, "API": 4,
        "Resource": 2, "Component": 4,
    }  # fmt: skip
    assert basic.ok


def test_domains_and_systems_become_nested_loops(basic: BackstageResult) -> None:
    commerce = doc(basic, "loop", "commerce")
    assert isinstance(commerce, LoopDoc)
    assert (commerce.name, commerce.parent, commerce.owners) == (
        "Commerce",
        None,
        ["team:sales-dept"],
    )
    assert commerce.mission == "Everything that turns a visit into a paid order."
    payments = doc(basic, "loop", "finance-payments-core")  # namespace `finance` -> prefix
    assert isinstance(payments, LoopDoc)
    assert (payments.name, payments.parent, payments.owners) == (
        "Payments_Core",
        "commerce",
        ["team:team-payments"],
    )
    assert mapped(basic, "loop", "finance-payments-core").extras["backstage/ref"] == (
        "system:finance/Payments_Core"
    )


def test_groups_become_teams_with_parents_from_either_side(basic: BackstageResult) -> None:
    acme, checkout, payments = (
        doc(basic, "team", i) for i in ("acme", "team-checkout", "team-payments")
    )
    assert isinstance(acme, TeamDoc) and isinstance(checkout, TeamDoc)
    assert isinstance(payments, TeamDoc)
    assert acme.name == "ACME Shop"  # profile.displayName wins over the name
    assert checkout.name == "Checkout Team"  # then the title
    assert (checkout.parent, checkout.members) == ("sales-dept", ["ana"])
    assert payments.parent == "sales-dept"  # only the parent's `children` says so
    extras = mapped(basic, "team", "acme").extras
    assert json.loads(extras["backstage/spec"]) == {
        "type": "organization",
        "profile": {"email": "hello@acme.example"},
    }
    assert json.loads(extras["backstage/metadata"]) == {"description": "The whole company."}


def test_users_become_people(basic: BackstageResult) -> None:
    bob = doc(basic, "person", "bob-smith")
    assert isinstance(bob, PersonDoc)
    assert (bob.name, bob.email, bob.teams) == ("Bob Smith", "bob@acme.example", ["team-payments"])
    extras = mapped(basic, "person", "bob-smith").extras
    assert extras["backstage/ref"] == "user:default/Bob.Smith"  # the original name is kept
    assert "picture" in extras["backstage/spec"]


def test_a_component_becomes_a_product(basic: BackstageResult) -> None:
    web = doc(basic, "product", "checkout-web")
    assert isinstance(web, ProductDoc)
    assert web.name == "Checkout Website"
    assert web.mission == "The pages where customers pay for their basket."
    assert (web.stage, web.loop, web.owners) == ("established", "checkout", ["team:team-checkout"])
    assert web.links.repository == "https://github.com/acme/checkout-web"
    assert web.links.docs == "https://docs.acme.example/checkout-web"
    assert web.tags == ["react", "web", "csharp"]
    ann = web.annotations
    assert ann["backstage.io/techdocs-ref"] == "dir:."
    left = json.loads(ann["backstage/metadata"])
    assert left["labels"] == {"tier": "1"}
    assert [link["title"] for link in left["links"]] == ["Dashboard"]
    assert left["tags"] == ["react", "web", "c#"]  # normalising changed one: originals kept
    assert json.loads(ann["backstage/spec"]) == {"type": "website"}


def test_apis_become_interfaces_of_their_provider(basic: BackstageResult) -> None:
    service = doc(basic, "product", "checkout-service")
    assert isinstance(service, ProductDoc)
    provided = {i.name: i for i in service.interfaces.provides}
    assert list(provided) == ["checkout-api", "order-events", "orders-db", "default"]
    api = provided["checkout-api"]
    assert (api.kind, api.stability, api.description) == (
        "api",
        "stable",
        "Place and track orders.",
    )
    assert api.docs == "https://docs.acme.example/checkout-api"
    assert (provided["order-events"].kind, provided["order-events"].stability) == (
        "event",
        "experimental",
    )
    assert basic.definitions["checkout-service/checkout-api"].startswith("openapi: 3.0.0")
    skeleton = json.loads(service.annotations["backstage/interface/checkout-api"])
    assert skeleton["ref"] == "api:default/checkout-api"
    assert skeleton["metadata"] == {"title": "Checkout API"}
    assert service.links.repository == "https://github.com/acme/checkout-service"  # project-slug


def test_consumes_come_from_consumes_apis_depends_on_and_resources(basic: BackstageResult) -> None:
    web, payments = doc(basic, "product", "checkout-web"), doc(basic, "product", "finance-payments")
    assert isinstance(web, ProductDoc) and isinstance(payments, ProductDoc)
    assert [c.interface for c in web.interfaces.consumes] == [
        "checkout-service/checkout-api",
        "checkout-service/default",  # dependsOn a component: its implicit interface
    ]
    assert [c.interface for c in payments.interfaces.consumes] == [
        "checkout-service/checkout-api",
        "checkout-service/order-events",
        "checkout-service/orders-db",  # the resource lives with the product of its owner
    ]
    (grpc,) = payments.interfaces.provides
    assert (grpc.name, grpc.kind, grpc.stability) == ("finance-payments-api", "api", "deprecated")


def test_lifecycles_map_to_stages_and_unknown_ones_are_kept(basic: BackstageResult) -> None:
    legacy = doc(basic, "product", "legacy-billing")
    assert isinstance(legacy, ProductDoc)
    assert doc(basic, "product", "finance-payments").stage == "prototype"  # type: ignore[union-attr]
    assert legacy.stage == "established"
    assert json.loads(legacy.annotations["backstage/spec"]) == {
        "type": "service",
        "customField": "kept",
        "lifecycle": "retiring",
    }
    assert (legacy.owners, legacy.part_of) == (["person:ana"], "finance-payments")


def test_what_has_no_home_is_reported_not_dropped(basic: BackstageResult) -> None:
    assert basic.unmapped == ["api:default/orphan-api", "resource:default/unused-bucket"]
    assert located(basic.findings) == [
        ("backstage-unprovided-api", "apis.yaml", 46, 9),
        ("backstage-unattached-resource", "apis.yaml", 66, 9),
        ("backstage-template-skipped", "apis.yaml", 72, 7),
        ("backstage-unknown-kind", "apis.yaml", 80, 7),
        ("backstage-unknown-lifecycle", "components/payments.yaml", 22, 14),
    ]
    assert {f.severity for f in basic.findings} == {"warning"}


def test_provenance_points_at_each_entity(basic: BackstageResult) -> None:
    legacy = mapped(basic, "product", "legacy-billing")
    assert (legacy.path, legacy.line, legacy.column, legacy.index) == (
        "components/payments.yaml",
        16,
        1,
        1,
    )
    assert legacy.entity == "component:default/legacy-billing"


def test_system_mode_makes_systems_products_and_components_their_parts() -> None:
    result = read_case("basic", MappingOptions(product_from="system"))
    assert sorted(d.model.id for d in result.documents if d.model.kind == "loop") == ["commerce"]
    checkout = doc(result, "product", "checkout")
    assert isinstance(checkout, ProductDoc)
    assert (checkout.loop, checkout.owners) == ("commerce", ["team:team-checkout"])
    web = doc(result, "product", "checkout-web")
    assert isinstance(web, ProductDoc)
    assert (web.part_of, web.loop) == ("checkout", "commerce")
    orphan_finding = [f for f in result.findings if f.code == "backstage-unprovided-api"]
    assert orphan_finding  # orphan-api names no system, so even here it has no provider
