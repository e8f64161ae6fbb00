"""`productize ingest`: exit status, summary, problems, redaction, help."""

from __future__ import annotations

from pathlib import Path

import pytest

from productize.catalog.models import Product
from productize.cli import main
from productize.ingest.models import IngestRun
from tests.ingest.trees import SEARCH, small_catalog, write

pytestmark = pytest.mark.django_db


def test_ingest_prints_a_summary_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = small_catalog(tmp_path / "catalog")

    assert main(["ingest", str(tree)]) == 0

    out = capsys.readouterr().out
    assert "catalog" in out and "succeeded" in out
    assert Product.objects.count() == 3

    assert main(["ingest", "-q", str(tree)]) == 0
    run = IngestRun.objects.order_by("-started_at").first()
    assert run is not None and run.files_skipped == 6


def test_errors_are_listed_with_their_location_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = small_catalog(tmp_path / "catalog")
    write(tree, "products/search/product.yaml", SEARCH.replace("mission:", "misssion:"))

    assert main(["ingest", str(tree)]) == 1

    out = capsys.readouterr().out
    assert "products/search/product.yaml:4:1: error[unknown-field]" in out
    assert "did you mean" in out
    assert Product.objects.count() == 2


def test_several_locations_in_one_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = small_catalog(tmp_path / "one")
    two = tmp_path / "two"
    write(two, "x/product.yaml", "kind: product\nid: extra\nname: Extra\n")
    assert main(["ingest", str(one), str(two)]) == 0
    assert Product.objects.count() == 4
    out = capsys.readouterr().out
    assert "one" in out and "two" in out


def test_a_location_that_is_neither_a_directory_nor_a_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ingest", str(tmp_path / "missing")]) == 2
    assert "is not a directory" in capsys.readouterr().err


def test_credentials_in_the_url_are_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["ingest", "-q", "http://bot:hunter2secret@127.0.0.1:9/acme/catalog.git"])
    captured = capsys.readouterr()
    assert code == 1
    assert "failed" in captured.out
    assert "hunter2secret" not in captured.out + captured.err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "productize ingest ./catalog" in out and "--subpath" in out
