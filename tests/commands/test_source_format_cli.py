"""`productize source add --format --backstage-names`: which files a registered source reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from productize.catalog.models import Product
from productize.cli import main
from productize.ingest.models import Source
from tests.ingest.trees import write

COMPONENT = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {{name: {name}, description: {name} does one thing.}}
spec: {{type: service, lifecycle: production, owner: user:ada}}
"""
USER = """\
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: ada}
spec: {profile: {displayName: Ada}}
"""

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Backstage files under three names, and one productize descriptor."""
    root = tmp_path / "repo"
    write(root, "catalog-info.yaml", COMPONENT.format(name="standard") + "---\n" + USER)
    write(root, "services/billing.entity.yaml", COMPONENT.format(name="billing"))
    write(root, "misc/notes.yaml", COMPONENT.format(name="stray"))
    write(root, "report/product.yaml", "kind: product\nid: report\nname: Report\n")
    return root


def _slugs() -> set[str]:
    return set(Product.objects.values_list("slug", flat=True))


def test_the_default_reads_descriptors_and_the_standard_backstage_names(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["source", "add", "acme", str(repo), "--no-webhook"]) == 0
    out = capsys.readouterr().out
    assert "files: productize descriptors and Backstage files named the " in out
    source = Source.objects.get(name="acme")
    assert (source.format, source.backstage_names) == ("auto", "")
    assert main(["source", "refresh", "acme", "-q"]) == 0
    assert _slugs() == {"standard", "report"}


def test_backstage_names_choose_the_files_and_are_remembered(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = "catalog-info.yaml, *.entity.yaml"
    assert main(["source", "add", "acme", str(repo), "--backstage-names", names]) == 0
    out = capsys.readouterr().out
    assert "Backstage files named catalog-info.yaml,*.entity.yaml" in out
    assert Source.objects.get(name="acme").backstage_names == "catalog-info.yaml,*.entity.yaml"
    assert main(["source", "refresh", "acme", "-q"]) == 0
    assert _slugs() == {"standard", "billing", "report"}
    capsys.readouterr()
    assert main(["source", "list"]) == 0
    listing = capsys.readouterr().out  # the format column: `auto (NAMES)`, maybe cut short
    assert " auto " in listing and "(catalog-info.yaml,*.entity" in listing


def test_format_backstage_reads_every_yaml_file_as_backstage(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "report" / "product.yaml").unlink()  # not a Backstage file: would be an error
    assert main(["source", "add", "portal", str(repo), "--format", "backstage"]) == 0
    assert "every .yaml/.yml file as Backstage" in capsys.readouterr().out
    assert Source.objects.get(name="portal").format == "backstage"
    assert main(["source", "refresh", "portal", "-q"]) == 0
    assert _slugs() == {"standard", "billing", "stray"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml"], "invalid choice: 'yaml'"),
        (["--backstage-names", "services/catalog-info.yaml"], "not paths"),
    ],
)
def test_bad_file_options_are_refused_and_nothing_is_registered(
    repo: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    try:
        code = main(["source", "add", "acme", str(repo), *args])
    except SystemExit as exit_:  # argparse refuses unknown choices
        code = int(exit_.code or 0)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not Source.objects.exists()


def test_help_explains_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["source", "add", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--format {auto,backstage}" in text and "--backstage-names NAMES" in text
    assert "every .yaml/.yml file, read as a Backstage catalog file" in text
    assert "PRODUCTIZE_BACKSTAGE_FILE_NAMES" in text
