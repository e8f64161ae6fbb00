"""Shallow-clone a git repository into a temporary directory that is always removed."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from productize.ingest.redact import (
    MissingVariableError,
    expand_variables,
    redact_text,
    url_secrets,
)

GIT_TIMEOUT_SECONDS = 300
ALLOWED_SCHEMES = frozenset({"https", "http", "ssh", "git", "git+ssh", "ssh+git", "file"})
# `user@host:path/repo.git`, the form ssh URLs usually take.
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//)\S+$")
_BRANCH = re.compile(r"^(?!-)[^\s\x00-\x1f~^:?*\[\\]{1,255}$")


class GitError(RuntimeError):
    """Cloning or reading a repository failed; the message holds no credentials."""


@dataclass(frozen=True, slots=True)
class Checkout:
    """A cloned tree: where its descriptors are, and the commit it holds."""

    root: Path
    commit: str
    message: str


def looks_like_git_url(location: str) -> bool:
    """True for `scheme://...` URLs and `user@host:path` (scp-like) locations."""
    return "://" in location or bool(_SCP_LIKE.match(location))


def validate_git_url(url: str) -> None:
    """Refuse transports that could run commands (`ext::`) and anything git would read as an
    option; raise `ValueError` with a message safe to show."""
    if url.startswith("-") or any(ch.isspace() for ch in url):
        raise ValueError("a git URL may not start with `-` or contain spaces")
    if _SCP_LIKE.match(url):
        return
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        allowed = ", ".join(sorted(ALLOWED_SCHEMES))
        raise ValueError(f"unsupported git URL scheme `{scheme or '?'}`; use one of {allowed}")


def validate_branch(branch: str) -> None:
    """A branch or tag name git accepts, and that cannot be read as an option."""
    if branch and not _BRANCH.match(branch):
        raise ValueError(f"`{branch}` is not a valid branch name")


def validate_subpath(subpath: str) -> PurePosixPath:
    """A relative path that stays inside the tree: no absolute paths, no `..` parts."""
    path = PurePosixPath(subpath.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise ValueError(f"sub-path `{subpath}` must be relative and stay inside the source")
    return path


def resolve_subpath(root: Path, subpath: str) -> Path:
    """`root/subpath`, refusing anything (`..`, symlinks) that would lead outside `root`."""
    if not subpath:
        return root
    relative = validate_subpath(subpath)
    target = (root / relative).resolve()
    if not target.is_relative_to(root.resolve()):
        raise ValueError(f"sub-path `{subpath}` leads outside the source")
    if not target.is_dir():
        raise ValueError(f"sub-path `{subpath}` is not a directory in the source")
    return target


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Never wait for a password prompt that nobody will answer; fail instead.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GCM_INTERACTIVE"] = "never"
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env["GIT_LFS_SKIP_SMUDGE"] = "1"
    return env


def run_git(args: Sequence[str], *, secrets: Sequence[str] = (), timeout: float) -> str:
    """Run git and return its output; failures raise `GitError` with credentials removed."""
    try:
        result = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            errors="replace",
            env=_environment(),
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:g} seconds") from None
    except OSError as error:
        raise GitError(f"could not run git: {error.strerror}") from None
    if result.returncode != 0:
        detail = redact_text(result.stderr.strip() or result.stdout.strip(), secrets)
        raise GitError(f"git {args[0]} failed: {detail[-2000:]}")
    return result.stdout


@contextmanager
def git_checkout(
    url: str, *, branch: str = "", subpath: str = "", timeout: float = GIT_TIMEOUT_SECONDS
) -> Iterator[Checkout]:
    """Clone `url` (depth 1) into a temporary directory, yield it, and always remove it.

    `url` may name environment variables as `${VAR}`; they are expanded here and never
    written anywhere.
    """
    try:
        validate_git_url(url)
        validate_branch(branch)
        validate_subpath(subpath)
    except ValueError as error:
        raise GitError(str(error)) from None
    try:
        expanded, values = expand_variables(url)
    except MissingVariableError as error:
        raise GitError(str(error)) from None
    secrets = [*values, *url_secrets(expanded)]
    with tempfile.TemporaryDirectory(prefix="productize-git-") as tmp:
        clone = Path(tmp) / "repo"
        args = ["clone", "--depth", "1", "--single-branch", "--no-tags", "--quiet"]
        if branch:
            args += ["--branch", branch]
        run_git([*args, "--", expanded, str(clone)], secrets=secrets, timeout=timeout)
        commit = run_git(["-C", str(clone), "rev-parse", "HEAD"], timeout=timeout).strip()
        message = run_git(["-C", str(clone), "log", "-1", "--format=%B"], timeout=timeout).strip()
        try:
            root = resolve_subpath(clone, subpath)
        except ValueError as error:
            raise GitError(str(error)) from None
        yield Checkout(root=root, commit=commit, message=redact_text(message, secrets))
