"""Finding descriptor files in trees."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from productize.domain.discovery import discover, is_descriptor_name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("product.yaml", True),
        ("product.yml", True),
        ("organization.yaml", True),
        ("organisation.yml", True),
        ("teams.productize.yaml", True),
        ("x.productize.yml", True),
        ("Product.yaml", False),
        ("products.yaml", False),
        ("product.json", False),
        ("productize.yaml", False),
        ("config.yaml", False),
    ],
)
def test_descriptor_names(name: str, expected: bool) -> None:
    assert is_descriptor_name(name) is expected


def test_finds_descriptors_anywhere_sorted_and_skips_noise(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    for rel in (
        "b/product.yaml",
        "a/b/product.yml",
        "a-b/product.yaml",
        "organization.yaml",
        "people/team.productize.yaml",
        "deep/1/2/3/4/5/6/7/8/product.yaml",
        "a/notes.yaml",
        ".git/product.yaml",
        ".venv/lib/product.yaml",
        "node_modules/pkg/product.yaml",
        "vendor/x/product.yaml",
        ".hidden/product.yaml",
    ):
        write(rel, "kind: product\n")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == [
        "a/b/product.yml",
        "a-b/product.yaml",
        "b/product.yaml",
        "deep/1/2/3/4/5/6/7/8/product.yaml",
        "organization.yaml",
        "people/team.productize.yaml",
    ]


def test_a_file_path_is_taken_as_is(write: Callable[[str, str], Path]) -> None:
    path = write("anything.yaml", "kind: product\n")
    assert discover([path]) == [path]


def test_relative_paths_stay_relative_and_duplicates_are_dropped(
    tmp_path: Path, write: Callable[[str, str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    write("x/product.yaml", "")
    monkeypatch.chdir(tmp_path)
    assert discover([".", "x", "x/product.yaml", str(tmp_path)]) == [Path("x/product.yaml")]


def test_symlinks_are_not_followed_inside_a_tree(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    outside = write("outside/product.yaml", "")
    root = tmp_path / "root"
    write("root/real/product.yaml", "")
    (root / "linked-dir").symlink_to(outside.parent, target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "real" / "organization.yaml").symlink_to(outside)
    assert discover([root]) == [root / "real" / "product.yaml"]


def test_a_missing_path_raises() -> None:
    with pytest.raises(FileNotFoundError):
        discover(["/no/such/path/anywhere"])


def test_many_files(tmp_path: Path) -> None:
    for i in range(2000):
        directory = tmp_path / f"g{i % 20}" / f"p{i}"
        directory.mkdir(parents=True)
        (directory / "product.yaml").touch()
        (directory / "README.md").touch()
    found = discover([tmp_path])
    assert len(found) == 2000
    assert found == sorted(found, key=lambda p: str(p).split(os.sep))


def test_unreadable_directories_are_skipped(
    tmp_path: Path, write: Callable[[str, str], Path]
) -> None:
    write("ok/product.yaml", "")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        found = discover([tmp_path])
    finally:
        locked.chmod(0o755)
    assert found == [tmp_path / "ok" / "product.yaml"]
