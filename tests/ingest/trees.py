"""Small descriptor trees written into tmp_path, for ingest, export and CLI tests."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

ORGANIZATION = """\
kind: organization
id: acme
name: Acme
mission: Make useful things for people who build.
"""

LOOPS = """\
kind: loop
id: platform
name: Platform
mission: Give builders solid ground.
owners: [alice]
---
kind: loop
id: commerce
name: Commerce
parent: platform
"""

PEOPLE = """\
kind: person
id: alice
name: Alice Example
email: alice@example.com
teams: [core]
---
kind: person
id: bob
name: Bob Example
---
kind: team
id: core
name: Core
members: [bob]
"""

PAYMENTS = """\
kind: product
id: payments
name: Payments
mission: Take money from customers safely.
scope:
  does: [charge cards, refund]
  does_not: [invoicing]
stage: established
alignment: {kind: direct, why: customers pay us through it}
loop: commerce
owners: [alice, team:core]
audience: [shoppers]
interfaces:
  provides:
    - name: api
      kind: api
      stability: stable
      description: Charge and refund.
  consumes:
    - interface: ledger/events
      why: to book each payment
tags: [money, core]
links:
  repository: https://git.example.com/payments
"""

LEDGER = """\
kind: product
id: ledger
name: Ledger
mission: Keep the books straight.
loop: platform
owners: [bob]
part_of: payments
interfaces:
  provides:
    - name: events
      kind: event
  consumes: [payments/api]
tags: [money]
"""

SEARCH = """\
kind: product
id: search
name: Search
mission: Find things fast.
loop: platform
owners: [team:core]
interfaces:
  consumes: [ledger/events]
"""


def write(root: Path, relative: str, text: str) -> Path:
    """Write one file (dedented), creating directories."""
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def small_catalog(root: Path) -> Path:
    """An organisation, two loops, two people, a team and three products consuming each other."""
    write(root, "organization.yaml", ORGANIZATION)
    write(root, "loops.productize.yaml", LOOPS)
    write(root, "people.productize.yaml", PEOPLE)
    write(root, "products/payments/product.yaml", PAYMENTS)
    write(root, "products/ledger/product.yaml", LEDGER)
    write(root, "products/search/product.yaml", SEARCH)
    return root


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` with a fixed identity; return stdout."""
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def commit_all(repo: Path, message: str) -> str:
    """Stage everything, commit, and return the commit sha."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def git_repo(root: Path) -> Path:
    """An empty git repository (branch `main`)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    return root
