"""What `productize check` adds from the graph work: policy violations and `--against REV`.

Plain Python and git, no Django (the check runs without a database). Policies come from the
organisation descriptor's `policies:`; `--against REV` compares each spec file of a provided
interface with the same path at git revision REV (`git show REV:path`).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from productize.domain.descriptors import OrganizationDoc, ProductDoc
from productize.domain.discovery import discover
from productize.domain.findings import Finding, Severity
from productize.domain.graph import ProductGraph
from productize.domain.graph_policy import GraphPolicy, check_policies
from productize.domain.openapi_diff import SpecError, breaking_changes, load_spec
from productize.domain.parse import ParsedDocument, dotted, parse_file

GIT_TIMEOUT = 30


def _documents(paths: Iterable[str | os.PathLike[str]]) -> list[ParsedDocument]:
    return [doc for path in discover(paths) for doc in parse_file(path).documents]


def _product_finding(
    doc: ParsedDocument, field: tuple[str | int, ...], severity: Severity, code: str,
    message: str, hint: str | None,
) -> Finding:  # fmt: skip
    line, column = doc.locate(field) if field else (doc.line, doc.column)
    return Finding(doc.path, line, column, severity, code, message, hint, dotted(field), doc.index)


def _policy(files: list[Path]) -> GraphPolicy | None:
    """The organisation's policies, reading only the files that can hold it."""
    for path in files:
        if path.name.startswith(("organization.", "organisation.")) or ".productize." in path.name:
            for doc in parse_file(path).documents:
                if isinstance(doc.model, OrganizationDoc) and doc.model.policies is not None:
                    return doc.model.policies
    return None


def policy_findings(paths: Iterable[str | os.PathLike[str]]) -> list[Finding]:
    """A finding (error) per violation of the policies the organisation switched on."""
    files = discover(paths)
    policy = _policy(files)
    if policy is None or not policy.enabled:
        return []
    documents = [doc for path in files for doc in parse_file(path).documents]
    products = {d.id: d for d in documents if isinstance(d.model, ProductDoc)}
    models = [d.model for d in products.values() if isinstance(d.model, ProductDoc)]
    try:
        graph = ProductGraph.from_documents(models)
    except ValueError:
        return []  # broken references: the set checks report those already
    return [
        _product_finding(
            products[v.product], (), Severity.ERROR, f"policy-{v.policy}", v.message, v.hint
        )
        for v in check_policies(graph, policy)
        if v.product in products
    ]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False
    )


def revision_exists(rev: str, cwd: Path) -> bool:
    """Whether `rev` names a commit in the repository around `cwd`."""
    if rev.startswith("-"):
        return False
    return _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], cwd).returncode == 0


def _at_revision(rev: str, path: Path) -> str | None:
    """The text of `path` at git revision `rev`, or None if it did not exist there."""
    top = _git(["rev-parse", "--show-toplevel"], path.parent)
    if top.returncode != 0:
        return None
    root = Path(top.stdout.decode().strip()).resolve()
    try:
        relative = path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None
    shown = _git(["show", f"{rev}:{relative}"], root)
    return shown.stdout.decode("utf-8", errors="replace") if shown.returncode == 0 else None


def against_findings(paths: Iterable[str | os.PathLike[str]], rev: str) -> list[Finding]:
    """Breaking changes of every provided interface's spec since `rev`.

    Errors for stable interfaces, warnings otherwise; a spec new since `rev`, or unreadable on
    either side, is not compared.
    """
    found: list[Finding] = []
    for doc in _documents(paths):
        model = doc.model
        if not isinstance(model, ProductDoc):
            continue
        for index, provided in enumerate(model.interfaces.provides):
            spec = provided.spec
            if not spec or "://" in spec:
                continue
            path = Path(doc.path).parent / spec
            if not path.is_file():
                continue
            old = _at_revision(rev, path)
            if old is None:
                continue
            try:
                changes = breaking_changes(load_spec(old), load_spec(path.read_text("utf-8")))
            except (SpecError, OSError, UnicodeDecodeError):
                continue
            stable = str(provided.stability) == "stable"
            ref = f"{model.id}/{provided.name}"
            for change in changes:
                found.append(
                    _product_finding(
                        doc,
                        ("interfaces", "provides", index, "spec"),
                        Severity.ERROR if stable else Severity.WARNING,
                        "breaking-change",
                        f"{ref}: {change.message} at {change.location} (since {rev})",
                        "Keep the old shape alongside the new one, or deprecate the interface "
                        "and tell its consumers (`productize graph impact " + ref + "`).",
                    )
                )
    return found


def add_graph_findings(report: Any, paths: list[str], *, against: str | None) -> str | None:
    """Add policy violations (and breaking spec changes since `against`) to a check report.

    Returns an error message for a revision git does not know, else None.
    """
    extra = policy_findings(paths)
    if against is not None:
        where = Path(paths[0]) if paths else Path()
        where = where if where.is_dir() else where.parent
        if not revision_exists(against, where.resolve()):
            return f"--against: `{against}` is not a git revision here"
        extra += against_findings(paths, against)
    if report.strict:
        extra = [dataclasses.replace(f, severity=Severity.ERROR) for f in extra]
    report.findings.extend(extra)
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return None
