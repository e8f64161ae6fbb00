"""Following Location entities and resolving `$text`/`$json`/`$yaml` substitutions.

Both read files named inside descriptors, so both are confined to the root being read: a
path is resolved (symbolic links included) and refused when it lands outside the root. A
descriptor could otherwise make the server read `/etc/passwd` into a product's description.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from productize.domain.backstage.model import Entity
from productize.domain.findings import Finding, Severity
from productize.domain.yamlload import PathKey, load_yaml

SUBSTITUTIONS = ("$text", "$json", "$yaml")
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class Confinement:
    """The root every file read must stay inside, and how URLs map onto it."""

    root: Path  # resolved
    url_roots: dict[str, Path] = field(default_factory=dict)  # URL prefix -> local directory

    def inside(self, path: str | Path) -> Path | None:
        """The resolved path when it lies inside the root, else None."""
        real = Path(os.path.realpath(path))
        return real if real == self.root or self.root in real.parents else None

    def shown(self, path: Path) -> str:
        """A path as findings show it: relative to the root, with `/` separators."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def from_url(self, url: str) -> Path | None:
        """The local path a URL stands for, when it starts with a registered prefix."""
        for prefix, directory in self.url_roots.items():
            if url.startswith(prefix):
                return directory / url[len(prefix) :].split("?", 1)[0].lstrip("/")
        if url.startswith("file://"):
            return Path(url[len("file://") :])
        return None


def _is_url(text: str) -> bool:
    scheme, sep, _ = text.partition("://")
    return bool(sep) and scheme.isalpha()


def location_targets(
    entity: Entity, base_dir: Path, confinement: Confinement
) -> tuple[list[tuple[Path, PathKey]], list[Finding]]:
    """The files a Location entity points at (with the field naming each), inside the root."""
    spec = entity.spec
    raw: list[tuple[PathKey, Any]] = []
    if "target" in spec:
        raw.append((("spec", "target"), spec["target"]))
    targets = spec.get("targets")
    if isinstance(targets, list):
        raw.extend((("spec", "targets", i), t) for i, t in enumerate(targets))
    elif targets is not None:
        raw.append((("spec", "targets"), targets))
    optional = spec.get("presence") == "optional"
    missing_severity = Severity.WARNING if optional else Severity.ERROR
    found: list[tuple[Path, PathKey]] = []
    findings: list[Finding] = []
    for where, target in raw:
        if not isinstance(target, str) or not target.strip():
            findings.append(
                entity.finding(
                    where,
                    Severity.ERROR,
                    "backstage-wrong-type",
                    "a Location target must be text (a path or URL)",
                )
            )
            continue
        target = target.strip()
        local: Path | None
        if spec.get("type") == "url" or _is_url(target):
            local = confinement.from_url(target)
            if local is None:
                findings.append(
                    entity.finding(
                        where,
                        Severity.WARNING,
                        "backstage-url-not-followed",
                        f"URL target `{target}` is outside the root; recorded, not followed",
                        "register that repository as a source too",
                    )
                )
                continue
        else:
            local = base_dir / target
        if _GLOB_CHARS & set(target):
            matches = sorted(glob.glob(str(local), recursive=True))
            files = [Path(m) for m in matches if os.path.isfile(m)]
            if not files:
                findings.append(
                    entity.finding(
                        where,
                        Severity.WARNING,
                        "backstage-location-missing",
                        f"the pattern `{target}` matches no file",
                    )
                )
        else:
            files = [local]
        for candidate in files:
            resolved = confinement.inside(candidate)
            if resolved is None:
                findings.append(
                    entity.finding(
                        where,
                        Severity.ERROR,
                        "backstage-location-outside",
                        f"`{target}` points outside the root being read; not followed",
                        "targets must stay inside the same repository or directory",
                    )
                )
            elif not resolved.is_file():
                findings.append(
                    entity.finding(
                        where,
                        missing_severity,
                        "backstage-location-missing",
                        f"the target `{target}` does not exist",
                        None if optional else "fix the path, or set `presence: optional`",
                    )
                )
            else:
                found.append((resolved, where))
    return found, findings


def has_substitutions(data: bytes) -> bool:
    """Cheap pre-check: whether a file could hold any substitution at all."""
    return b"$text" in data or b"$json" in data or b"$yaml" in data


def substitute(
    entity: Entity, base_dir: Path, confinement: Confinement, max_bytes: int
) -> list[Finding]:
    """Replace `{$text: path}`-style values in the entity's metadata and spec, in place."""
    findings: list[Finding] = []

    def visit(value: Any, where: PathKey) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and next(iter(value)) in SUBSTITUTIONS:
                ((how, target),) = value.items()
                return _load(how, target, where)
            for key in list(value):
                value[key] = visit(value[key], (*where, key))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                value[i] = visit(item, (*where, i))
        return value

    def _load(how: str, target: Any, where: PathKey) -> Any:
        def fail(code: str, message: str, severity: Severity = Severity.ERROR) -> None:
            findings.append(entity.finding(where, severity, code, message))

        if not isinstance(target, str) or not target:
            fail("backstage-wrong-type", f"`{how}` needs a file path")
            return None
        if _is_url(target):
            local = confinement.from_url(target)
            if local is None:
                fail(
                    "backstage-substitution-url",
                    f"`{how}: {target}` would fetch a URL; not fetched",
                    Severity.WARNING,
                )
                return None
        else:
            local = base_dir / target
        resolved = confinement.inside(local)
        if resolved is None:
            fail(
                "backstage-substitution-outside",
                f"`{how}: {target}` points outside the root being read; refused",
            )
            return None
        try:
            size = resolved.stat().st_size
            if size > max_bytes:
                fail(
                    "backstage-substitution-too-large",
                    f"`{target}` is {size:,} bytes; substitutions are limited to {max_bytes:,}",
                )
                return None
            data = resolved.read_bytes()
        except OSError:
            fail("backstage-substitution-missing", f"`{how}: {target}`: no such file")
            return None
        shown = confinement.shown(resolved)
        if how == "$text":
            if entity.sources is None:
                entity.sources = {}
            entity.sources[where] = shown
            return data.decode("utf-8", "replace")
        if how == "$json":
            try:
                return json.loads(data)
            except ValueError as exc:
                fail("backstage-substitution-invalid", f"`{target}` is not valid JSON: {exc}")
                return None
        loaded = load_yaml(shown, data, max_bytes=max_bytes)
        if loaded.findings or not loaded.documents:
            first = loaded.findings[0].render() if loaded.findings else "no document"
            fail("backstage-substitution-invalid", f"`{target}` is not valid YAML: {first}")
            return None
        return loaded.documents[0].value

    entity.metadata = visit(entity.metadata, ("metadata",))
    entity.spec = visit(entity.spec, ("spec",))
    return findings
