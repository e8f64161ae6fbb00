"""Git sources: real repositories made in tmp_path, cloned over file:// URLs."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from productize.audit.models import ChangeRecord
from productize.audit.services import Actor
from productize.catalog.models import Consumption, Interface, Product
from productize.ingest.gitfetch import GitError, git_checkout, resolve_subpath
from productize.ingest.models import IngestRun, RunStatus, Source
from productize.ingest.runner import ingest_path, ingest_source
from productize.ingest.services import source_add
from tests.ingest.trees import LEDGER, SEARCH, commit_all, git, git_repo, small_catalog, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = git_repo(tmp_path / "repo")
    small_catalog(root / "catalog")
    write(root, "README.md", "not a descriptor\n")
    commit_all(root, "Add the catalog")
    return root


@pytest.fixture
def clones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Clones go under a directory the test can inspect afterwards."""
    where = tmp_path / "clones"
    where.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(where))
    return where


def url(repo: Path) -> str:
    return repo.as_uri()


def test_add_modify_delete_across_commits(repo: Path, clones: Path) -> None:
    first = ingest_path(location=url(repo), subpath="catalog")
    assert first.status == RunStatus.SUCCEEDED
    assert first.commit == git(repo, "rev-parse", "HEAD").strip()
    assert first.commit_message == "Add the catalog"
    assert Product.objects.count() == 3
    record = ChangeRecord.objects.filter(ingest_run_id=first.pk, object_type="product").first()
    assert record is not None and record.reason == "Add the catalog"
    assert list(clones.iterdir()) == []  # the clone is gone

    write(repo, "catalog/products/ledger/product.yaml", LEDGER.replace("straight", "balanced"))
    write(repo, "catalog/products/extra/product.yaml", SEARCH.replace("id: search", "id: extra"))
    (repo / "catalog/products/search/product.yaml").unlink()
    sha = commit_all(repo, "Ledger balances; extra replaces search")

    second = ingest_path(location=url(repo), subpath="catalog")

    assert second.status == RunStatus.SUCCEEDED
    assert second.source == first.source
    assert (second.created, second.updated, second.removed) == (1, 1, 1)
    assert (second.files_changed, second.files_skipped) == (3, 4)
    assert second.commit == sha
    assert set(Product.objects.values_list("slug", flat=True)) == {"payments", "ledger", "extra"}
    assert "balanced" in Product.objects.get(slug="ledger").mission
    update = ChangeRecord.objects.get(action="update", object_id="ledger")
    assert update.reason == "Ledger balances; extra replaces search"
    assert Consumption.objects.get(consumer__slug="extra").interface == Interface.objects.get(
        ref="ledger/events"
    )
    assert Source.objects.get().last_commit == sha

    third = ingest_path(location=url(repo), subpath="catalog")
    assert (third.created, third.updated, third.removed, third.files_changed) == (0, 0, 0, 0)
    assert list(clones.iterdir()) == []


def test_branch_is_honoured(repo: Path, clones: Path) -> None:
    git(repo, "checkout", "-q", "-b", "next")
    (repo / "catalog/products/search/product.yaml").unlink()
    commit_all(repo, "No search on next")
    git(repo, "checkout", "-q", "main")

    on_next = ingest_path(location=url(repo), branch="next", subpath="catalog")

    assert on_next.status == RunStatus.SUCCEEDED
    assert not Product.objects.filter(slug="search").exists()
    assert on_next.commit_message == "No search on next"


def test_the_clone_is_removed_even_when_the_run_fails(
    repo: Path, clones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    during: list[Path] = []

    def broken(*args: object, **kwargs: object) -> None:
        during.extend(clones.iterdir())
        raise RuntimeError("disk full while syncing")

    monkeypatch.setattr("productize.ingest.runner._ingest_tree", broken)
    run = ingest_path(location=url(repo), subpath="catalog")

    assert run.status == RunStatus.FAILED
    assert "disk full" in run.message
    assert len(during) == 1 and during[0].name.startswith("productize-git-")
    assert list(clones.iterdir()) == []
    assert not Product.objects.exists()


def test_a_missing_branch_fails_cleanly(repo: Path, clones: Path) -> None:
    run = ingest_path(location=url(repo), branch="nope")
    assert run.status == RunStatus.FAILED
    assert "git clone failed" in run.message
    assert list(clones.iterdir()) == []


@pytest.mark.parametrize("subpath", ["../outside", "/etc", "catalog/../../x"])
def test_subpaths_may_not_leave_the_clone(repo: Path, clones: Path, subpath: str) -> None:
    with pytest.raises(ValidationError, match="stay inside"):
        ingest_path(location=url(repo), subpath=subpath)
    with pytest.raises(GitError, match="stay inside"), git_checkout(url(repo), subpath=subpath):
        pass
    assert list(clones.iterdir()) == []


def test_a_symlinked_subpath_may_not_leave_the_tree(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(ValueError, match="outside"):
        resolve_subpath(root, "link")


def test_credentials_never_reach_runs_sources_or_logs(
    clones: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Port 9 on loopback: nothing listens, git fails at once with the URL in its message.
    secret_url = "http://bot:hunter2secret@127.0.0.1:9/acme/catalog.git"
    with caplog.at_level(logging.DEBUG):
        run = ingest_path(location=secret_url)

    assert run.status == RunStatus.FAILED
    stored = [
        run.message,
        run.location,
        *Source.objects.values_list("location", flat=True),
        *(str(r.after) for r in ChangeRecord.objects.all()),
        caplog.text,
    ]
    assert all("hunter2secret" not in text for text in stored)
    assert "127.0.0.1:9" in run.location
    assert list(clones.iterdir()) == []


def test_a_registered_source_reads_its_token_from_the_environment(
    repo: Path, clones: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CATALOG_REPO", str(repo))
    source, _ = source_add(
        actor=Actor.system(), name="catalog", location="file://${CATALOG_REPO}", subpath="catalog"
    )
    assert source.location == "file://${CATALOG_REPO}"

    run = ingest_source(source=source)

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert Product.objects.count() == 3
    monkeypatch.delenv("CATALOG_REPO")
    failed = ingest_source(source=source)
    assert failed.status == RunStatus.FAILED and "CATALOG_REPO" in failed.message


def test_git_checkout_refuses_dangerous_urls() -> None:
    for bad in ("ext::sh -c touch% /tmp/pwned", "--upload-pack=touch /tmp/x", "ftp://h/r"):
        with pytest.raises(GitError), git_checkout(bad):
            pass


def test_runs_are_listed_per_source(repo: Path, clones: Path) -> None:
    ingest_path(location=url(repo), subpath="catalog")
    ingest_path(location=url(repo), subpath="catalog")
    assert IngestRun.objects.filter(source__kind="git").count() == 2
