"""Helpers for the Backstage reader and export tests."""

from __future__ import annotations

from pathlib import Path

from productize.domain.backstage.options import MappedDocument, MappingOptions
from productize.domain.backstage.reader import BackstageResult, read_backstage
from productize.domain.descriptors import AnyDoc
from productize.domain.findings import Finding

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "backstage"
GENERATOR = Path(__file__).resolve().parents[4] / "shared" / "bench" / "gen_catalog.py"


def read_case(name: str, options: MappingOptions | None = None) -> BackstageResult:
    """Read one corpus directory."""
    return read_backstage(CORPUS / name, options=options)


def doc(result: BackstageResult, kind: str, id_: str) -> AnyDoc:
    """The document of `kind` with id `id_` (fails when absent)."""
    return mapped(result, kind, id_).model


def mapped(result: BackstageResult, kind: str, id_: str) -> MappedDocument:
    """The mapped document of `kind` with id `id_`, with its provenance."""
    found = [d for d in result.documents if d.model.kind == kind and d.model.id == id_]
    assert len(found) == 1, sorted((d.model.kind, d.model.id) for d in result.documents)
    return found[0]


def located(findings: list[Finding]) -> list[tuple[str, str, int, int]]:
    """(code, path, line, column) of each finding, for exact comparisons."""
    return [(f.code, f.path, f.line, f.column) for f in findings]
