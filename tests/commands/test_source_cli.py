"""`productize source add|list|refresh|remove` and `productize worker --once`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from productize.catalog.models import Product
from productize.cli import main
from productize.ingest.models import Source
from productize.ingest.services import webhook_secret_matches
from tests.ingest.trees import small_catalog

pytestmark = pytest.mark.django_db


def test_add_shows_the_secret_once_then_list_refresh_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = small_catalog(tmp_path / "catalog")

    assert main(["source", "add", "acme", str(tree), "--every", "15"]) == 0
    out = capsys.readouterr().out
    secret = re.search(r"webhook secret \(shown once, store it now\): (\S+)", out)
    assert secret is not None
    source = Source.objects.get(name="acme")
    assert source.schedule_minutes == 15 and webhook_secret_matches(source, secret.group(1))

    assert main(["source", "list"]) == 0
    listing = capsys.readouterr().out
    assert "acme" in listing and "15 min" in listing and "never" in listing
    assert secret.group(1) not in listing

    assert main(["source", "refresh", "acme", "-q"]) == 0
    assert Product.objects.count() == 3
    assert "succeeded" in capsys.readouterr().out

    assert main(["source", "remove", "acme"]) == 2  # not a terminal: --yes required
    assert "--yes" in capsys.readouterr().err
    assert main(["source", "remove", "acme", "--yes"]) == 0
    assert not Source.objects.exists() and not Product.objects.exists()


def test_add_refuses_a_literal_token(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["source", "add", "infra", "https://ci:t0psecret@git.example.com/infra.git"])
    err = capsys.readouterr().err
    assert code == 2
    assert "${GIT_TOKEN}" in err and "t0psecret" not in err
    assert not Source.objects.exists()


def test_unknown_source_names_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["source", "add", "acme", str(small_catalog(tmp_path / "c")), "--no-webhook"])
    assert main(["source", "refresh", "nope"]) == 2
    assert "acme" in capsys.readouterr().err


def test_refresh_later_then_worker_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tree = small_catalog(tmp_path / "catalog")
    main(["source", "add", "acme", str(tree), "--every", "0"])
    assert main(["worker", "--once"]) == 0
    assert not Product.objects.exists()  # not due: no schedule, no request

    assert main(["source", "refresh", "acme", "--later"]) == 0
    assert main(["worker", "--once"]) == 0

    assert Product.objects.count() == 3
    assert "acme: succeeded" in capsys.readouterr().out


def test_the_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PRODUCTIZE_DATA_DIR"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "productize", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # printed once migrated and looping
    assert "checking for due sources" in first
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=30)[0]
    assert process.returncode == 0
    assert "SIGTERM, stopping" in output
