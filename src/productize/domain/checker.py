"""The offline checker: `check_paths` (discover, parse, check the set) and `check_documents`.

The per-document rules live in `parse`, the set-level rules in `setchecks`; this module runs
them over files or over documents already in memory (the server's ingest calls
`check_documents` with `known` set to what the catalog already holds).

Team membership may be declared on either side, `team.members` or `person.teams`, and counts
as the union of both. Requiring both sides would make people maintain every membership twice,
and a one-sided declaration never misleads; a name on either side must exist all the same.

A *partial* check (`partial=True`, `productize check --partial`) is for a repository that holds
only some of the catalog, e.g. one product whose loop and owners are declared elsewhere:
references to ids that are not in the set are then not reported, because they can only be
resolved against the whole catalog.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from productize.domain.descriptors import KINDS
from productize.domain.discovery import discover
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument, parse_file
from productize.domain.setchecks import CODES, DocFacts, KnownIds, check_facts

__all__ = [
    "CODES",
    "CheckReport",
    "DocFacts",
    "KnownIds",
    "check_documents",
    "check_paths",
    "gc_paused",
]

ERROR, WARNING = Severity.ERROR, Severity.WARNING
ProgressFn = Callable[[int, int], None]
"""Called as `progress(done, total)` while files are parsed."""


def check_documents(
    documents: list[ParsedDocument], *, known: KnownIds | None = None, partial: bool = False
) -> list[Finding]:
    """Every set-level problem in `documents` (valid documents from `parse`), unsorted.

    `known` lists ids that exist outside `documents` (e.g. in the catalog already); without it,
    `documents` are the whole catalog unless `partial` says they are only part of it.
    """
    return check_facts([DocFacts.of(doc) for doc in documents], known=known, partial=partial)


@dataclass(slots=True)
class CheckReport:
    """What `check_paths` found: findings sorted by place, and what was checked."""

    files: int
    documents: dict[str, int]  # by kind
    findings: list[Finding]
    strict: bool = False

    @property
    def errors(self) -> int:
        """How many errors (in strict mode, warnings became errors)."""
        return sum(1 for f in self.findings if f.severity is ERROR)

    @property
    def warnings(self) -> int:
        """How many warnings."""
        return sum(1 for f in self.findings if f.severity is WARNING)

    @property
    def ok(self) -> bool:
        """True when nothing should fail a build."""
        return self.errors == 0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready summary with every finding."""
        return {
            "files": self.files,
            "documents": dict(self.documents),
            "errors": self.errors,
            "warnings": self.warnings,
            "strict": self.strict,
            "findings": [f.as_dict() for f in self.findings],
        }


PARALLEL_MIN_FILES = 2000  # measured: below ~1,500 files the workers cost more than they save
CHUNK_FILES = 250


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many objects at once.

    Parsing allocates millions of small, acyclic objects; with the collector running, each
    generation-2 pass walks all of them again, which nearly doubled the time of checking
    10,000 files (bench/RESULTS.md).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse_chunk(paths: list[str]) -> tuple[list[Finding], list[DocFacts]]:
    """Parse files; keep their findings and the facts of their valid documents."""
    findings: list[Finding] = []
    facts: list[DocFacts] = []
    for path in paths:
        parsed = parse_file(path)
        findings.extend(parsed.findings)
        facts.extend(DocFacts.of(doc) for doc in parsed.documents)
    return findings, facts


def usable_cpus() -> int:
    """CPUs this process may run on (fewer than `os.cpu_count()` in a restricted container)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def _parse_all(
    files: list[Path], *, jobs: int | None, progress: ProgressFn | None
) -> tuple[list[Finding], list[DocFacts]]:
    """Parse files, in worker processes when there are many; results in the input order.

    Workers send back findings and `DocFacts`, not whole documents: pickling a document costs
    about as much as parsing it, which took most of the gain of a second core away.
    Workers are forked (a spawned worker would re-import `__main__`, which breaks scripts and
    `python -m productize`); a caller with threads of its own, such as a server, should pass
    `jobs=1`.
    """
    names = [str(p) for p in files]
    workers = jobs if jobs is not None else usable_cpus()
    chunks = [names[i : i + CHUNK_FILES] for i in range(0, len(names), CHUNK_FILES)]
    findings: list[Finding] = []
    facts: list[DocFacts] = []
    done = 0
    if workers <= 1 or len(names) < PARALLEL_MIN_FILES:
        results: Iterator[tuple[list[Finding], list[DocFacts]]] = map(_parse_chunk, chunks)
        pool = None
    else:
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=context)
        results = iter(pool.map(_parse_chunk, chunks))
    try:
        for i, chunk in enumerate(chunks):
            try:
                chunk_findings, chunk_facts = next(results)
            except BrokenProcessPool:  # a worker was killed (e.g. out of memory): go on here
                results = map(_parse_chunk, chunks[i:])
                chunk_findings, chunk_facts = next(results)
            findings.extend(chunk_findings)
            facts.extend(chunk_facts)
            done += len(chunk)
            if progress:
                progress(done, len(names))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return findings, facts


def check_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    strict: bool = False,
    partial: bool = False,
    jobs: int | None = None,
    progress: ProgressFn | None = None,
) -> CheckReport:
    """Discover, parse and check every descriptor under `paths` (see `discover`)."""
    files = discover(paths)
    counts = dict.fromkeys(KINDS, 0)
    with gc_paused():
        findings, facts = _parse_all(files, jobs=jobs, progress=progress)
        findings.extend(check_facts(facts, partial=partial))
        for doc in facts:
            counts[doc.kind] += 1
        # Free the facts while the collector is off: once it is back on, its first pass would
        # walk every object made while it was off.
        del facts
    if strict:
        findings = [
            dataclasses.replace(f, severity=ERROR) if f.severity is WARNING else f for f in findings
        ]
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return CheckReport(len(files), counts, findings, strict)
