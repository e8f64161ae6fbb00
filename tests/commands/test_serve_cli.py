"""`productize serve`, `productize demo` and `productize manage`, run as real processes."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from productize.cli import main


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sqlite_env(data_dir: Path) -> dict[str, str]:
    """The environment of a child process with its own SQLite data directory."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PRODUCTIZE_DATA_DIR"] = str(data_dir)
    return env


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def wait_for(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            if get(url)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {seconds} s")


def test_serve_migrates_serves_static_files_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "productize", "serve", "--port", str(port), "--workers", "1"],
        env=sqlite_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", process)
        status, body = get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
        assert status == 200 and b"{" in body  # collected, and served by granian
        assert (tmp_path / "productize.sqlite3").is_file()  # migrated into the data directory
        assert (tmp_path / "static" / "admin").is_dir()
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode()
    assert f"http://127.0.0.1:{port}" in output  # bound to loopback by default
    assert process.returncode is not None


def test_demo_loads_the_bundled_organisation_into_a_fresh_database(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    (data / "productize.sqlite3").parent.mkdir()
    (data / "productize.sqlite3").write_bytes(b"an older demo")
    (data / ".productize-demo").write_text("created by `productize demo`\n")

    done = subprocess.run(
        [sys.executable, "-m", "productize", "demo", "--no-serve", "--data-dir", str(data)],
        env={**sqlite_env(tmp_path / "ignored"), "DATABASE_URL": "postgres://nowhere/x"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "ignoring DATABASE_URL" in done.stdout
    assert int(done.stdout.split(" products")[0].split()[-1]) >= 20
    assert "sign in as" in done.stdout and "admin" in done.stdout
    assert (data / "productize.sqlite3").read_bytes()[:15] == b"SQLite format 3"  # replaced


def test_demo_never_replaces_a_database_it_did_not_create(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Restored afterwards whatever happens: the demo changes them for its own process.
    for name in ("PRODUCTIZE_DATA_DIR", "DATABASE_URL"):
        monkeypatch.setenv(name, os.environ.get(name, ""))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "productize.sqlite3").write_bytes(b"someone's data")

    assert main(["demo", "--no-serve", "--data-dir", str(foreign)]) == 2

    assert "not created by" in capsys.readouterr().err
    assert (foreign / "productize.sqlite3").read_bytes() == b"someone's data"


def test_manage_passes_arguments_to_django(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manage", "help"]) == 0
    out = capsys.readouterr().out
    assert "migrate" in out and "createsuperuser" in out


def test_serve_help_documents_workers_and_the_default_host(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--workers" in out and "127.0.0.1" in out and "examples:" in out
