"""The bundled demo organisation keeps its promises (see src/productize/demo/README.md).

The demo exists to show off productize: every stage, every interface kind, hubs, a cycle, a
deprecated interface in use, and a set of deliberately incomplete products for assessment to
find. These tests read the YAML with the descriptor models, independently of the checker, so
that the demo cannot quietly lose a feature it is meant to show.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

import productize.demo
from productize.domain.checker import check_paths
from productize.domain.descriptors import (
    KIND_ALIASES,
    MODEL_BY_KIND,
    AlignmentKind,
    ChannelKind,
    InterfaceKind,
    LoopDoc,
    OrganizationDoc,
    PersonDoc,
    ProductDoc,
    Stability,
    Stage,
    TeamDoc,
)
from productize.domain.findings import Severity

DEMO_ORG = Path(productize.demo.__file__).resolve().parent / "org"
SKIPPED_DIRS = {".git", "node_modules", ".venv", "vendor"}
DESCRIPTOR_NAMES = {"product.yaml", "product.yml", "organization.yaml", "organization.yml"}
DESCRIPTOR_SUFFIXES = (".productize.yaml", ".productize.yml")
COMPANY_DOMAIN = "harvestlane.example"


class _StrictLoader(yaml.SafeLoader):
    """Safe loader that refuses duplicate keys, as the real parser does."""


def _mapping_without_duplicates(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates
)


def discover(root: Path) -> Iterator[Path]:
    """Descriptor files under `root`, by the discovery rules in docs/descriptors.md."""
    for path in sorted(root.rglob("*")):
        folders = path.relative_to(root).parts[:-1]
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in folders):
            continue
        if path.is_file() and (
            path.name in DESCRIPTOR_NAMES or path.name.endswith(DESCRIPTOR_SUFFIXES)
        ):
            yield path


@dataclass
class Demo:
    """Every validated document of the demo, by kind and id, with the file it came from."""

    organizations: dict[str, OrganizationDoc] = field(default_factory=dict)
    loops: dict[str, LoopDoc] = field(default_factory=dict)
    teams: dict[str, TeamDoc] = field(default_factory=dict)
    people: dict[str, PersonDoc] = field(default_factory=dict)
    products: dict[str, ProductDoc] = field(default_factory=dict)
    path_of: dict[tuple[str, str], Path] = field(default_factory=dict)
    docs_per_file: Counter[Path] = field(default_factory=Counter)
    duplicates: list[str] = field(default_factory=list)

    def by_kind(self, kind: str) -> dict[str, Any]:
        registries: dict[str, dict[str, Any]] = {
            "organization": self.organizations,
            "loop": self.loops,
            "team": self.teams,
            "person": self.people,
            "product": self.products,
        }
        return registries[kind]

    def product_dir(self, product_id: str) -> Path:
        return self.path_of[("product", product_id)].parent

    def interfaces(self) -> dict[str, tuple[str, Any]]:
        """`product/interface` -> (provider id, ProvidedInterface)."""
        return {
            f"{pid}/{iface.name}": (pid, iface)
            for pid, product in self.products.items()
            for iface in product.interfaces.provides
        }

    def consumers(self) -> dict[str, set[str]]:
        """`product/interface` -> ids of the products that consume it."""
        result: dict[str, set[str]] = {}
        for pid, product in self.products.items():
            for consumed in product.interfaces.consumes:
                result.setdefault(consumed.interface, set()).add(pid)
        return result

    def graph(self) -> nx.DiGraph:
        """Consumer -> provider edges between products."""
        graph = nx.DiGraph()
        graph.add_nodes_from(self.products)
        for pid, product in self.products.items():
            for consumed in product.interfaces.consumes:
                graph.add_edge(pid, consumed.interface.split("/")[0])
        return graph


def load_demo(root: Path = DEMO_ORG) -> Demo:
    """Load and validate every document; any invalid one fails loudly with its location."""
    demo = Demo()
    for path in discover(root):
        with path.open(encoding="utf-8") as stream:
            documents = [doc for doc in yaml.load_all(stream, Loader=_StrictLoader) if doc]
        for index, raw in enumerate(documents):
            kind = str(raw.get("kind"))
            kind = KIND_ALIASES.get(kind, kind)
            model = MODEL_BY_KIND[kind].model_validate({**raw, "kind": kind})
            registry = demo.by_kind(kind)
            if model.id in registry:
                demo.duplicates.append(f"{kind} {model.id} in {path} (document {index})")
            registry[model.id] = model
            demo.path_of[(kind, model.id)] = path
            demo.docs_per_file[path] += 1
    return demo


@pytest.fixture(scope="module")
def demo() -> Demo:
    return load_demo()


def _owner_exists(demo: Demo, ref: str) -> bool:
    prefix, _, name = ref.rpartition(":")
    if prefix == "person":
        return name in demo.people
    if prefix == "team":
        return name in demo.teams
    return name in demo.people or name in demo.teams


# --- discovery and validity ---------------------------------------------------------------


def test_demo_uses_every_discovery_form(demo: Demo) -> None:
    names = {path.name for path in demo.docs_per_file}
    assert {"organization.yaml", "product.yaml", "product.yml"} <= names
    assert any(name.endswith(".productize.yaml") for name in names)
    assert any(name.endswith(".productize.yml") for name in names)
    multi_product_files = [
        path
        for path in demo.docs_per_file
        if path.name in DESCRIPTOR_NAMES
        and sum(1 for (kind, _), p in demo.path_of.items() if kind == "product" and p == path) >= 2
    ]
    assert len(multi_product_files) >= 2
    products_in_productize_files = [
        pid
        for pid in demo.products
        if demo.path_of[("product", pid)].name.endswith(DESCRIPTOR_SUFFIXES)
    ]
    assert len(products_in_productize_files) >= 2


def test_every_document_is_valid_and_ids_are_unique(demo: Demo) -> None:
    # load_demo raises on the first invalid document; here we check the set as a whole.
    assert demo.duplicates == []
    assert set(discover(DEMO_ORG)) == set(demo.docs_per_file), "a descriptor file is empty"


def test_counts(demo: Demo) -> None:
    assert len(demo.organizations) == 1
    assert len(demo.loops) == 4
    assert len(demo.teams) >= 8
    assert len(demo.people) >= 25
    assert len(demo.products) >= 30


def test_organisation_has_a_plain_mission(demo: Demo) -> None:
    (org,) = demo.organizations.values()
    assert 5 <= len(org.mission.split()) <= 30
    assert demo.path_of[("organization", org.id)] == DEMO_ORG / "organization.yaml"


# --- coverage of the format ---------------------------------------------------------------


def test_every_stage_is_present(demo: Demo) -> None:
    assert {product.stage for product in demo.products.values()} == set(Stage)


def test_every_interface_kind_and_stability_is_present(demo: Demo) -> None:
    provided = [iface for _, iface in demo.interfaces().values()]
    assert {iface.kind for iface in provided} == set(InterfaceKind)
    assert {iface.stability for iface in provided} == set(Stability)


def test_every_alignment_and_feedback_channel_kind_is_present(demo: Demo) -> None:
    products = demo.products.values()
    assert {p.alignment.kind for p in products if p.alignment} == set(AlignmentKind)
    channels = {channel.kind for p in products for channel in p.links.feedback}
    assert channels == set(ChannelKind)


def test_optional_sections_are_all_used_somewhere(demo: Demo) -> None:
    products = list(demo.products.values())
    assert any(p.brand.display_name and p.brand.logo for p in products)
    assert any(p.resourcing.infrastructure and p.resourcing.cost for p in products)
    assert any(p.steady_state.handover_guide for p in products)
    assert any(p.tags for p in products)
    assert any(p.annotations for p in products)
    assert any(p.audience for p in products)
    assert any(p.vision for p in products)
    assert any(c.why for p in products for c in p.interfaces.consumes)
    assert any(i.spec for p in products for i in p.interfaces.provides)
    assert any(i.docs for p in products for i in p.interfaces.provides)


# --- references -----------------------------------------------------------------------------


def test_loops_nest_and_are_run_like_products(demo: Demo) -> None:
    assert any(loop.parent for loop in demo.loops.values())
    for loop in demo.loops.values():
        assert loop.parent is None or loop.parent in demo.loops
        assert loop.mission and loop.customers and loop.owners, loop.id
        assert all(_owner_exists(demo, ref) for ref in loop.owners), loop.id


def test_teams_and_people_agree(demo: Demo) -> None:
    assert any(team.parent for team in demo.teams.values())
    assert not set(demo.people) & set(demo.teams), "a bare owner id would be ambiguous"
    for team in demo.teams.values():
        assert team.parent is None or team.parent in demo.teams
        for member in team.members:
            assert team.id in demo.people[member].teams, (team.id, member)
    for person in demo.people.values():
        assert person.teams, person.id
        for team_id in person.teams:
            assert person.id in demo.teams[team_id].members, (person.id, team_id)


def test_people_have_company_emails(demo: Demo) -> None:
    for person in demo.people.values():
        assert person.email and person.email.endswith("@" + COMPANY_DOMAIN), person.id


def test_every_product_reference_resolves(demo: Demo) -> None:
    interfaces = demo.interfaces()
    for pid, product in demo.products.items():
        assert product.loop is None or product.loop in demo.loops, pid
        assert product.part_of is None or product.part_of in demo.products, pid
        assert product.part_of != pid
        assert all(_owner_exists(demo, ref) for ref in product.owners), pid
        names = [iface.name for iface in product.interfaces.provides]
        assert len(names) == len(set(names)), pid
        refs = [consumed.interface for consumed in product.interfaces.consumes]
        assert len(refs) == len(set(refs)), pid
        for ref in refs:
            assert ref in interfaces, f"{pid} consumes undeclared {ref}"
            assert interfaces[ref][0] != pid, f"{pid} consumes its own {ref}"


def test_local_files_named_by_descriptors_exist(demo: Demo) -> None:
    for pid, product in demo.products.items():
        folder = demo.product_dir(pid)
        paths = [iface.spec for iface in product.interfaces.provides if iface.spec]
        paths += [product.brand.logo] if product.brand.logo else []
        guide = product.steady_state.handover_guide
        paths += [guide] if guide and "://" not in guide else []
        for relative in paths:
            assert (folder / relative).is_file(), f"{pid}: {relative}"


# --- the story the graph tells ------------------------------------------------------------


def test_a_product_is_split_into_sub_products(demo: Demo) -> None:
    children = Counter(p.part_of for p in demo.products.values() if p.part_of)
    assert children["farm-portal"] in (2, 3)


def test_there_are_hubs(demo: Demo) -> None:
    fan_in = Counter(provider for _, provider in demo.graph().edges())
    hubs = [pid for pid, count in fan_in.items() if count >= 5]
    assert {"accounts", "orders"} <= set(hubs)
    assert len(hubs) >= 3


def test_exactly_one_dependency_cycle(demo: Demo) -> None:
    cycles = [sorted(cycle) for cycle in nx.simple_cycles(demo.graph())]
    assert cycles == [["delivery-planner", "orders"]]


def test_a_deprecated_interface_is_still_consumed(demo: Demo) -> None:
    consumers = demo.consumers()
    deprecated_in_use = {
        ref: consumers[ref]
        for ref, (_, iface) in demo.interfaces().items()
        if iface.stability == Stability.DEPRECATED and ref in consumers
    }
    assert deprecated_in_use == {"produce-catalog/catalog-csv": {"price-watch"}}


def test_an_api_nobody_consumes(demo: Demo) -> None:
    assert "recipes/recipe-api" in demo.interfaces()
    assert "recipes/recipe-api" not in demo.consumers()


# --- the deliberate gaps --------------------------------------------------------------------


def test_gap_product_without_does_not(demo: Demo) -> None:
    app = demo.products["shop-app"]
    assert app.stage == Stage.GROWING
    assert app.scope.does and not app.scope.does_not


def test_gap_established_product_without_owner(demo: Demo) -> None:
    sheets = demo.products["stock-sheets"]
    assert sheets.stage == Stage.ESTABLISHED
    assert sheets.owners == []


def test_gap_vague_two_job_mission(demo: Demo) -> None:
    assert " and also " in (demo.products["ops-toolkit"].mission or "")


def test_gap_jargon_heavy_mission(demo: Demo) -> None:
    mission = demo.products["event-bus"].mission or ""
    acronyms = set(re.findall(r"\b[A-Z]{2,}\b", mission))
    assert len(acronyms) >= 4, acronyms
    compounds = re.findall(r"\b\w+(?:-\w+)+\b", mission)  # at-least-once, CDC-backed, ...
    assert len(compounds) >= 4, compounds


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower()))


def test_gap_scope_collision(demo: Demo) -> None:
    insights = demo.products["farm-insights"]
    reports = demo.products["farm-sales-reports"]
    assert insights.owners != reports.owners
    shared_does = {d.lower() for d in insights.scope.does} & {d.lower() for d in reports.scope.does}
    assert shared_does
    a, b = _words(insights.mission or ""), _words(reports.mission or "")
    assert len(a & b) / len(a | b) >= 0.5


def test_gap_idea_with_almost_nothing(demo: Demo) -> None:
    gift = demo.products["gift-boxes"]
    assert gift.stage == Stage.IDEA
    assert gift.model_fields_set == {"kind", "id", "name", "stage"}


def test_maintained_product_with_excellent_handover(demo: Demo) -> None:
    product = demo.products["notifications"]
    assert product.stage == Stage.MAINTAINED
    assert product.steady_state.open_context == []
    guide = demo.product_dir("notifications") / (product.steady_state.handover_guide or "")
    text = guide.read_text(encoding="utf-8")
    assert len(text.splitlines()) >= 30
    assert "## Where things are" in text and "## If it breaks" in text


def test_products_with_open_context(demo: Demo) -> None:
    with_context = {pid for pid, p in demo.products.items() if p.steady_state.open_context}
    assert "price-watch" in with_context
    assert len(demo.products["price-watch"].steady_state.open_context) >= 2


def test_retired_product_is_consumed_by_nobody(demo: Demo) -> None:
    retired = [pid for pid, p in demo.products.items() if p.stage == Stage.RETIRED]
    assert retired
    consumed_providers = {ref.split("/")[0] for ref in demo.consumers()}
    assert not set(retired) & consumed_providers


# --- repository evidence --------------------------------------------------------------------

EVIDENCE = ("README.md", "docs", "tests", ".github/workflows/ci.yml", "CHANGELOG.md", "LICENSE")


def test_some_products_carry_repository_evidence(demo: Demo) -> None:
    with_readme = [pid for pid in demo.products if (demo.product_dir(pid) / "README.md").is_file()]
    assert 4 <= len(with_readme) <= 8
    complete = [
        pid
        for pid in with_readme
        if all((demo.product_dir(pid) / item).exists() for item in (*EVIDENCE, "CONTRIBUTING.md"))
    ]
    assert {"orders", "notifications"} <= set(complete)
    # ...and some repositories are thin on purpose.
    for thin in ("price-watch", "farm-listings"):
        assert not (demo.product_dir(thin) / "tests").exists()
        assert not (demo.product_dir(thin) / ".github").exists()


def test_one_spec_is_valid_openapi_31_and_one_does_not_parse(demo: Demo) -> None:
    good = yaml.safe_load((demo.product_dir("orders") / "openapi.yaml").read_text())
    assert good["openapi"].startswith("3.1.")
    assert good["info"]["title"] and good["info"]["version"]
    assert good["paths"]
    broken = demo.product_dir("farm-listings") / "openapi.yaml"
    specs = [i.spec for i in demo.products["farm-listings"].interfaces.provides if i.spec]
    assert specs == ["openapi.yaml"]
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(broken.read_text())


# --- the real checker, once it exists -------------------------------------------------------


def test_checker_reports_no_errors_on_the_demo(demo: Demo) -> None:
    report = check_paths([DEMO_ORG])
    errors = [f.render() for f in report.findings if f.severity == Severity.ERROR]
    assert errors == []
    # The one intended warning: price-watch still reads the deprecated catalog CSV. Any new
    # warning on the demo should be a deliberate choice, recorded here and in the README.
    warnings = [f for f in report.findings if f.severity == Severity.WARNING]
    assert [f.code for f in warnings] == ["deprecated-interface"]
    assert "catalog-csv" in warnings[0].message
    assert warnings[0].path.endswith("price-watch/product.yaml")
    # The real discovery and parser see exactly what this test's loader sees.
    assert report.documents == {kind: len(demo.by_kind(kind)) for kind in MODEL_BY_KIND}
