"""`productize check`: graph policies as findings, and `--against REV` for breaking spec changes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from productize.cli import main
from tests.graph.specs import NEW, OLD

ORG = """\
kind: organization
id: acme
name: Acme
mission: Make good things.
{policies}"""


def product(slug: str, *, stage: str = "growing", provides: str = "", consumes: str = "") -> str:
    text = f"kind: product\nid: {slug}\nname: {slug.title()}\nstage: {stage}\n"
    if provides or consumes:
        text += "interfaces:\n"
        text += f"  provides:\n{provides}" if provides else ""
        text += f"  consumes:\n{consumes}" if consumes else ""
    return text


def write_cycle(root: Path, policies: str) -> None:
    (root / "organization.yaml").write_text(ORG.format(policies=policies))
    for a, b in (("alpha", "beta"), ("beta", "alpha")):
        (root / a).mkdir()
        (root / a / "product.yaml").write_text(
            product(
                a,
                provides="    - name: api\n      kind: api\n",
                consumes=f"    - interface: {b}/api\n",
            )
        )


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_policy_no_finding(tmp_path, capsys):
    write_cycle(tmp_path, "")
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0, out
    assert "policy-" not in out


def test_a_switched_on_policy_reports_each_product_at_its_file(tmp_path, capsys):
    write_cycle(tmp_path, "policies:\n  no-cycles: true\n")
    code, out, _ = run(capsys, "--format", "json", str(tmp_path))
    assert code == 1
    found = [f for f in json.loads(out)["findings"] if f["code"] == "policy-no-cycles"]
    assert sorted(Path(f["path"]).parent.name for f in found) == ["alpha", "beta"]
    assert all(f["line"] == 1 and f["severity"] == "error" for f in found)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.com")
    git(tmp_path, "config", "user.name", "T")
    (tmp_path / "orders").mkdir()
    for name in ("api", "beta"):
        (tmp_path / "orders" / f"{name}.yaml").write_text(OLD)
    (tmp_path / "orders" / "product.yaml").write_text(
        product(
            "orders",
            provides="    - name: api\n      kind: api\n      stability: stable\n"
            "      spec: api.yaml\n"
            "    - name: beta\n      kind: api\n      stability: experimental\n"
            "      spec: beta.yaml\n",
        )
    )
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "v1")
    return tmp_path


def test_against_an_unchanged_revision_is_clean(repo, capsys):
    code, out, _ = run(capsys, "--against", "HEAD", str(repo))
    assert code == 0, out


def test_breaking_changes_are_errors_for_stable_and_warnings_otherwise(repo, capsys):
    (repo / "orders" / "api.yaml").write_text(NEW)
    (repo / "orders" / "beta.yaml").write_text(NEW)
    code, out, _ = run(capsys, "--format", "json", "--against", "HEAD", str(repo))
    assert code == 1
    found = [f for f in json.loads(out)["findings"] if f["code"] == "breaking-change"]
    stable = [f for f in found if "orders/api:" in f["message"]]
    other = [f for f in found if "orders/beta:" in f["message"]]
    assert stable and all(f["severity"] == "error" for f in stable)
    assert other and all(f["severity"] == "warning" for f in other)
    assert any("/orders/{id}" in f["message"] for f in stable)
    assert all(f["field"] and f["field"].endswith(".spec") and f["line"] > 1 for f in found)


def test_a_spec_new_since_the_revision_is_not_compared(repo, capsys):
    git(repo, "rm", "-q", "--cached", "orders/api.yaml")
    git(repo, "commit", "-q", "-m", "drop")
    (repo / "orders" / "api.yaml").write_text(NEW)
    code, out, _ = run(capsys, "--against", "HEAD", str(repo))
    assert code == 0, out


def test_an_unknown_revision_is_a_usage_error(repo, capsys):
    code, _, err = run(capsys, "--against", "no-such-rev", str(repo))
    assert code == 2
    assert "no-such-rev" in err
