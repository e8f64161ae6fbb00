"""The Backstage part of an ingest run: `catalog-info.yaml` files -> parsed files for the sync.

Backstage entities refer to each other across files (a Component's owner is a Group declared
elsewhere, an API's provider lists it), and the mapping settles ids and collisions over the
whole set. So the Backstage files of a source are read as one set: when none of them changed
since the last run they are not read at all; when any did, all are read again (the sync then
writes only the entities whose documents changed). The mapped documents are handed to the
runner as `ParsedFile`s, one per file, so they go through the same set checks, the same sync,
the same problem records and the same removal of vanished entities as native descriptors.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from productize.domain.backstage.model import places_index
from productize.domain.backstage.options import MappedDocument, MappingOptions
from productize.domain.backstage.packed import unpack
from productize.domain.backstage.reader import discover_backstage, read_backstage
from productize.domain.descriptors import AnyDoc
from productize.domain.discovery import (
    ANY_YAML,
    BACKSTAGE_NAMES,
    is_descriptor_name,
    parse_names,
)
from productize.domain.findings import Finding
from productize.domain.parse import ParsedDocument, ParsedFile
from productize.domain.setchecks import DocFacts

if TYPE_CHECKING:
    from productize.ingest.models import Source


class BackstageDocument(ParsedDocument):
    """A document mapped from a Backstage entity, held packed until it is written.

    `model` unpacks a new copy on each call (`domain.backstage.packed`): a catalog of 50,000
    entities then holds ~45 MiB of bytes instead of ~300 MiB of models, and the sync unpacks
    one batch at a time. `kind`, `id`, `facts` (for the set checks, dropped after them) and
    `digest` (the sync's hash, made while the model was live) come without unpacking.
    `extras` is what the entity had no field for ({} for products: their annotations).
    """

    __slots__ = ("_id", "_kind", "digest", "extras", "facts", "packed")

    def __init__(self, mapped: MappedDocument, extras: dict[str, str]) -> None:
        # The parent's fields, but `model` (a property here): not the dataclass __init__.
        self.path, self.index, self.line, self.column = (
            mapped.path,
            mapped.index,
            mapped.line,
            mapped.column,
        )
        facts = mapped.facts
        if facts is not None and facts.positions is not None:
            self.positions = facts.positions  # the same compact index: one object, not two
        else:
            self.positions = places_index(mapped.places, mapped.line, mapped.column)
        self.packed, self._kind, self._id = mapped.packed, mapped.kind, mapped.id
        self.facts: DocFacts | None = facts
        self.digest: str | None = mapped.digest
        self.extras = extras

    @property
    def model(self) -> AnyDoc:  # type: ignore[override]
        """The validated document (a new copy: unpacked on each call)."""
        return cast(AnyDoc, unpack(self.packed))

    @property
    def kind(self) -> str:
        """The document's kind, without unpacking it."""
        return self._kind

    @property
    def id(self) -> str:
        """The document's id, without unpacking it."""
        return self._id


def file_names(source: Source) -> tuple[str, ...]:
    """The names of the files read as Backstage in this source."""
    from django.conf import settings

    if source.format == "backstage":
        return ANY_YAML
    if source.backstage_names.strip():
        return parse_names(source.backstage_names)
    return tuple(getattr(settings, "BACKSTAGE_FILE_NAMES", BACKSTAGE_NAMES))


def url_roots(source: Source, root: Path) -> dict[str, Path]:
    """URL prefixes that stand for this source's own files (a Location may name them so).

    For a git source at `https://host/org/repo(.git)`, the web views of its files under
    `/blob/<branch>/` and `/tree/<branch>/` (GitHub, Gitea) and `/-/blob/<branch>/` (GitLab).
    """
    if source.kind != "git" or not source.location.startswith(("https://", "http://")):
        return {}
    base = source.location.removesuffix("/").removesuffix(".git")
    if "@" in base.split("/")[2]:
        return {}  # credentials in the URL: such a URL is never written in a catalog
    sub = source.subpath.strip("/")
    branch = source.branch or "main"
    roots: dict[str, Path] = {}
    for view in ("blob", "tree", "-/blob", "-/tree"):
        prefix = f"{base}/{view}/{branch}/" + (f"{sub}/" if sub else "")
        roots[prefix] = root
    return roots


def changed_since(
    files: list[str],
    root: Path,
    snapshot: dict[str, object],
    stat_of: Callable[[str], tuple[int, int]],
) -> bool:
    """Whether any of `files` (relative) is new, changed or flagged for a re-read."""
    for relative in files:
        old = snapshot.get(relative)
        if old is None or getattr(old, "recheck", True):
            return True
        stat = stat_of(str(root / relative))
        if stat[1] and stat == (getattr(old, "size", -1), getattr(old, "mtime_ns", -1)):
            continue
        try:
            digest = hashlib.sha256((root / relative).read_bytes()).hexdigest()
        except OSError:
            return True
        if digest != getattr(old, "sha256", ""):
            return True
    return False


@dataclass(slots=True)
class BackstageRead:
    """The Backstage files of one run, as parsed files keyed by relative path."""

    parsed: dict[str, ParsedFile] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # relative -> absolute
    skipped: list[str] = field(default_factory=list)  # unchanged files not read again
    entities: int = 0


def _digest(model: AnyDoc) -> str:
    """The sync's hash of a document (`descriptor_json`), made while the model is live."""
    from productize.catalog.services.canonical import descriptor_json

    return descriptor_json(model)[1]


def read_backstage_files(
    source: Source,
    root: Path,
    snapshot: dict[str, object],
    native: set[str],
    stat_of: Callable[[str], tuple[int, int]],
    progress: Callable[[int, int], None] | None = None,
) -> BackstageRead:
    """Read the source's Backstage files when any of them changed since the last run."""
    names = file_names(source)
    auto = source.format != "backstage"
    starts = [
        p
        for p in discover_backstage(root, names)
        if not (auto and is_descriptor_name(p.name))  # productize's own files stay its own
    ]
    out = BackstageRead()
    start_paths = [p.relative_to(root).as_posix() for p in starts]
    # What earlier runs read as Backstage (Location targets included): every file of the
    # source that is not a productize descriptor.
    before = [
        path
        for path in snapshot
        if path not in native and not (auto and is_descriptor_name(path.rsplit("/", 1)[-1]))
    ]
    if not starts and not before:
        return out
    wanted = sorted(set(start_paths) | set(before))
    if set(start_paths) <= set(before) and not changed_since(wanted, root, snapshot, stat_of):
        present = [p for p in before if os.path.exists(root / p)]
        out.skipped = present
        out.paths = {p: str(root / p) for p in present}
        return out
    options = MappingOptions(file_names=names, url_roots=url_roots(source, root))
    result = read_backstage(root, starts, options=options, progress=progress, digest=_digest)
    out.entities = sum(result.entities.values())
    documents: dict[str, list[ParsedDocument]] = defaultdict(list)
    findings: dict[str, list[Finding]] = defaultdict(list)
    for mapped in result.documents:
        documents[mapped.path].append(
            # A product's extras are its annotations, already in the model: not twice.
            BackstageDocument(mapped, {} if mapped.kind == "product" else mapped.extras)
        )
    result.documents = []
    for finding in result.findings:
        findings[finding.path].append(finding)
    for relative in dict.fromkeys([*result.files, *findings]):
        absolute = root / relative
        try:
            digest = hashlib.sha256(absolute.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        out.parsed[relative] = ParsedFile(
            relative, digest, documents.pop(relative, []), findings.pop(relative, [])
        )
        out.paths[relative] = str(absolute)
    return out
