"""Ingest problems: every finding of a run, stored so owners see why a change did not arrive.

Each finding is tied to the product its file declares (`product_slug`), so the product page
can show it. Problems of a file are replaced when the file is read again, unless they are
the same as before; a clash between two sources is shown on both sources.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from productize.catalog.services import Conflict
from productize.catalog.services.bulk import insert_rows
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument
from productize.domain.yamlload import load_yaml
from productize.ingest.models import IngestProblem, IngestRun, Source, SourceFile
from productize.ingest.reading import read_limited

CLASH_CODE = "id-claimed-elsewhere"
DUPLICATE_CODE = "duplicate-in-source"


@dataclass(slots=True)
class Problem:
    """A finding about to become an `IngestProblem`, with the product it belongs to."""

    finding: Finding
    product_slug: str

    def signature(self) -> tuple[Any, ...]:
        f = self.finding
        return (
            f.path,
            f.line,
            f.column,
            str(f.severity),
            f.code,
            f.message,
            f.hint or "",
            f.field or "",
            self.product_slug,
        )


def conflict_finding(conflict: Conflict) -> Finding:
    """The finding that tells a file's owners their declaration was refused, and why."""
    code = DUPLICATE_CODE if conflict.same_source else CLASH_CODE
    hint = (
        "remove one of the two declarations"
        if conflict.same_source
        else "pick another id, or remove the declaration from one of the sources"
    )
    return Finding(
        conflict.path,
        conflict.line,
        1,
        Severity.ERROR,
        code,
        f"{conflict.message()}; this declaration was not applied",
        hint,
        "id",
        extra={"kind": conflict.kind, "slug": conflict.slug},
    )


def _raw_product_ids(path: str, data: bytes) -> dict[int, str]:
    """Product ids of documents that failed validation, read from the raw YAML."""
    ids: dict[int, str] = {}
    for doc in load_yaml(path, data).documents:
        value = doc.value
        if isinstance(value, dict) and value.get("kind") == "product":
            slug = value.get("id")
            if isinstance(slug, str) and slug:
                ids[doc.index] = slug[:63]
    return ids


def attach_products(
    findings: Sequence[Finding],
    documents: Sequence[ParsedDocument],
    files: Mapping[str, str],
    known_files: Mapping[str, int],
) -> list[Problem]:
    """Tie each finding to the product its document (or its one-product file) declares.

    `files` maps the run's relative paths to absolute ones (to re-read broken files for the
    ids they meant to declare); `known_files` maps paths to their `SourceFile` ids (for what
    a file declared before it broke).
    """
    by_document: dict[tuple[str, int], str] = {}
    by_file: dict[str, list[str]] = defaultdict(list)
    for doc in documents:
        if doc.kind == "product":  # kind and id: an imported document is not unpacked
            by_document[(doc.path, doc.index)] = doc.id
            by_file[doc.path].append(doc.id)
    bad = {f.path for f in findings if f.severity is Severity.ERROR and f.path in files}
    for path in sorted(bad):
        try:
            data = read_limited(files[path])
        except OSError:
            continue
        for index, slug in _raw_product_ids(path, data).items():
            by_document.setdefault((path, index), slug)
            if slug not in by_file[path]:
                by_file[path].append(slug)
    # What the files declared last time, for problems of files that no longer parse.
    unknown = sorted({f.path for f in findings if f.path not in by_file} & known_files.keys())
    before: dict[str, list[str]] = {}
    for start in range(0, len(unknown), 500):
        before.update(
            SourceFile.objects.filter(
                id__in=[known_files[p] for p in unknown[start : start + 500]]
            ).values_list("path", "product_slugs")
        )
    problems = []
    for finding in findings:
        slug = finding.extra.get("slug", "") if finding.extra.get("kind") == "product" else ""
        if not slug and finding.document is not None:
            slug = by_document.get((finding.path, finding.document), "")
        if not slug:
            candidates = by_file.get(finding.path) or before.get(finding.path, [])
            slug = candidates[0] if len(candidates) == 1 else ""
        problems.append(Problem(finding, slug))
    return problems


