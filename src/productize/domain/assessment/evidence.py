"""The plain data a rule sees: the descriptor, and repository, catalog and loop evidence.

Each kind of evidence is optional. `None` means "not available" (no repository checked out,
no catalog, no loop capability yet) and rules that need it report `no-data` rather than guess.
`scan_repository` builds repository evidence from a working tree without following symlinks
out of it and without reading large files; `TreeScanner` does the same for many products of
one tree, walking each folder once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import yaml

from productize.domain.descriptors import ProductDoc, Stage
from productize.domain.textcheck import TextFinding, check_mission, check_scope

MAX_SPEC_BYTES = 5_000_000
MAX_WALK_ENTRIES = 20_000
SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", "dist",
     "build", "target", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)  # fmt: skip
_CI_FILES = (
    ".gitlab-ci.yml", ".travis.yml", "Jenkinsfile", ".drone.yml", "azure-pipelines.yml",
    ".woodpecker.yml", "bitbucket-pipelines.yml", ".circleci/config.yml", "Makefile.ci",
)  # fmt: skip
_CI_DIRS = (".github/workflows", ".gitea/workflows", ".forgejo/workflows", ".woodpecker")
_TEST_DIRS = frozenset({"tests", "test", "spec", "specs", "__tests__", "e2e"})
_DOC_DIRS = frozenset({"docs", "doc", "documentation"})
_TEXT_SPEC_SUFFIXES = frozenset({".yaml", ".yml", ".json"})


@dataclass(frozen=True, slots=True)
class SpecEvidence:
    """What the repository says about one interface's specification file."""

    interface: str
    path: str
    exists: bool
    parses: bool | None = None  # None: a format we do not parse (GraphQL, protobuf, ...)
    spec_kind: str | None = None  # openapi, asyncapi or json-schema when recognised
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RepoEvidence:
    """Which of the usual product files exist in the product's repository."""

    readable: bool = True
    readme: bool = False
    docs_dir: bool = False
    tests: bool = False
    ci: bool = False
    licence: bool = False
    changelog: bool = False
    contributing: bool = False
    logo: bool = False
    specs: tuple[SpecEvidence, ...] = ()
    # Paths relative to the repository root and to the descriptor's folder, for `file-exists`.
    files: frozenset[str] = frozenset()
    truncated: bool = False
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CatalogEvidence:
    """What the catalog knows about the product's owners and the products that use it."""

    unknown_owners: tuple[str, ...] = ()  # named in the descriptor, not in the catalog
    former_owners: tuple[str, ...] = ()  # in the catalog, but no longer current (left, retired)
    ownership_changes: int = 0
    consumer_products: tuple[str, ...] = ()  # distinct products consuming its interfaces
    consumption_count: int = 0  # consumption edges into its interfaces
    consumers_by_interface: Mapping[str, int] = field(default_factory=dict)
    transitive_reach: int | None = None  # products affected, directly or not, by a change
    undeclared_consumption: tuple[str, ...] = ()  # "shop-web uses orders/internal-db"


@dataclass(frozen=True, slots=True)
class LoopEvidence:
    """What the feedback loop shows; only available once the loop capability exists."""

    channels: int = 0
    recent_feedback: int = 0
    recent_days: int = 90
    patterns: int = 0
    open_patterns: int = 0
    improvements_completed: int = 0
    roadmap_now: int = 0
    roadmap_next: int = 0
    roadmap_later: int = 0
    days_since_triage: int | None = None

    @property
    def roadmap_items(self) -> int:
        """Items on the roadmap in any column."""
        return self.roadmap_now + self.roadmap_next + self.roadmap_later


