"""Reading a Backstage catalog: files -> entities -> descriptor documents, with findings.

`read_backstage` never raises on bad input: every problem becomes a located finding and the
rest of the catalog is still read (one broken document does not hide the others in its file).
"""

from __future__ import annotations

import gc
import os
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from productize.domain.backstage.locations import (
    Confinement,
    has_substitutions,
    location_targets,
    substitute,
)
from productize.domain.backstage.mapping import Mapper, map_loops, map_teams
from productize.domain.backstage.model import (
    Entity,
    close_decoded,
    compact_places,
    entity_from_value,
)
from productize.domain.backstage.options import MappedDocument, MappingOptions
from productize.domain.backstage.products import map_products
from productize.domain.descriptors import AnyDoc
from productize.domain.discovery import SKIP_DIRS, name_matcher
from productize.domain.findings import Finding, Severity
from productize.domain.parse import internal_error
from productize.domain.yamlload import PositionIndex, load_yaml, too_large


@dataclass(slots=True)
class BackstageResult:
    """What reading a Backstage catalog produced."""

    documents: list[MappedDocument]
    findings: list[Finding]
    definitions: dict[str, str] = field(default_factory=dict)  # `product/interface` -> text
    entities: Counter[str] = field(default_factory=Counter)  # entities read, by kind
    files: list[str] = field(default_factory=list)  # files read, relative to the root
    unmapped: list[str] = field(default_factory=list)  # entity refs with no document

    @property
    def ok(self) -> bool:
        """True when nothing is an error (warnings allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


def discover_backstage(root: Path, names: tuple[str, ...]) -> list[Path]:
    """Backstage descriptor files under `root` (links not followed), in a stable order.

    A name may be a glob pattern (`*.yaml`), as `--format backstage` uses.
    """
    matches = name_matcher(names)
    found: list[Path] = []
    pending = [str(root)]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name[0] != "." and entry.name not in SKIP_DIRS:
                            pending.append(entry.path)
                    elif matches(entry.name) and entry.is_file(follow_symlinks=False):
                        found.append(Path(entry.path))
        except OSError:
            continue
    return sorted(found, key=lambda p: p.parts)


def read_backstage(
    root: Path,
    files: list[Path] | None = None,
    *,
    options: MappingOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    digest: Callable[[AnyDoc], str] | None = None,
) -> BackstageResult:
    """Read the Backstage files under `root` (or `files`, and what their Locations name).

    `progress(done, total)` is called after each file (the total grows as Locations name more).
    `digest`, when given, is called with each validated document; its answer is kept as the
    mapped document's `digest` (the documents themselves are held packed).
    """
    # Reading builds millions of small acyclic objects; with the cyclic collector running,
    # every generation-2 pass walks all of them again and time grows faster than the catalog.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read(root, files, options or MappingOptions(), progress, digest)
    finally:
        close_decoded()  # the last entities decoded would otherwise outlive the read
        if was_enabled:
            gc.enable()


def _read(
    root: Path,
    files: list[Path] | None,
    options: MappingOptions,
    progress: Callable[[int, int], None] | None = None,
    digest: Callable[[AnyDoc], str] | None = None,
) -> BackstageResult:
    """`read_backstage` with the collector paused."""
    confinement = Confinement(
        Path(os.path.realpath(root)),
        {prefix: Path(os.path.realpath(d)) for prefix, d in options.url_roots.items()},
    )
    findings: list[Finding] = []
    queue: deque[tuple[Path, tuple[Path, ...]]] = deque()
    starts = discover_backstage(confinement.root, options.file_names) if files is None else files
    for given in starts:
        resolved = confinement.inside(given if given.is_absolute() else root / given)
        if resolved is None:
            findings.append(
                Finding(
                    str(given),
                    0,
                    0,
                    Severity.ERROR,
                    "backstage-location-outside",
                    "the file is outside the root being read; not read",
                )
            )
        else:
            queue.append((resolved, ()))
    result = BackstageResult([], findings)
    locator = _Locator(confinement, options)
    entities: list[Entity] = []
    visited: set[Path] = set()
    while queue:
        path, chain = queue.popleft()
        if path in visited:
            continue  # reached twice without a cycle (two Locations name it): read once
        visited.add(path)
        shown = confinement.shown(path)
        result.files.append(shown)
        try:
            for entity in _read_file(path, shown, options, confinement, findings):
                entities.append(entity)
                result.entities[entity.kind] += 1
                if entity.kind != "Location":
                    _forget_positions(entity, locator)
                    continue
                targets, problems = location_targets(entity, path.parent, confinement)
                findings.extend(problems)
                for target, where in targets:
                    if target == path or target in chain:
                        findings.append(
                            entity.finding(
                                where,
                                Severity.WARNING,
                                "backstage-location-cycle",
                                f"`{confinement.shown(target)}` leads back to this "
                                "file; not read again",
                            )
                        )
                    elif target not in visited:
                        queue.append((target, (*chain, path)))
                _forget_positions(entity, locator)
        except Exception as exc:  # a bug of ours must not stop the rest of the catalog
            findings.append(internal_error(shown, exc))
        if progress is not None:
            progress(len(visited), len(visited) + len(queue))
    mapper = Mapper(entities, options, digest)
    map_loops(mapper)
    map_teams(mapper)
    map_products(mapper)
    result.documents = mapper.documents
    result.definitions = mapper.definitions
    result.unmapped = mapper.unmapped
    findings.extend(mapper.findings)
    # A reference met twice (a System's domain, seen from each of its components) is one finding.
    unique = {(f.path, f.line, f.column, f.code, f.message): f for f in findings}
    result.findings = sorted(unique.values(), key=lambda f: (f.path, f.line, f.column, f.code))
    return result


def _read_file(
    path: Path,
    shown: str,
    options: MappingOptions,
    confinement: Confinement,
    findings: list[Finding],
) -> list[Entity]:
    """The entities of one file; loading problems go to `findings`."""
    try:
        size = path.stat().st_size
        if size > options.max_file_bytes:
            findings.append(too_large(shown, size, options.max_file_bytes))
            return []
        data = path.read_bytes()
    except OSError as exc:
        findings.append(
            Finding(
                shown,
                0,
                0,
                Severity.ERROR,
                "unreadable-file",
                f"cannot read the file: {exc.strerror or exc}",
            )
        )
        return []
    loaded = load_yaml(
        shown, data, max_bytes=options.max_file_bytes, max_nodes=max(200_000, len(data) // 4)
    )
    findings.extend(loaded.findings)
    substitutions = has_substitutions(data)
    entities = []
    for doc in loaded.documents:
        if doc.value is None or not doc.ok:
            continue
        entity, problems = entity_from_value(shown, doc.index, doc.value, doc.positions)
        findings.extend(problems)
        if entity is None:
            continue
        if substitutions:
            findings.extend(
                substitute(entity, path.parent, confinement, options.max_substitution_bytes)
            )
            if not isinstance(entity.spec, dict):
                entity.spec = {}
        entities.append(entity)
    return entities


def _forget_positions(entity: Entity, locator: _Locator) -> None:
    """Drop an entity's position index, keeping the few places the set checks report on;
    hold its trees as bytes until it is mapped."""
    if entity.positions is not None:
        entity.places = compact_places(entity.positions)
    entity.positions, entity.locator = None, locator
    entity.pack()


class _Locator:
    """Positions of an entity's values, found again by re-reading its file when needed."""

    # Files whose position indexes are kept (an entity keeps its own once asked): a file's
    # index is ~10 MiB at 500 entities, and findings of a large catalog span many files.
    FILES_KEPT = 1

    def __init__(self, confinement: Confinement, options: MappingOptions) -> None:
        self.confinement, self.options = confinement, options
        self.files: dict[str, dict[int, PositionIndex]] = {}
        self.reads = 0

    def __call__(self, shown: str, index: int) -> PositionIndex | None:
        """The position index of document `index` of file `shown` (None if it changed)."""
        if shown in self.files:
            self.files[shown] = self.files.pop(shown)  # the most recent last
        else:
            while len(self.files) >= self.FILES_KEPT:
                del self.files[next(iter(self.files))]
            self.reads += 1
            try:
                data = (self.confinement.root / shown).read_bytes()
            except OSError:
                data = b""
            loaded = load_yaml(
                shown,
                data,
                max_bytes=self.options.max_file_bytes,
                max_nodes=max(200_000, len(data) // 4),
            )
            self.files[shown] = {doc.index: doc.positions for doc in loaded.documents}
        return self.files[shown].get(index)
