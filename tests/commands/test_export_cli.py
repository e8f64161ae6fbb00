"""`productize export DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest

from productize.cli import main
from tests.ingest.trees import small_catalog, write

pytestmark = pytest.mark.django_db


def test_export_writes_files_and_refuses_a_full_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["ingest", "-q", str(small_catalog(tmp_path / "in"))])
    capsys.readouterr()
    out = tmp_path / "out"

    assert main(["export", str(out)]) == 0
    assert "3 products" in capsys.readouterr().out
    assert (out / "products/payments/product.yaml").is_file()

    write(out, "products/payments/product.yaml", "edited\n")
    assert main(["export", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "products/payments/product.yaml").read_text() == "edited\n"
    assert main(["export", str(out), "--force"]) == 0
    assert "kind: product" in (out / "products/payments/product.yaml").read_text()