class Evidence:
    """Everything one assessment looks at, with text analysis computed once and shared."""

    def __init__(
        self,
        product: ProductDoc,
        repo: RepoEvidence | None = None,
        catalog: CatalogEvidence | None = None,
        loop: LoopEvidence | None = None,
        known_acronyms: frozenset[str] = frozenset(),
    ) -> None:
        self.product = product
        self.repo = repo
        self.catalog = catalog
        self.loop = loop
        self.known_acronyms = known_acronyms

    @property
    def stage(self) -> Stage:
        """The stage the product declares."""
        return self.product.stage

    @cached_property
    def mission_findings(self) -> list[TextFinding]:
        """Text findings about the mission (shared by several rules)."""
        return check_mission(self.product.mission, self.known_acronyms)

    @cached_property
    def scope_findings(self) -> list[TextFinding]:
        """Text findings about the `does` / `does_not` lists."""
        scope = self.product.scope
        return check_scope(scope.does, scope.does_not)


def scan_repository(root: Path, product: ProductDoc, descriptor_dir: Path) -> RepoEvidence:
    """Look at a working tree for the files a product usually has; never raises on bad input."""
    return TreeScanner().scan(root, product, descriptor_dir)


@dataclass(frozen=True, slots=True)
class _Folder:
    """What a product folder shows whatever the product: the walk and the files found."""

    real_root: Path
    real_dir: Path
    files: frozenset[str]  # relative to the root, plus relative to the product folder
    readme: bool
    docs_dir: bool
    tests: bool
    ci: bool
    licence: bool
    changelog: bool
    contributing: bool
    logo_file: bool  # a logo.* somewhere in the product folder
    truncated: bool


class TreeScanner:
    """`scan_repository` for many products of one working tree, each folder walked once.

    Products often share a folder (a Backstage file listing thousands of components, or a
    monorepo folder with several descriptors): what the folder holds is the same for all of
    them, only the logo and the specs they name differ. Use one scanner for one look at a
    tree (its contents must not change while it is in use), then drop it.
    """

    def __init__(self) -> None:
        self._folders: dict[tuple[Path, Path], _Folder | RepoEvidence] = {}

    def scan(self, root: Path, product: ProductDoc, descriptor_dir: Path) -> RepoEvidence:
        """Repository evidence for `product`, as `scan_repository` gives it."""
        key = (root, descriptor_dir)
        folder = self._folders.get(key)
        if folder is None:
            folder = self._folders[key] = _look(root, descriptor_dir)
        if isinstance(folder, RepoEvidence):
            return folder  # the tree is unreadable
        real_root, real_dir = folder.real_root, folder.real_dir
        logo = False
        if product.brand.logo:
            logo = _safe_file(real_dir / product.brand.logo, real_root) is not None
        return RepoEvidence(
            readable=True,
            readme=folder.readme,
            docs_dir=folder.docs_dir,
            tests=folder.tests,
            ci=folder.ci,
            licence=folder.licence,
            changelog=folder.changelog,
            contributing=folder.contributing,
            logo=logo or folder.logo_file,
            specs=tuple(_spec_evidence(product, real_dir, real_root)),
            files=folder.files,
            truncated=folder.truncated,
            problems=("repository has too many files; only part was scanned",)
            if folder.truncated
            else (),
        )


