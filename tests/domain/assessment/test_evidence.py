"""scan_repository: what a working tree says, read safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from productize.domain.assessment import evidence
from productize.domain.assessment.evidence import MAX_SPEC_BYTES, scan_repository
from tests.domain.assessment.conftest import make_product

OPENAPI = "openapi: 3.1.0\ninfo: {title: Orders, version: '1'}\npaths: {}\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_a_complete_repository(tmp_path: Path):
    write(
        tmp_path,
        {
            "README.md": "# Orders",
            "docs/runbook.md": "run it",
            "tests/test_orders.py": "",
            ".github/workflows/ci.yml": "on: push",
            "LICENSE": "MIT",
            "CHANGELOG.md": "## 1.0",
            "CONTRIBUTING.md": "PRs welcome",
            "logo.svg": "<svg/>",
            "openapi.yaml": OPENAPI,
        },
    )
    repo = scan_repository(tmp_path, make_product(), tmp_path)
    assert repo.readable and not repo.problems
    flags = (repo.readme, repo.docs_dir, repo.tests, repo.ci, repo.licence, repo.changelog)
    assert all(flags) and repo.contributing and repo.logo
    assert [(s.interface, s.exists, s.parses, s.spec_kind) for s in repo.specs] == [
        ("orders-api", True, True, "openapi")
    ]
    assert "docs/runbook.md" in repo.files


def test_an_empty_repository(tmp_path: Path):
    repo = scan_repository(tmp_path, make_product(), tmp_path)
    assert repo.readable
    assert not any((repo.readme, repo.docs_dir, repo.tests, repo.ci, repo.licence, repo.logo))
    assert repo.specs[0].exists is False
    assert "not found" in (repo.specs[0].problem or "")


def test_test_files_count_without_a_tests_folder(tmp_path: Path):
    write(tmp_path, {"src/orders.test.ts": "", "gitlab": ""})
    assert scan_repository(tmp_path, make_product(), tmp_path).tests


@pytest.mark.parametrize(
    ("text", "parses", "kind", "problem"),
    [
        ("asyncapi: 3.0.0\n", True, "asyncapi", None),
        ("openapi: [unclosed\n", False, None, "does not parse"),
        ("title: just yaml\n", True, None, "no `openapi` or `asyncapi` key"),
        ("- a list\n", False, None, "is not a mapping"),
    ],
)
def test_spec_files_are_parsed(
    tmp_path: Path, text: str, parses: bool, kind: str | None, problem: str | None
):
    write(tmp_path, {"openapi.yaml": text})
    spec = scan_repository(tmp_path, make_product(), tmp_path).specs[0]
    assert (spec.exists, spec.parses, spec.spec_kind) == (True, parses, kind)
    if problem is None:
        assert spec.problem is None
    else:
        assert problem in (spec.problem or "")


def test_json_specs_and_unparsed_formats(tmp_path: Path):
    provides = [
        {"name": "a", "kind": "api", "spec": "a.json"},
        {"name": "b", "kind": "api", "spec": "schema.graphql"},
    ]
    write(tmp_path, {"a.json": '{"openapi": "3.1.0"}', "schema.graphql": "type Q {a: Int}"})
    specs = scan_repository(tmp_path, make_product(interfaces={"provides": provides}), tmp_path)
    assert [(s.parses, s.spec_kind) for s in specs.specs] == [(True, "openapi"), (None, None)]


def test_oversized_spec_is_not_read(tmp_path: Path):
    (tmp_path / "openapi.yaml").write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    spec = scan_repository(tmp_path, make_product(), tmp_path).specs[0]
    assert spec.parses is False and "larger" in (spec.problem or "")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_out_of_the_repository_are_not_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    repo_root = tmp_path / "repo"
    write(outside, {"README.md": "secret", "openapi.yaml": OPENAPI})
    repo_root.mkdir()
    (repo_root / "README.md").symlink_to(outside / "README.md")
    (repo_root / "openapi.yaml").symlink_to(outside / "openapi.yaml")
    (repo_root / "docs").symlink_to(outside, target_is_directory=True)
    repo = scan_repository(repo_root, make_product(), repo_root)
    assert not repo.readme and not repo.docs_dir
    assert repo.specs[0].exists is False


def test_spec_paths_cannot_escape_the_repository(tmp_path: Path):
    write(tmp_path, {"secret.yaml": OPENAPI})
    root = tmp_path / "repo"
    root.mkdir()
    product = make_product(
        interfaces={"provides": [{"name": "a", "kind": "api", "spec": "../secret.yaml"}]}
    )
    assert scan_repository(root, product, root).specs[0].exists is False


def test_missing_repository_is_unreadable(tmp_path: Path):
    repo = scan_repository(tmp_path / "nope", make_product(), tmp_path / "nope")
    assert not repo.readable and repo.problems


def test_product_in_a_monorepo_folder(tmp_path: Path):
    write(
        tmp_path,
        {
            ".gitlab-ci.yml": "test: {}",
            "LICENSE": "MIT",
            "services/orders/README.md": "# Orders",
            "services/orders/tests/test_x.py": "",
            "services/orders/openapi.yaml": OPENAPI,
            "services/other/CHANGELOG.md": "not ours",
        },
    )
    repo = scan_repository(tmp_path, make_product(), tmp_path / "services" / "orders")
    assert repo.readme and repo.tests and repo.ci and repo.licence
    assert not repo.changelog
    assert repo.specs[0].spec_kind == "openapi"
    assert "openapi.yaml" in repo.files and "services/orders/openapi.yaml" in repo.files


def test_huge_repositories_are_scanned_only_in_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(evidence, "MAX_WALK_ENTRIES", 5)
    write(tmp_path, {f"f{i}.txt": "" for i in range(10)})
    repo = scan_repository(tmp_path, make_product(), tmp_path)
    assert repo.truncated and repo.problems and len(repo.files) <= 5
