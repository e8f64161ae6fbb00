"""`productize check` over trees that hold Backstage files, with the same rules as the ingest.

The ingest reads a source's Backstage files as one set, maps them, and checks the mapped
documents together with the productize descriptors (`check_documents`). This does the same
offline: each path given is read as the ingest would read a source rooted there, and every
finding is shown with the path as given on the command line.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from productize.domain.backstage.model import places_index
from productize.domain.backstage.options import MappingOptions
from productize.domain.backstage.reader import discover_backstage, read_backstage
from productize.domain.checker import CheckReport, check_documents
from productize.domain.descriptors import KINDS
from productize.domain.discovery import (
    ANY_YAML,
    BACKSTAGE_NAMES,
    discover,
    is_descriptor_name,
    parse_names,
)
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument, parse_file

ENV_NAMES = "PRODUCTIZE_BACKSTAGE_FILE_NAMES"


def names_from_env() -> tuple[str, ...]:
    """The Backstage file names from `PRODUCTIZE_BACKSTAGE_FILE_NAMES`, as the server reads it."""
    return parse_names(os.environ.get(ENV_NAMES, "")) or BACKSTAGE_NAMES


def backstage_starts(
    paths: Iterable[str | os.PathLike[str]], names: Sequence[str], *, force: bool
) -> list[tuple[Path, list[Path]]]:
    """(root, Backstage files under it) for each path; a file given is its own start."""
    out: list[tuple[Path, list[Path]]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in discover_backstage(path, tuple(names))
                if force or not is_descriptor_name(p.name)
            ]
            if found:
                out.append((path, found))
        elif path.is_file() and (force or _matches(path.name, names)):
            out.append((path.parent, [path]))
    return out


def _matches(name: str, names: Sequence[str]) -> bool:
    from productize.domain.discovery import name_matcher

    return not is_descriptor_name(name) and name_matcher(names)(name)


def _shown(root: Path, relative: str) -> str:
    return os.path.normpath(os.path.join(root, relative)) if str(root) != "." else relative


def check_with_backstage(
    paths: Sequence[str | os.PathLike[str]],
    *,
    names: Sequence[str] | None = None,
    force: bool = False,
    strict: bool = False,
    partial: bool = False,
) -> CheckReport:
    """Check productize descriptors and Backstage files under `paths` as one catalog.

    `force` reads every YAML file as Backstage (`--format backstage` of the ingest) and no
    productize descriptors.
    """
    names = tuple(ANY_YAML if force else (names or names_from_env()))
    findings: list[Finding] = []
    documents: list[ParsedDocument] = []
    files = 0
    if not force:
        for file in discover(paths):
            parsed = parse_file(file)
            files += 1
            findings.extend(parsed.findings)
            documents.extend(parsed.documents)
    for root, starts in backstage_starts(paths, names, force=force):
        options = MappingOptions(file_names=names)
        result = read_backstage(root, [p.resolve() for p in starts], options=options)
        files += len(result.files)
        for finding in result.findings:
            findings.append(dataclasses.replace(finding, path=_shown(root, finding.path)))
        for mapped in result.documents:
            path = _shown(root, mapped.path)
            documents.append(
                ParsedDocument(
                    mapped.model,
                    path,
                    mapped.index,
                    mapped.line,
                    mapped.column,
                    places_index(mapped.places, mapped.line, mapped.column),
                )
            )
    findings.extend(check_documents(documents, partial=partial))
    counts = dict.fromkeys(KINDS, 0)
    for doc in documents:
        counts[doc.kind] += 1
    if strict:
        findings = [
            dataclasses.replace(f, severity=Severity.ERROR) if f.severity is Severity.WARNING else f
            for f in findings
        ]
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return CheckReport(files, counts, findings, strict)
