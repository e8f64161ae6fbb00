"""The ingest's file walk finds exactly what `productize check` finds."""

from __future__ import annotations

from pathlib import Path

from productize.domain.discovery import discover
from productize.ingest.reading import walk_descriptors
from tests.conftest import DEMO_ORG
from tests.ingest.trees import write


def _as_discover_sees_it(root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in discover([root])]


def test_same_files_as_discovery_on_a_tricky_tree(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    for relative in (
        "product.yaml",
        "a/product.yml",
        "a-b/product.yaml",
        "a/b/organisation.yaml",
        "teams.productize.yml",
        "x/people.productize.yaml",
        ".git/product.yaml",
        ".hidden/product.yaml",
        "node_modules/p/product.yaml",
        "vendor/product.yaml",
        "venv/product.yaml",
        "a/Product.yaml",
        "a/notes.yaml",
        "a/product.yaml.bak",
    ):
        write(root, relative, "kind: product\n")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)
    (root / "z").mkdir()
    (root / "z" / "product.yaml").symlink_to(root / "product.yaml")

    walked = [relative for relative, _ in walk_descriptors(root)]

    assert walked == _as_discover_sees_it(root)
    assert "a/product.yml" in walked and "linked/product.yml" not in walked
    assert all(Path(path).is_absolute() for _, path in walk_descriptors(root))


def test_same_files_as_discovery_on_the_demo_organisation() -> None:
    walked = [relative for relative, _ in walk_descriptors(DEMO_ORG)]
    assert walked == _as_discover_sees_it(DEMO_ORG)
    assert len(walked) > 20
