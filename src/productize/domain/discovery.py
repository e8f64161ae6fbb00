"""Finding descriptor files in directory trees.

A descriptor file is named `product.yaml`, `organization.yaml` (or `organisation.yaml`), or
`<anything>.productize.yaml`, each also with `.yml`. Names are matched case-sensitively, as git
and Linux treat them.

Symbolic links are never followed while walking a tree, neither to directories nor to files:
a link can point outside the tree being checked (for the server, outside a cloned repository,
e.g. at `/etc`), can form loops, and would make the same descriptor count twice (and so report
duplicate ids). A path named explicitly on the command line is taken as given, link or not.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable, Iterable
from pathlib import Path

DESCRIPTOR_NAMES: frozenset[str] = frozenset(
    f"{stem}.{ext}"
    for stem in ("product", "organization", "organisation")
    for ext in ("yaml", "yml")
)
DESCRIPTOR_SUFFIXES: tuple[str, ...] = (".productize.yaml", ".productize.yml")
SKIP_DIRS: frozenset[str] = frozenset(("node_modules", "vendor", "__pycache__", "venv"))
"""Directories never entered; every directory whose name starts with a dot is skipped too
(`.git`, `.venv`, `.tox`, ...)."""


BACKSTAGE_NAMES: tuple[str, ...] = ("catalog-info.yaml", "catalog-info.yml")
"""Backstage descriptor files found by default (`PRODUCTIZE_BACKSTAGE_FILE_NAMES`, a source's
`backstage_names`); a name may be a glob pattern (`*.yaml`)."""
ANY_YAML: tuple[str, ...] = ("*.yaml", "*.yml")
"""The names read as Backstage when a source or command says `--format backstage`."""


def name_matcher(names: Iterable[str]) -> Callable[[str], bool]:
    """A test for file names: exact names, or glob patterns (`*.yaml`) matched case-sensitively."""
    exact = frozenset(n for n in names if not any(c in n for c in "*?["))
    patterns = [n for n in names if n not in exact]
    if not patterns:
        return exact.__contains__

    def matches(name: str) -> bool:
        return name in exact or any(fnmatch.fnmatchcase(name, p) for p in patterns)

    return matches


def parse_names(text: str) -> tuple[str, ...]:
    """`a.yaml, b.yml` -> ('a.yaml', 'b.yml'); blank entries dropped."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def is_descriptor_name(name: str) -> bool:
    """Whether a file name is one that discovery picks up."""
    return name in DESCRIPTOR_NAMES or name.endswith(DESCRIPTOR_SUFFIXES)


def _walk(root: str) -> list[str]:
    """Descriptor files under one directory, depth-first, without following links."""
    found: list[str] = []
    pending = [root]
    while pending:  # an explicit stack: deep trees cannot hit the recursion limit
        directory = pending.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if name[0] != "." and name not in SKIP_DIRS:
                            pending.append(entry.path)
                    elif is_descriptor_name(name) and entry.is_file(follow_symlinks=False):
                        found.append(entry.path)
        except OSError:
            continue  # unreadable or vanished directory: nothing to find there
    return found


def discover(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every descriptor file under `paths`, each once, in a stable sorted order.

    A path that is a file is taken as is, whatever its name. Raises FileNotFoundError for a
    path that does not exist.
    """
    found: dict[str, str] = {}  # absolute path -> path as shown (relative to what was given)

    def add(path: str) -> None:
        shown = os.path.normpath(path)
        found.setdefault(os.path.abspath(shown), shown)

    for raw in paths:
        path = os.fspath(raw)
        if os.path.isdir(path):
            for file in _walk(path):
                add(file)
        elif os.path.exists(path):
            add(path)
        else:
            raise FileNotFoundError(path)
    # Sort by path components so `a/b/product.yaml` comes before `a-b/product.yaml`.
    return [Path(p) for p in sorted(found.values(), key=lambda p: p.split(os.sep))]
