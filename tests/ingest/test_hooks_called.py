"""The runner calls the after-ingest handlers with what changed, and survives their failures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from productize.catalog.models import Product
from productize.ingest import hooks
from productize.ingest.hooks import IngestOutcome
from productize.ingest.models import IngestProblem, RunStatus
from productize.ingest.runner import ingest_path
from tests.ingest.trees import LEDGER, small_catalog, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[hooks.Handler]]:
    registered: list[hooks.Handler] = []
    monkeypatch.setattr(hooks, "_handlers", registered)  # only this test's handlers
    yield registered


def test_handlers_see_changed_and_removed_products_while_the_tree_exists(
    tmp_path: Path, handlers: list[hooks.Handler]
) -> None:
    seen: list[tuple[set[str], set[str], dict[str, str], bool]] = []

    def record(outcome: IngestOutcome) -> None:
        seen.append(
            (
                outcome.changed_products,
                outcome.removed_products,
                outcome.product_paths,
                (outcome.root / "organization.yaml").is_file(),
            )
        )

    handlers.append(record)
    tree = small_catalog(tmp_path / "catalog")
    ingest_path(location=tree)
    write(tree, "products/ledger/product.yaml", LEDGER.replace("straight", "balanced"))
    (tree / "products/search/product.yaml").unlink()
    ingest_path(location=tree)
    ingest_path(location=tree)

    assert seen[0][0] == {"payments", "ledger", "search"} and seen[0][3]
    assert seen[1][:3] == ({"ledger"}, {"search"}, {"ledger": "products/ledger/product.yaml"})
    assert seen[2][:2] == (set(), set())


def test_a_failing_handler_is_a_problem_on_the_run_not_a_lost_ingest(
    tmp_path: Path, handlers: list[hooks.Handler]
) -> None:
    def broken(outcome: IngestOutcome) -> None:
        raise ValueError("cannot reassess")

    handlers.append(broken)
    run = ingest_path(location=small_catalog(tmp_path / "catalog"))

    assert Product.objects.count() == 3
    assert run.status == RunStatus.PARTIAL and run.errors == 1
    problem = IngestProblem.objects.get(run=run, current=True)
    assert problem.code == "after-ingest-failed" and "cannot reassess" in problem.message

    handlers.clear()
    again = ingest_path(location=small_catalog(tmp_path / "catalog"))
    assert again.status == RunStatus.SUCCEEDED
    assert not IngestProblem.objects.filter(current=True).exists()