def store_problems(
    source: Source, run: IngestRun, read_paths: Iterable[str], problems: Sequence[Problem]
) -> None:
    """Replace the current problems of every file this run read (or saw disappear).

    A file whose problems are exactly the ones already recorded keeps its records, so that a
    re-run over unchanged bad files writes nothing.
    """
    touched = set(read_paths) | {p.finding.path for p in problems}
    wanted: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        wanted[problem.finding.path].append(problem)
    have: dict[str, list[tuple[int, tuple[Any, ...]]]] = defaultdict(list)
    paths = sorted(touched)
    for start in range(0, len(paths), 500):
        rows = IngestProblem.objects.filter(
            source=source,
            current=True,
            related_source__isnull=True,
            path__in=paths[start : start + 500],
        ).values_list(
            "id",
            "path",
            "line",
            "column",
            "severity",
            "code",
            "message",
            "hint",
            "field",
            "product_slug",
        )
        for row in rows:
            have[str(row[1])].append((int(row[0]), tuple(row[1:])))
    stale: list[int] = []
    new: list[IngestProblem] = []
    for path in paths:
        old = sorted(signature for _, signature in have.get(path, []))
        fresh = sorted(problem.signature() for problem in wanted.get(path, []))
        if old == fresh:
            continue
        stale.extend(pk for pk, _ in have.get(path, []))
        new.extend(_problem_row(source, run, problem) for problem in wanted.get(path, []))
    for start in range(0, len(stale), 500):
        IngestProblem.objects.filter(id__in=stale[start : start + 500]).update(current=False)
    _insert_problems(new)


def _insert_problems(rows: Sequence[IngestProblem]) -> None:
    insert_rows(
        IngestProblem,
        _PROBLEM_FIELDS,
        (tuple(getattr(row, _PROBLEM_ATTRS[name]) for name in _PROBLEM_FIELDS) for row in rows),
    )


_PROBLEM_FIELDS = (
    "run",
    "source",
    "path",
    "line",
    "column",
    "severity",
    "code",
    "message",
    "hint",
    "field",
    "product_slug",
    "related_source",
    "current",
)
_PROBLEM_ATTRS = {
    name: f"{name}_id" if name in ("run", "source", "related_source") else name
    for name in _PROBLEM_FIELDS
}


def _problem_row(
    source: Source, run: IngestRun, problem: Problem, related: Source | None = None
) -> IngestProblem:
    f = problem.finding
    return IngestProblem(
        run=run,
        source=source,
        path=f.path[:1000],
        line=max(f.line, 0),
        column=max(f.column, 0),
        severity=str(f.severity),
        code=f.code[:64],
        message=f.message,
        hint=f.hint or "",
        field=(f.field or "")[:500],
        product_slug=problem.product_slug[:63],
        related_source=related,
    )


def store_clashes(source: Source, conflicts: Iterable[Conflict]) -> None:
    """Show each clash on the other source's latest run too, and end the ones now resolved."""
    wanted: dict[tuple[Any, ...], tuple[int, Finding, str]] = {}
    for conflict in conflicts:
        if conflict.same_source or conflict.other_source_id is None:
            continue
        finding = Finding(
            conflict.other_path,
            conflict.other_line,
            1,
            Severity.ERROR,
            CLASH_CODE,
            f"{conflict.kind} `{conflict.slug}` is also declared by source `{source.name}` "
            f"({conflict.path}:{conflict.line}); that declaration was refused",
            "agree on which source declares it and remove the other declaration",
            "id",
        )
        slug = conflict.slug if conflict.kind == "product" else ""
        key = (conflict.other_source_id, finding.path, finding.line, finding.message, slug)
        wanted[key] = (conflict.other_source_id, finding, slug)
    have = {
        (source_id, path, line, message, slug): pk
        for pk, source_id, path, line, message, slug in IngestProblem.objects.filter(
            related_source=source, current=True
        ).values_list("id", "source_id", "path", "line", "message", "product_slug")
    }
    stale = [pk for key, pk in have.items() if key not in wanted]
    IngestProblem.objects.filter(id__in=stale).update(current=False)
    missing = [value for key, value in wanted.items() if key not in have]
    if not missing:
        return
    latest: dict[int, IngestRun] = {}
    for other_id in {other_id for other_id, _, _ in missing}:
        run = IngestRun.objects.filter(source_id=other_id).order_by("-started_at").first()
        if run is not None:
            latest[other_id] = run
    rows = [
        _problem_row(latest[other_id].source, latest[other_id], Problem(finding, slug), source)  # type: ignore[arg-type]
        for other_id, finding, slug in missing
        if other_id in latest
    ]
    _insert_problems(rows)
