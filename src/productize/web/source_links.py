"""Where a descriptor-owned entity is changed: its file, linked on the repository's web host.

A git source on a known host (GitHub, GitLab, Bitbucket, Codeberg/Gitea/Forgejo) gets a link to
the file on the source's branch (and line); any other source shows the path to edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

_SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!/)[^\s]+)$")
_SAFE_PART = re.compile(r"^[\w.~-]+$")


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where to change an entity: the file (and line), its source, and a link when known."""

    path: str  # the file within the repository or directory, with the sub-path
    line: int
    source_name: str
    source_id: int | None
    url: str | None  # the file on the repository's web host, when the host is known

    @property
    def shown(self) -> str:
        """`path:line` (or just the path)."""
        return f"{self.path}:{self.line}" if self.line else self.path


def repository_web_root(location: str) -> tuple[str, str] | None:
    """(host, `owner/repo`) of a git URL (https, ssh or scp-like), or None."""
    text = location.strip()
    match = _SCP_LIKE.match(text)
    if match and "://" not in text:
        host, path = match.group("host"), match.group("path")
    else:
        try:
            parts = urlsplit(text)
        except ValueError:
            return None
        if parts.scheme not in {"https", "http", "ssh", "git"} or not parts.hostname:
            return None
        host, path = parts.hostname, parts.path
    path = path.strip("/")
    path = path.removesuffix(".git")
    segments = path.split("/")
    if len(segments) < 2 or not all(_SAFE_PART.match(s) and s not in {".", ".."} for s in segments):
        return None
    return host.lower(), path


def file_url(location: str, branch: str, path: str, line: int = 0, commit: str = "") -> str | None:
    """The web address of `path` in the repository at `location`, for known hosts."""
    root = repository_web_root(location)
    if root is None:
        return None
    host, repo = root
    quoted = quote(path.lstrip("/"), safe="/")
    ref = quote(branch or "HEAD", safe="/")  # hosts take `feature/x` as written
    if host == "github.com" or host.startswith("github."):
        return f"https://{host}/{repo}/blob/{ref}/{quoted}" + (f"#L{line}" if line else "")
    if host == "gitlab.com" or "gitlab" in host.split(".")[0]:
        return f"https://{host}/{repo}/-/blob/{ref}/{quoted}" + (f"#L{line}" if line else "")
    if host == "bitbucket.org":
        return f"https://{host}/{repo}/src/{ref}/{quoted}" + (f"#lines-{line}" if line else "")
    if host == "codeberg.org" or host.split(".")[0] in {"gitea", "forgejo"}:
        if branch:
            where = f"src/branch/{ref}"
        elif commit:
            where = f"src/commit/{quote(commit, safe='')}"
        else:
            return None
        return f"https://{host}/{repo}/{where}/{quoted}" + (f"#L{line}" if line else "")
    return None


def source_location(entity: Any) -> SourceLocation | None:
    """Where a descriptor-owned catalog entity (product, loop, team, person) is changed."""
    if getattr(entity, "origin", "") != "descriptor" or not getattr(entity, "source_path", ""):
        return None
    source = getattr(entity, "source", None)
    subpath = (getattr(source, "subpath", "") or "").strip("/")
    path = f"{subpath}/{entity.source_path}" if subpath else entity.source_path
    url = None
    if source is not None and source.kind == "git":
        url = file_url(source.location, source.branch, path, entity.source_line, source.last_commit)
    return SourceLocation(
        path=path,
        line=int(entity.source_line or 0),
        source_name=getattr(source, "name", "") or "",
        source_id=getattr(source, "pk", None),
        url=url,
    )
