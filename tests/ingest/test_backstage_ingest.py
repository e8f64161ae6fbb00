"""Backstage catalogs through the ingest: discovery, the sync, problems, removal, clashes, git."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Consumption, Interface, Loop, Person, Product, Team
from productize.ingest.models import IngestProblem, RunStatus, Source
from productize.ingest.runner import ingest_path, ingest_source
from productize.ingest.services import source_add, source_update
from tests.ingest.trees import commit_all, git_repo, write

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "backstage"
GENERATOR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_catalog.py"

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  description: {description}
spec:
  type: service
  lifecycle: production
  owner: group:team-a
"""
GROUP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-a
  labels: {cost-centre: "42"}
spec:
  type: squad
  children: []
"""


def _copy(name: str, to: Path) -> Path:
    shutil.copytree(CORPUS / name, to)
    return to


def test_catalog_info_files_are_found_mapped_and_stored_with_their_extras(
    tmp_path: Path,
) -> None:
    root = _copy("basic", tmp_path / "shop")
    run = ingest_path(location=root)

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.files_seen == 6 and run.created == 13
    product = Product.objects.get(slug="checkout-service")
    assert product.mission == "Turns baskets into orders."
    assert product.stage == "established"
    assert product.annotations["backstage/ref"] == "component:default/checkout-service"
    assert product.loop is not None and product.loop.slug == "checkout"
    assert set(Interface.objects.filter(product=product).values_list("name", flat=True)) >= {
        "checkout-api",
        "order-events",
    }
    # Loops, teams and people keep what has no field here, in their annotations.
    assert Loop.objects.get(slug="commerce").annotations["backstage/ref"] == (
        "domain:default/commerce"
    )
    team = Team.objects.get(slug="team-checkout")
    assert '"type":"team"' in team.annotations["backstage/spec"]
    assert Person.objects.count() == 2
    # Warnings of the mapping are stored as located problems of the run.
    problem = IngestProblem.objects.get(source=run.source, code="backstage-unknown-kind")
    assert (problem.path, problem.line, problem.column) == ("apis.yaml", 80, 7)
    # Every created entity is in the audit log, written by the run.
    assert ChangeRecord.objects.filter(ingest_run_id=run.pk, object_type="product").count() == 4


def test_an_unchanged_catalog_is_not_read_again_and_a_change_is_applied(tmp_path: Path) -> None:
    root = _copy("basic", tmp_path / "shop")
    first = ingest_path(location=root)
    again = ingest_path(location=root)
    assert (again.files_changed, again.files_skipped, again.created, again.updated) == (
        0,
        6,
        0,
        0,
    )
    assert IngestProblem.objects.filter(source=first.source, current=True).count() == 5

    web = root / "components" / "checkout-web.yaml"
    web.write_text(web.read_text().replace("lifecycle: production", "lifecycle: experimental"))
    changed = ingest_path(location=root)
    assert (changed.files_changed, changed.updated, changed.created) == (1, 1, 0)
    assert Product.objects.get(slug="checkout-web").stage == "prototype"


def test_an_entity_that_vanishes_is_removed_and_extras_changes_are_seen(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "catalog-info.yaml", COMPONENT.format(name="alpha", description="A.") + "---\n"
          + COMPONENT.format(name="beta", description="B.") + "---\n" + GROUP)  # fmt: skip
    first = ingest_path(location=root)
    assert first.status == RunStatus.SUCCEEDED, list(IngestProblem.objects.values("message"))
    assert set(Product.objects.values_list("slug", flat=True)) == {"alpha", "beta"}
    assert '"cost-centre":"42"' in Team.objects.get(slug="team-a").annotations["backstage/metadata"]

    write(root, "catalog-info.yaml", COMPONENT.format(name="alpha", description="A.") + "---\n"
          + GROUP.replace('"42"', '"43"'))  # fmt: skip
    second = ingest_path(location=root)
    assert second.removed == 1 and second.updated == 1
    assert set(Product.objects.values_list("slug", flat=True)) == {"alpha"}
    assert '"cost-centre":"43"' in Team.objects.get(slug="team-a").annotations["backstage/metadata"]
    assert ChangeRecord.objects.filter(object_type="product", object_id="beta").count() == 2


def test_backstage_and_productize_descriptors_make_one_catalog(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "services/catalog-info.yaml", COMPONENT.format(name="ledger", description="L.")
          + "  providesApis: [ledger-api]\n---\n" + GROUP + "---\n" + textwrap.dedent("""\
            apiVersion: backstage.io/v1alpha1
            kind: API
            metadata: {name: ledger-api, description: Post entries}
            spec: {type: openapi, lifecycle: production, owner: team-a, definition: "openapi: 3"}
            """))  # fmt: skip
    write(root, "products/report/product.yaml", textwrap.dedent("""\
        kind: product
        id: report
        name: Report
        mission: Shows the books.
        owners: [team:team-a]
        interfaces:
          consumes: [ledger/ledger-api]
        """))  # fmt: skip
    run = ingest_path(location=root)
    assert run.status == RunStatus.SUCCEEDED, list(IngestProblem.objects.values("message"))
    consumption = Consumption.objects.get(consumer__slug="report")
    assert consumption.interface is not None and consumption.interface.ref == "ledger/ledger-api"


def test_messy_files_report_located_problems_and_the_rest_imports(tmp_path: Path) -> None:
    root = _copy("messy", tmp_path / "messy")
    run = ingest_path(location=root)
    assert run.status == RunStatus.PARTIAL and run.errors > 0
    problems = IngestProblem.objects.filter(source=run.source, current=True)
    assert problems.filter(code="yaml-syntax").exists()
    assert problems.filter(code="backstage-duplicate-entity").exists()
    assert all(p.path == "catalog-info.yaml" and p.line > 0 and p.column > 0 for p in problems)
    assert Product.objects.exists()  # the good documents of the file still import


def test_two_sources_claiming_one_product_is_an_error_on_both(tmp_path: Path) -> None:
    write(tmp_path / "one", "catalog-info.yaml",
          COMPONENT.format(name="shared", description="one") + "---\n" + GROUP)  # fmt: skip
    # The second source's component is owned by the team the first one declares.
    write(tmp_path / "two", "catalog-info.yaml", COMPONENT.format(name="shared", description="two"))
    first = ingest_path(location=tmp_path / "one")
    second = ingest_path(location=tmp_path / "two")
    assert Product.objects.get(slug="shared").mission == "one"
    assert second.status == RunStatus.PARTIAL
    mine = IngestProblem.objects.get(source=second.source, code="id-claimed-elsewhere")
    assert (mine.path, mine.line, mine.severity) == ("catalog-info.yaml", 1, "error")
    theirs = IngestProblem.objects.get(source=first.source, code="id-claimed-elsewhere")
    assert theirs.severity == "error" and "source `two`" in theirs.message


def test_format_backstage_reads_other_names_and_is_remembered(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "services.yaml", COMPONENT.format(name="gamma", description="G.") + "---\n" + GROUP)
    assert ingest_path(location=root).created == 0  # not a catalog-info name
    run = ingest_path(location=root, format="backstage")
    assert run.created == 2 and Product.objects.filter(slug="gamma").exists()
    source = Source.objects.get(pk=run.source_id)
    assert source.format == "backstage"
    assert ChangeRecord.objects.filter(object_type="source", action="update").exists()
    # Names instead of the format: a glob pattern, remembered too.
    source_update(
        actor=Actor.system("test"), source=source, format="auto", backstage_names="*.yaml"
    )
    source.refresh_from_db()
    assert ingest_source(source=source).status == RunStatus.SUCCEEDED
    assert Product.objects.filter(slug="gamma").exists()
    with pytest.raises(ValidationError):
        source_update(actor=Actor.system("test"), source=source, backstage_names="a/b.yaml")


def test_a_git_source_reads_catalog_info_and_follows_its_own_urls(tmp_path: Path) -> None:
    root = git_repo(tmp_path / "repo")
    write(root, "catalog-info.yaml", textwrap.dedent("""\
        apiVersion: backstage.io/v1alpha1
        kind: Location
        metadata: {name: index}
        spec:
          targets:
            - ./team.yaml
            - https://git.example.com/acme/repo/blob/main/svc/service.yaml
            - https://elsewhere.example.com/catalog.yaml
        """))  # fmt: skip
    write(root, "team.yaml", GROUP)
    write(root, "svc/service.yaml", COMPONENT.format(name="delta", description="D."))
    commit_all(root, "catalog")
    source, _ = source_add(
        actor=Actor.system("test"), name="repo", location=f"file://{root}", webhook=False
    )
    run = ingest_source(source=source)
    assert Team.objects.filter(slug="team-a").exists()  # the relative target is followed
    # A file:// source has no web view, so neither URL stands for one of its files.
    assert not Product.objects.filter(slug="delta").exists()
    not_followed = IngestProblem.objects.filter(source=source, code="backstage-url-not-followed")
    assert not_followed.count() == 2
    assert run.status == RunStatus.SUCCEEDED


def test_url_roots_of_a_web_git_source(tmp_path: Path) -> None:
    from productize.ingest.backstage import url_roots

    source = Source(kind="git", location="https://git.example.com/acme/repo.git", branch="dev")
    roots = url_roots(source, tmp_path)
    assert roots["https://git.example.com/acme/repo/blob/dev/"] == tmp_path
    assert "https://git.example.com/acme/repo/-/tree/dev/" in roots
    leaky = Source(kind="git", location="https://u:p@git.example.com/acme/repo.git")
    assert url_roots(leaky, tmp_path) == {}


def test_the_product_page_shows_what_backstage_said_without_a_home(
    tmp_path: Path, client: Client, settings: object
) -> None:
    root = _copy("basic", tmp_path / "shop")
    ingest_path(location=root)
    setattr(settings, "ANONYMOUS_READ", True)  # noqa: B010
    page = client.get("/products/checkout-service/")
    if page.status_code == 302:  # signed-in reading only in this configuration
        pytest.skip("product pages need a signed-in user here")
    text = page.content.decode()
    assert "backstage/ref" in text and "component:default/checkout-service" in text


def test_the_generated_catalog_ingests_completely(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--entities", "500", "--out", str(out), "--seed", "3"],
        check=True,
        capture_output=True,
    )
    import json

    counts = json.loads((out / "manifest.json").read_text())["counts"]
    run = ingest_path(location=out, backstage_names="all.yaml")
    assert run.status == RunStatus.SUCCEEDED, list(
        IngestProblem.objects.filter(severity="error").values_list("message", flat=True)[:5]
    )
    assert Product.objects.count() == counts["Component"]
    assert Team.objects.count() == counts["Group"]
    assert Person.objects.count() == counts["User"]
    assert Loop.objects.count() == counts["Domain"] + counts["System"]
    assert Interface.objects.count() >= counts["API"]


def test_set_check_problems_point_at_the_backstage_field(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root, "catalog-info.yaml", COMPONENT.format(name="lonely", description="L."))
    run = ingest_path(location=root)
    assert run.status == RunStatus.PARTIAL
    problem = IngestProblem.objects.get(source=run.source, code="unknown-reference")
    # `spec.owner: group:team-a` is on line 9, its value at column 10.
    assert (problem.path, problem.line, problem.column) == ("catalog-info.yaml", 9, 10)
    assert not Product.objects.filter(slug="lonely").exists()  # the same rule as descriptors


def test_name_matcher_takes_names_and_patterns() -> None:
    from productize.domain.discovery import name_matcher, parse_names

    exact = name_matcher(parse_names("catalog-info.yaml, catalog-info.yml,"))
    assert exact("catalog-info.yml") and not exact("Catalog-Info.yaml")
    globbed = name_matcher(("all.yaml", "*-catalog.y*ml"))
    assert globbed("all.yaml") and globbed("team-catalog.yaml") and not globbed("x.yaml")


def test_substitutions_stay_inside_the_source(tmp_path: Path) -> None:
    root = _copy("substitutions", tmp_path / "src")
    run = ingest_path(location=root)
    problems = IngestProblem.objects.filter(source=run.source, current=True)
    outside = problems.get(code="backstage-substitution-outside")
    assert (outside.path, outside.line, outside.severity) == ("catalog-info.yaml", 36, "error")
    assert problems.filter(code="backstage-substitution-url", severity="warning").exists()
    assert "root:" not in "".join(Product.objects.values_list("mission", flat=True))
