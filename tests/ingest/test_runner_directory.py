"""Ingest from a directory: first load, incremental re-runs, changes, deletions, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from productize.audit.models import ChangeRecord
from productize.catalog.models import (
    Consumption,
    Interface,
    Loop,
    Membership,
    Organization,
    Ownership,
    Person,
    Product,
    ProductTag,
    Team,
)
from productize.ingest.models import IngestProblem, IngestRun, RunStatus, Source, SourceFile
from productize.ingest.runner import ingest_path, ingest_source
from tests.ingest.trees import LEDGER, PAYMENTS, SEARCH, small_catalog, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return small_catalog(tmp_path / "catalog")


def _ingest(tree: Path) -> IngestRun:
    return ingest_path(location=tree)


def test_first_ingest_loads_everything_with_relations(tree: Path) -> None:
    run = _ingest(tree)

    assert run.status == RunStatus.SUCCEEDED, list(IngestProblem.objects.values_list("message"))
    assert (run.files_seen, run.files_changed, run.files_skipped) == (6, 6, 0)
    assert run.created == 1 + 2 + 1 + 2 + 3  # org, loops, team, people, products
    assert Organization.objects.get().slug == "acme"
    payments = Product.objects.get(slug="payments")
    assert payments.loop == Loop.objects.get(slug="commerce")
    assert Loop.objects.get(slug="commerce").parent == Loop.objects.get(slug="platform")
    assert payments.source_path == "products/payments/product.yaml"
    assert payments.source_line >= 1
    assert Product.objects.get(slug="ledger").part_of == payments
    owners = {
        (o.ref, o.person_id is not None, o.team_id is not None) for o in payments.ownerships.all()
    }
    assert owners == {("alice", True, False), ("team:core", False, True)}
    consumption = Consumption.objects.get(consumer__slug="payments")
    assert consumption.interface == Interface.objects.get(ref="ledger/events")
    assert consumption.why == "to book each payment"
    assert set(ProductTag.objects.filter(product=payments).values_list("tag", flat=True)) == {
        "money",
        "core",
    }
    assert set(Membership.objects.values_list("team__slug", "person__slug")) == {
        ("core", "alice"),
        ("core", "bob"),
    }
    assert "charge cards" in payments.search_text
    assert run.source is not None and run.source.schedule_minutes == 0


def test_rerun_with_nothing_changed_skips_every_file_and_writes_nothing(tree: Path) -> None:
    _ingest(tree)
    changes = ChangeRecord.objects.count()
    stamps = list(Product.objects.order_by("slug").values_list("slug", "updated_at"))

    run = _ingest(tree)

    assert run.status == RunStatus.SUCCEEDED
    assert (run.files_seen, run.files_changed, run.files_skipped) == (6, 0, 6)
    assert (run.created, run.updated, run.removed) == (0, 0, 0)
    assert ChangeRecord.objects.count() == changes
    assert list(Product.objects.order_by("slug").values_list("slug", "updated_at")) == stamps
    assert Source.objects.count() == 1


def test_changed_file_updates_its_product_and_records_before_and_after(tree: Path) -> None:
    _ingest(tree)
    events_id = Interface.objects.get(ref="ledger/events").pk
    write(tree, "products/ledger/product.yaml", LEDGER.replace("Keep the books", "Keep all books"))

    run = _ingest(tree)

    assert (run.files_changed, run.files_skipped, run.updated, run.created) == (1, 5, 1, 0)
    ledger = Product.objects.get(slug="ledger")
    assert ledger.mission == "Keep all books straight."
    # The interface row survives the update, so its consumers stay resolved.
    assert Interface.objects.get(ref="ledger/events").pk == events_id
    assert Consumption.objects.get(consumer__slug="search").interface_id == events_id
    assert ledger.part_of is not None and ledger.loop is not None
    record = ChangeRecord.objects.get(object_type="product", object_id="ledger", action="update")
    assert record.before["mission"] == "Keep the books straight."
    assert record.after["mission"] == "Keep all books straight."
    assert record.actor_kind == "ingest"
    assert record.ingest_run_id == run.pk


def test_deleted_file_removes_the_product_with_all_relations_and_nothing_dangles(
    tree: Path,
) -> None:
    _ingest(tree)
    (tree / "products/ledger/product.yaml").unlink()

    run = _ingest(tree)

    assert run.removed == 1
    assert not Product.objects.filter(slug="ledger").exists()
    assert not Interface.objects.filter(ref="ledger/events").exists()
    assert not Ownership.objects.filter(ref="bob", product__isnull=True, loop__isnull=True).exists()
    assert not ProductTag.objects.exclude(product__in=Product.objects.all()).exists()
    # Consumers keep what they declared, without a key to a row that is gone.
    for slug in ("payments", "search"):
        consumption = Consumption.objects.get(consumer__slug=slug)
        assert consumption.interface_ref == "ledger/events"
        assert consumption.interface_id is None
    assert not SourceFile.objects.filter(path="products/ledger/product.yaml").exists()
    record = ChangeRecord.objects.get(object_type="product", object_id="ledger", action="delete")
    assert record.before["name"] == "Ledger" and record.after is None

    again = _ingest(tree)  # and it does not come back
    assert (again.created, again.removed) == (0, 0)
    assert not Product.objects.filter(slug="ledger").exists()


def test_product_removed_from_a_multi_document_file(tree: Path) -> None:
    _ingest(tree)
    write(
        tree,
        "people.productize.yaml",
        "kind: person\nid: alice\nname: Alice Example\nteams: [core]\n---\n"
        "kind: team\nid: core\nname: Core\n",
    )
    write(tree, "products/ledger/product.yaml", LEDGER.replace("owners: [bob]", "owners: [alice]"))

    run = _ingest(tree)

    assert run.status == RunStatus.SUCCEEDED, list(IngestProblem.objects.values_list("message"))
    assert not Person.objects.filter(slug="bob").exists()
    assert set(Membership.objects.values_list("team__slug", "person__slug")) == {("core", "alice")}
    assert Team.objects.get(slug="core").member_refs == []


def test_a_product_moving_to_another_file_is_kept(tree: Path) -> None:
    _ingest(tree)
    pk = Product.objects.get(slug="search").pk
    (tree / "products/search/product.yaml").unlink()
    write(tree, "products/find/product.yaml", SEARCH)

    run = _ingest(tree)

    assert (run.created, run.removed, run.updated) == (0, 0, 0)
    moved = Product.objects.get(slug="search")
    assert moved.pk == pk and moved.source_path == "products/find/product.yaml"


def test_bad_file_is_recorded_while_the_good_ones_land(tree: Path) -> None:
    write(tree, "products/search/product.yaml", SEARCH.replace("mission:", "misssion:"))
    write(tree, "products/broken/product.yaml", "kind: product\nid: broken\nname: [unclosed\n")

    run = _ingest(tree)

    assert run.status == RunStatus.PARTIAL
    assert run.errors >= 2
    assert Product.objects.filter(slug__in=["payments", "ledger"]).count() == 2
    assert not Product.objects.filter(slug__in=["search", "broken"]).exists()
    typo = IngestProblem.objects.get(path="products/search/product.yaml", current=True)
    assert typo.code == "unknown-field"
    assert typo.product_slug == "search"  # shown on the product page
    assert typo.line == 4 and typo.column >= 1
    assert "did you mean" in typo.hint
    assert typo.run == run and typo.source == run.source
    broken = IngestProblem.objects.filter(path="products/broken/product.yaml", current=True)
    assert broken.exists()


def test_a_bad_change_keeps_the_last_good_version_and_says_why(tree: Path) -> None:
    _ingest(tree)
    write(tree, "products/search/product.yaml", SEARCH.replace("stage", "x") + "stage: grown\n")

    run = _ingest(tree)

    assert run.status == RunStatus.PARTIAL
    search = Product.objects.get(slug="search")  # not removed: the file is broken, not gone
    assert search.stage == "idea"
    problem = IngestProblem.objects.get(product_slug="search", current=True)
    assert problem.code == "invalid-value" and "grown" in problem.message

    write(tree, "products/search/product.yaml", SEARCH + "stage: growing\n")
    fixed = _ingest(tree)

    assert fixed.status == RunStatus.SUCCEEDED
    assert Product.objects.get(slug="search").stage == "growing"
    assert not IngestProblem.objects.filter(product_slug="search", current=True).exists()
    assert IngestProblem.objects.filter(product_slug="search", current=False).exists()


def test_rerun_over_an_unchanged_bad_file_writes_no_new_problems(tree: Path) -> None:
    write(tree, "products/search/product.yaml", SEARCH.replace("mission:", "misssion:"))
    _ingest(tree)
    problems = list(IngestProblem.objects.values_list("id", "current"))

    run = _ingest(tree)

    assert list(IngestProblem.objects.values_list("id", "current")) == problems
    assert run.errors == 1 and run.status == RunStatus.PARTIAL


def test_unknown_reference_is_an_error_until_the_target_appears(tree: Path) -> None:
    write(tree, "products/search/product.yaml", SEARCH.replace("loop: platform", "loop: growth"))
    run = _ingest(tree)
    assert run.status == RunStatus.PARTIAL
    problem = IngestProblem.objects.get(product_slug="search", current=True)
    assert problem.code == "unknown-reference"
    assert not Product.objects.filter(slug="search").exists()

    # The loop arrives from another source: the unchanged file is checked again and lands.
    other = small_catalog_loop(tree.parent / "growth")
    assert ingest_path(location=other).status == RunStatus.SUCCEEDED
    again = _ingest(tree)

    assert again.status == RunStatus.SUCCEEDED
    assert Product.objects.get(slug="search").loop == Loop.objects.get(slug="growth")
    assert not IngestProblem.objects.filter(product_slug="search", current=True).exists()


def small_catalog_loop(root: Path) -> Path:
    write(root, "growth.productize.yaml", "kind: loop\nid: growth\nname: Growth\n")
    return root


def test_two_sources_claiming_one_product_is_an_error_on_both(tree: Path, tmp_path: Path) -> None:
    first = _ingest(tree)
    other = tmp_path / "other"
    write(other, "pay/product.yaml", PAYMENTS.replace("Payments", "Payments (fork)"))

    second = ingest_path(location=other)

    assert second.status == RunStatus.PARTIAL
    payments = Product.objects.get(slug="payments")
    assert payments.name == "Payments" and payments.source == first.source  # not overwritten
    mine = IngestProblem.objects.get(source=second.source, current=True)
    assert mine.code == "id-claimed-elsewhere" and mine.product_slug == "payments"
    assert first.source is not None and first.source.name in mine.message
    theirs = IngestProblem.objects.get(source=first.source, current=True)
    assert theirs.product_slug == "payments" and theirs.related_source == second.source
    assert theirs.path == "products/payments/product.yaml"
    assert not ChangeRecord.objects.filter(ingest_run_id=second.pk).exists()

    # Re-running the claimant changes nothing and duplicates nothing.
    ingest_path(location=other)
    assert IngestProblem.objects.filter(current=True).count() == 2

    # The first source lets go: the claimant's unchanged file now lands, problems end.
    (tree / "products/payments/product.yaml").unlink()
    ingest_path(location=tree)
    assert not Product.objects.filter(slug="payments").exists()
    ingest_path(location=other)
    assert Product.objects.get(slug="payments").name == "Payments (fork)"
    assert not IngestProblem.objects.filter(current=True, code="id-claimed-elsewhere").exists()


def test_failed_source_records_a_failed_run(tmp_path: Path) -> None:
    tree = small_catalog(tmp_path / "gone")
    run = ingest_path(location=tree)
    source = run.source
    assert source is not None
    for path in sorted(tree.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    tree.rmdir()

    failed = ingest_source(source=source)

    assert failed.status == RunStatus.FAILED
    assert "not a directory" in failed.message
    assert Product.objects.count() == 3  # nothing removed because the source vanished


def test_a_broken_file_keeps_its_entities_known_to_the_others(tree: Path) -> None:
    _ingest(tree)
    write(
        tree,
        "loops.productize.yaml",
        "kind: loop\nid: platform\nname: Platform\n---\nkind: loop\nid: commerce\nname: [broken\n",
    )
    write(tree, "products/search/product.yaml", SEARCH.replace("loop: platform", "loop: commerce"))

    run = _ingest(tree)

    assert run.status == RunStatus.PARTIAL
    # `commerce` could not be read this time, but it was not removed: search may still use it.
    assert Loop.objects.filter(slug="commerce").exists()
    assert Product.objects.get(slug="search").loop == Loop.objects.get(slug="commerce")
    assert not IngestProblem.objects.filter(product_slug="search", current=True).exists()


def test_a_run_that_raced_another_writes_nothing(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _ingest(tree)
    write(tree, "products/search/product.yaml", SEARCH.replace("Find things", "Find all"))
    from productize.ingest import runner

    real = runner.read_tree

    def read_then_race(*args: object, **kwargs: object) -> object:
        read = real(*args, **kwargs)  # type: ignore[arg-type]
        # Another run of the same source finishes while this one was reading.
        other = IngestRun.objects.create(source=first.source, started_at=first.started_at)
        SourceFile.objects.filter(source=first.source).update(sha256="0" * 64, last_run=other)
        return read

    monkeypatch.setattr(runner, "read_tree", read_then_race)
    run = _ingest(tree)

    assert run.status == RunStatus.FAILED and "run it again" in run.message
    assert Product.objects.get(slug="search").mission == "Find things fast."


def test_unchanged_files_are_not_even_read_when_size_and_time_match(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from productize.ingest import tree_reading

    hour_ago = 1_700_000_000
    for path in tree.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    _ingest(tree)
    reads: list[Path] = []
    real = tree_reading.read_limited

    def counting(path: str | Path) -> bytes:
        reads.append(Path(path))
        return real(path)

    monkeypatch.setattr(tree_reading, "read_limited", counting)
    assert _ingest(tree).files_skipped == 6
    assert reads == []

    touched = tree / "products/search/product.yaml"
    os.utime(touched, (hour_ago + 60, hour_ago + 60))  # touched, same content
    run = _ingest(tree)
    assert (run.files_changed, run.updated) == (0, 0)
    assert reads == [touched]  # hashed once, found unchanged, its new time remembered
    _ingest(tree)
    assert reads == [touched]

    write(tree, "products/search/product.yaml", SEARCH.replace("fast", "quickly"))
    changed = _ingest(tree)
    assert (changed.files_changed, changed.updated) == (1, 1)
    assert Product.objects.get(slug="search").mission == "Find things quickly."
