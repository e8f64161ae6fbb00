"""Locations are followed inside the root only; substitutions likewise, with a size limit."""

from __future__ import annotations

import json
from pathlib import Path

from productize.domain.backstage.options import MappingOptions
from productize.domain.backstage.reader import read_backstage
from productize.domain.descriptors import ProductDoc
from tests.domain.backstage.conftest import CORPUS, doc, located, read_case


def test_targets_globs_cycles_urls_and_escapes() -> None:
    result = read_case("locations")
    assert result.files == ["catalog-info.yaml", "more.yaml", "teams/data.yaml",
                            "teams/platform.yaml"]  # fmt: skip
    assert located(result.findings) == [
        ("backstage-location-outside", "catalog-info.yaml", 8, 7),
        ("backstage-url-not-followed", "catalog-info.yaml", 9, 7),
        ("backstage-location-missing", "catalog-info.yaml", 10, 7),
        ("backstage-location-missing", "catalog-info.yaml", 12, 7),  # glob matches nothing
        ("backstage-location-missing", "catalog-info.yaml", 20, 11),  # optional: a warning
        ("backstage-location-cycle", "more.yaml", 6, 13),
    ]
    severities = [str(f.severity) for f in result.findings]
    assert severities == ["error", "warning", "error", "warning", "warning", "warning"]
    assert doc(result, "team", "data").parent == "platform"  # type: ignore[union-attr]


def test_url_targets_inside_a_registered_prefix_are_followed(tmp_path: Path) -> None:
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\n"
        "spec: {type: url, target: 'https://git.example/acme/repo/blob/main/team.yaml'}\n"
    )
    (tmp_path / "team.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: t}\n"
        "spec: {type: team, children: []}\n"
    )
    options = MappingOptions(url_roots={"https://git.example/acme/repo/blob/main/": tmp_path})
    result = read_backstage(tmp_path, options=options)
    assert result.files == ["catalog-info.yaml", "team.yaml"]
    assert result.findings == []


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: x}\n")
    root = tmp_path / "root"
    root.mkdir()
    (root / "link.yaml").symlink_to(outside)
    (root / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l}\n"
        "spec: {target: ./link.yaml}\n"
    )
    result = read_backstage(root)
    assert [f.code for f in result.findings] == ["backstage-location-outside"]
    assert result.documents == []


def test_substitutions_resolve_inside_the_root_only() -> None:
    result = read_case("substitutions", MappingOptions(max_substitution_bytes=2000))
    site = doc(result, "product", "docs-site")
    assert isinstance(site, ProductDoc)
    assert site.mission == "Where everyone finds how things work."
    assert site.annotations["acme.example/config"] == "mode=fast"
    left = json.loads(site.annotations["backstage/spec"])
    assert left["extra"] == {"answer": 42, "list": [1, 2]}
    assert left["more"] == {"key": "value", "nested": {"a": 1}}
    (api,) = site.interfaces.provides
    assert api.spec == "specs/docs-api.yaml"  # the `$text` file, relative to the descriptor
    assert result.definitions["docs-site/docs-api"].startswith("openapi: 3.0.0")
    sneaky = doc(result, "product", "sneaky")
    assert isinstance(sneaky, ProductDoc)
    assert sneaky.mission is None  # /etc/passwd was not read
    problems = [(f.code, f.line) for f in result.findings if f.code.startswith("backstage-sub")]
    assert problems == [
        ("backstage-substitution-outside", 36),
        ("backstage-substitution-missing", 42),
        ("backstage-substitution-invalid", 44),
        ("backstage-substitution-url", 46),
        ("backstage-substitution-too-large", 48),
    ]


def test_files_outside_the_root_are_not_read(tmp_path: Path) -> None:
    result = read_backstage(tmp_path, [CORPUS / "basic" / "org.yaml"])
    assert [f.code for f in result.findings] == ["backstage-location-outside"]
    assert result.files == []