def _look(root: Path, descriptor_dir: Path) -> _Folder | RepoEvidence:
    """Walk the tree once for a product folder (RepoEvidence when it cannot be read)."""
    try:
        real_root = root.resolve(strict=True)
    except (OSError, RuntimeError) as error:
        return RepoEvidence(readable=False, problems=(f"repository not readable: {error}",))
    if not real_root.is_dir():
        return RepoEvidence(readable=False, problems=(f"{root} is not a directory",))
    try:
        real_dir = descriptor_dir.resolve()
    except (OSError, RuntimeError):
        real_dir = real_root
    if not _inside(real_dir, real_root):
        real_dir = real_root
    files, dirs, truncated = _walk(real_root)
    # A product in a monorepo has its own folder; look there first, then at the root.
    prefix = "" if real_dir == real_root else real_dir.relative_to(real_root).as_posix() + "/"
    product_files = {f[len(prefix) :] for f in files if f.startswith(prefix)}
    product_dirs = {d[len(prefix) :] for d in dirs if d.startswith(prefix)}
    top = {f.lower() for f in files if "/" not in f} | {
        f.lower() for f in product_files if "/" not in f
    }
    top_dirs = {d.lower() for d in dirs if "/" not in d} | {
        d.lower() for d in product_dirs if "/" not in d
    }

    def has_top(*stems: str) -> bool:
        return any(name.split(".", 1)[0] in stems for name in top)

    ci = any(f in files for f in _CI_FILES) or any(
        f.startswith(d + "/") for f in files for d in _CI_DIRS
    )
    tests = bool(top_dirs & _TEST_DIRS) or any(_looks_like_test(f) for f in product_files)
    return _Folder(
        real_root=real_root,
        real_dir=real_dir,
        files=frozenset(files) | frozenset(product_files),
        readme=has_top("readme"),
        docs_dir=bool(top_dirs & _DOC_DIRS),
        tests=tests,
        ci=ci,
        licence=has_top("license", "licence", "copying"),
        changelog=has_top("changelog", "changes", "history", "releases", "news"),
        contributing=has_top("contributing")
        or any(f.lower().endswith("/contributing.md") for f in files),
        logo_file=any(Path(f).name.lower().split(".", 1)[0] == "logo" for f in product_files),
        truncated=truncated,
    )


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _walk(root: Path) -> tuple[set[str], set[str], bool]:
    """Relative file and folder paths under root, without following symlinks, bounded."""
    files: set[str] = set()
    dirs: set[str] = set()
    seen = 0
    stack = [root]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > MAX_WALK_ENTRIES:
                return files, dirs, True
            rel = Path(entry.path).relative_to(root).as_posix()
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIP_DIRS:
                        dirs.add(rel)
                        stack.append(Path(entry.path))
                elif entry.is_file(follow_symlinks=False):
                    files.add(rel)
                elif entry.is_symlink() and _safe_file(Path(entry.path), root) is not None:
                    files.add(rel)  # a link to a file inside the repository counts
            except OSError:
                continue
    return files, dirs, False


def _safe_file(path: Path, root: Path) -> Path | None:
    """The resolved path when it is a regular file inside root, else None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if _inside(real, root) and real.is_file() else None


def _looks_like_test(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1].lower()
    return (
        name.startswith("test_")
        or name.endswith(("_test.py", "_test.go", "_spec.rb"))
        or ".test." in name
        or ".spec." in name
    )


def _spec_evidence(product: ProductDoc, base: Path, root: Path) -> list[SpecEvidence]:
    out = []
    for interface in product.interfaces.provides:
        if not interface.spec:
            continue
        spec = interface.spec
        if "://" in spec:
            out.append(SpecEvidence(interface.name, spec, exists=True, parses=None))
            continue
        real = _safe_file(base / spec, root)
        if real is None:
            out.append(
                SpecEvidence(
                    interface.name, spec, exists=False, problem=f"`{spec}` not found in repository"
                )
            )
            continue
        out.append(_parse_spec(interface.name, spec, real))
    return out


def _parse_spec(name: str, spec: str, real: Path) -> SpecEvidence:
    if real.suffix.lower() not in _TEXT_SPEC_SUFFIXES:
        return SpecEvidence(name, spec, exists=True, parses=None)
    try:
        if real.stat().st_size > MAX_SPEC_BYTES:
            return SpecEvidence(name, spec, True, False, problem="file is larger than 5 MB")
        text = real.read_text(encoding="utf-8")
        data = (
            json.loads(text)
            if real.suffix.lower() == ".json"
            else yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
        )
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return SpecEvidence(name, spec, True, False, problem=f"does not parse: {first}")
    if not isinstance(data, dict):
        return SpecEvidence(name, spec, True, False, problem="is not a mapping")
    for key in ("openapi", "asyncapi"):
        if key in data:
            return SpecEvidence(name, spec, True, True, spec_kind=key)
    if "$schema" in data:
        return SpecEvidence(name, spec, True, True, spec_kind="json-schema")
    return SpecEvidence(
        name, spec, True, True, problem="parses, but has no `openapi` or `asyncapi` key"
    )
