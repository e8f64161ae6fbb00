"""Read and parse descriptor files for an ingest (framework-free).

Each parsed document keeps only the part of its position index that the set checks use: at
100,000 products the full index would cost more memory than the documents themselves.

Parsing runs in the ingest's own process. Worker processes were measured (bench/RESULTS.md):
on two cores, sending the validated documents back to the parent (pickled, or as JSON to be
validated again) cost as much as the parsing they saved.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from productize.domain.discovery import SKIP_DIRS, is_descriptor_name
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedFile, parse_bytes
from productize.domain.yamlload import MAX_FILE_BYTES, PathKey, PositionIndex

# Where the set checks point their findings (ids, references, interface names). A document
# keeps only these positions: the full index of every value costs more memory than the
# document itself, and a finding elsewhere falls back to the nearest recorded parent.
_LOCATED_FIELDS = frozenset(
    ("id", "kind", "name", "parent", "members", "teams", "loop", "part_of", "owners")
)


def slim_positions(positions: PositionIndex) -> PositionIndex:
    """The positions of the fields the set checks may report on."""

    def wanted(path: PathKey) -> bool:
        if not path:
            return True
        if path[0] in _LOCATED_FIELDS:
            return True
        # `interfaces.consumes[i]` and `interfaces.provides[i].name`, with their parents.
        return path[0] == "interfaces" and (len(path) <= 3 or path[3] == "name")

    # Value positions only: the set checks locate values, not keys (a key lookup falls back
    # to the value's position anyway).
    return PositionIndex(values={k: v for k, v in positions.values.items() if wanted(k)})


def walk_descriptors(root: Path) -> list[tuple[str, str]]:
    """(path relative to `root` with `/`, absolute path) of every descriptor file, sorted.

    Paths are plain strings: a `Path` per file cost more than the walk itself.

    The same files as `productize check` finds (`domain.discovery`: same names, same skipped
    directories, links never followed), walked without building a `Path` per directory: at
    100,000 products the walk is most of an incremental run.
    """
    found: list[tuple[str, str]] = []
    pending = [(str(root), "")]
    while pending:
        directory, relative = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if name[0] != "." and name not in SKIP_DIRS:
                            pending.append((entry.path, f"{relative}{name}/"))
                    elif is_descriptor_name(name) and entry.is_file(follow_symlinks=False):
                        found.append((f"{relative}{name}", entry.path))
        except OSError:
            continue  # unreadable or vanished directory: nothing to find there
    found.sort(key=lambda item: item[0].split("/"))
    return found


def read_limited(path: str | Path) -> bytes:
    """The file's bytes, at most one more than the parser accepts (it reports the excess)."""
    with open(path, "rb") as handle:
        return handle.read(MAX_FILE_BYTES + 1)


def parse_one(relative: str, path: str | Path) -> ParsedFile:
    """Read and parse one file; unreadable files become a located finding."""
    try:
        data = read_limited(path)
    except OSError as error:
        finding = Finding(
            relative,
            0,
            0,
            Severity.ERROR,
            "unreadable-file",
            f"cannot read the file: {error.strerror}",
        )
        return ParsedFile(relative, "", [], [finding])
    parsed = parse_bytes(relative, data)
    for doc in parsed.documents:
        doc.positions = slim_positions(doc.positions)
    return parsed


def parse_files(
    files: Sequence[tuple[str, str]], *, progress: Callable[[int], None] | None = None
) -> Iterator[ParsedFile]:
    """Parse `(relative path, absolute path)` pairs one after another."""
    for done, (relative, path) in enumerate(files, start=1):
        yield parse_one(relative, path)
        if progress is not None and done % 500 == 0:
            progress(done)
