"""The reading phase of a run: which of a source's files changed since the last run, parsed.

Files whose size and modification time match what was recorded when they were last hashed
are not read again (on directory sources); the others are hashed, and only the changed ones
(or those marked for a re-check) are parsed. Backstage files are read as one set.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from productize.domain.parse import ParsedFile
from productize.ingest.backstage import read_backstage_files
from productize.ingest.models import Source, SourceFile, SourceFormat, SourceKind
from productize.ingest.reading import parse_files, read_limited, walk_descriptors

Progress = Callable[[str, int, int], None]
"""Called as `progress(phase, done, total)` while a run reads, checks and writes."""

RACY_NS = 2_000_000_000  # files modified in the last 2 s are hashed again next run


@dataclass(slots=True)
class FileRecord:
    """What the last run recorded of one file."""

    id: int
    sha256: str
    recheck: bool
    size: int
    mtime_ns: int
    last_run_id: int | None


@dataclass(slots=True)
class TreeRead:
    """What the reading phase found, before anything is written."""

    seen: int = 0
    changed: int = 0
    parsed: dict[str, ParsedFile] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # relative path -> absolute path
    stats: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (size, mtime)
    restat: list[tuple[int, int, int]] = field(default_factory=list)  # unchanged, new stat
    use_stat: bool = False
    removed: set[str] = field(default_factory=set)
    snapshot: dict[str, FileRecord] = field(default_factory=dict)


def read_tree(source: Source, root: Path, report: Progress) -> TreeRead:
    """Find the source's descriptor files under `root`, and parse those that changed."""
    read = TreeRead(use_stat=source.kind == SourceKind.DIRECTORY)
    rows = SourceFile.objects.filter(source=source).values_list(
        "path", "id", "sha256", "recheck", "size", "mtime_ns", "last_run_id"
    )
    read.snapshot = {
        path: FileRecord(pk, sha, recheck, size, mtime, last_run)
        for path, pk, sha, recheck, size, mtime, last_run in rows
    }
    native = source.format != SourceFormat.BACKSTAGE
    files = walk_descriptors(root.resolve()) if native else []
    total = len(files)
    report("reading", 0, total)
    # A file changed within this window may change again within the clock's resolution
    # without its time moving: its time is not trusted next run (git's "racily clean").
    recent = time.time_ns() - RACY_NS
    to_parse: list[tuple[str, str]] = []
    for done, (relative, path) in enumerate(files, start=1):
        read.paths[relative] = path
        old = read.snapshot.get(relative)
        stat: tuple[int, int] = (0, 0)
        if read.use_stat:
            try:
                info = os.stat(path)
                if info.st_mtime_ns < recent:
                    stat = (info.st_size, info.st_mtime_ns)
            except OSError:
                pass
        read.stats[relative] = stat
        if old is not None and not old.recheck and stat[1] and stat == (old.size, old.mtime_ns):
            continue  # same size and time as when it was hashed: not read again
        try:
            digest = hashlib.sha256(read_limited(path)).hexdigest()
        except OSError:
            digest = ""  # the parse reports why it cannot be read
        if old is None or old.sha256 != digest:
            read.changed += 1
            to_parse.append((relative, path))
        elif old.recheck:
            to_parse.append((relative, path))
        elif stat != (old.size, old.mtime_ns):
            read.restat.append((old.id, *stat))  # touched, not changed: remember the new time
        if done % 1000 == 0:
            report("reading", done, total)
    report("reading", total, total)

    report("parsing", 0, len(to_parse))
    for parsed in parse_files(
        to_parse, progress=lambda done: report("parsing", done, len(to_parse))
    ):
        read.parsed[parsed.path] = parsed
    report("parsing", len(to_parse), len(to_parse))
    _read_backstage(source, root.resolve(), read, recent, report)
    read.seen = len(read.paths)
    read.removed = set(read.snapshot) - read.paths.keys()
    return read


def _read_backstage(
    source: Source, root: Path, read: TreeRead, recent: int, report: Progress
) -> None:
    """Add the source's Backstage files (all of them, or none when none changed) to `read`."""

    def stat_of(path: str) -> tuple[int, int]:
        if not read.use_stat:
            return (0, 0)
        try:
            info = os.stat(path)
        except OSError:
            return (0, 0)
        return (info.st_size, info.st_mtime_ns) if info.st_mtime_ns < recent else (0, 0)

    report("backstage", 0, 1)
    found = read_backstage_files(
        source,
        root,
        read.snapshot,  # type: ignore[arg-type]
        set(read.paths),
        stat_of,
        lambda done, total: report("backstage", done, total),
    )
    for relative, absolute in found.paths.items():
        read.paths[relative] = absolute
        read.stats[relative] = stat_of(absolute)
    for relative, parsed in found.parsed.items():
        read.parsed[relative] = parsed
        old = read.snapshot.get(relative)
        if old is None or old.sha256 != parsed.sha256:
            read.changed += 1
    report("backstage", len(found.paths), len(found.paths))
