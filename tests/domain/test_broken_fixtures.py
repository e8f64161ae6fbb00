"""tests/fixtures/broken shows every finding code the checker can report, each where expected.

Each file there is named after the code it demonstrates. Four codes cannot live in a committed
file and are made in a copy of the folder here: a file over 1 MiB (`file-too-large`), one with
more than 200,000 YAML nodes (`too-many-nodes`, ~400 KB), a FIFO (`unreadable-file`) and a bug
(`internal-error`, by making the parser raise on one file).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from productize.domain import checker, parse, yamlload
from productize.domain.checker import check_paths
from productize.domain.findings import Severity
from tests.domain.conftest import FIXTURES

BROKEN = FIXTURES / "broken"

# code -> (file name without `.productize.yaml`, line, column) of one finding with that code.
EXPECTED: dict[str, tuple[str, int, int]] = {
    # yamlload: bytes and YAML
    "file-too-large": ("file-too-large", 0, 0),
    "binary-file": ("binary-file", 2, 1),
    "not-utf8": ("not-utf8", 2, 8),
    "control-character": ("control-character", 3, 11),
    "empty-file": ("empty-file", 0, 0),
    "yaml-syntax": ("yaml-syntax", 5, 1),
    "tab-indent": ("tab-indent", 5, 1),
    "too-deep": ("too-deep", 4, 80),
    "too-many-nodes": ("too-many-nodes", 4, 399_997),
    "alias-expansion": ("alias-expansion", 9, 13),
    "undefined-alias": ("undefined-alias", 3, 7),
    "recursive-alias": ("recursive-alias", 4, 14),
    "duplicate-key": ("duplicate-key", 4, 1),
    "non-string-key": ("non-string-key", 5, 3),
    "merge-key": ("merge-key", 7, 3),
    "unsupported-tag": ("unsupported-tag", 3, 7),
    "invalid-tagged-value": ("invalid-tagged-value", 5, 10),
    # parse: one document against the format
    "unreadable-file": ("unreadable-file", 0, 0),
    "not-a-mapping": ("not-a-mapping", 1, 1),
    "missing-kind": ("missing-kind", 1, 1),
    "unknown-kind": ("unknown-kind", 1, 7),
    "missing-id": ("missing-id", 1, 1),
    "missing-field": ("missing-field", 3, 1),
    "unknown-field": ("unknown-field", 4, 1),
    "wrong-type": ("wrong-type", 4, 8),
    "invalid-value": ("invalid-value", 4, 8),
    "invalid-id": ("invalid-id", 2, 5),
    "invalid-reference": ("invalid-reference", 6, 7),
    "empty-value": ("empty-value", 3, 7),
    "too-long": ("too-long", 3, 7),
    "internal-error": ("internal-error", 0, 0),
    # checker: the set as a whole
    "duplicate-id": ("duplicate-id", 6, 5),
    "multiple-organizations": ("multiple-organizations", 1, 7),
    "unknown-reference": ("unknown-reference", 4, 7),
    "ambiguous-owner": ("ambiguous-owner", 12, 10),
    "duplicate-interface": ("duplicate-interface", 8, 13),
    "self-consumption": ("self-consumption", 9, 7),
    "cycle": ("cycle", 4, 10),
    "deprecated-interface": ("deprecated-interface", 6, 7),
    "duplicate-consumes": ("duplicate-consumes", 7, 7),
}
WARNINGS = {"empty-file", "deprecated-interface", "duplicate-consumes"}
GENERATED = {"file-too-large", "too-many-nodes", "unreadable-file", "internal-error"}


def all_codes() -> set[str]:
    return set(yamlload.CODES) | set(parse.CODES) | set(checker.CODES)


def test_the_table_covers_every_code_defined_and_the_folder_has_a_file_per_code() -> None:
    assert set(EXPECTED) == all_codes()
    committed = {p.name.removesuffix(".productize.yaml") for p in BROKEN.iterdir()}
    assert committed == (set(EXPECTED) - GENERATED) | {"base"}


@pytest.fixture
def broken_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The broken folder plus the four generated cases; returns the paths to check."""
    root = tmp_path / "broken"
    shutil.copytree(BROKEN, root)
    with open(root / "file-too-large.productize.yaml", "wb") as handle:
        handle.truncate(yamlload.MAX_FILE_BYTES + 1)
    (root / "too-many-nodes.productize.yaml").write_text(
        "kind: product\nid: many\nname: Many\nannotations: [" + "1," * 200_000 + "1]\n"
    )
    fifo = root / "unreadable-file.productize.yaml"
    os.mkfifo(fifo)  # walking skips it (not a regular file); named explicitly it is read
    (root / "internal-error.productize.yaml").write_text("kind: product\nid: bug\nname: Bug\n")
    real_validate = parse._validate

    def buggy(path: str, *args: object) -> object:
        if path.endswith("internal-error.productize.yaml"):
            raise RuntimeError("a deliberate bug")
        return real_validate(path, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "_validate", buggy)
    return [root, fifo]


def test_every_code_is_reported_at_its_expected_place(broken_copy: list[Path]) -> None:
    report = check_paths(broken_copy, jobs=1)
    root = broken_copy[0]
    places = {
        (f.code, Path(f.path).name.removesuffix(".productize.yaml"), f.line, f.column)
        for f in report.findings
    }
    missing = {code: where for code, where in EXPECTED.items() if (code, *where) not in places}
    assert not missing, sorted(f.render() for f in report.findings)
    for finding in report.findings:
        expected = Severity.WARNING if finding.code in WARNINGS else Severity.ERROR
        assert finding.severity is expected, finding.render()
        assert finding.message
        assert Path(finding.path).is_relative_to(root)


def test_each_file_shows_only_its_own_code(broken_copy: list[Path]) -> None:
    report = check_paths(broken_copy, jobs=1)
    for finding in report.findings:
        name = Path(finding.path).name.removesuffix(".productize.yaml")
        assert name == finding.code, finding.render()


def test_the_committed_folder_alone_fails_the_check() -> None:
    report = check_paths([BROKEN])
    assert not report.ok
    assert {f.code for f in report.findings} == all_codes() - GENERATED
