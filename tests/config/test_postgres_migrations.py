"""The one migration history applies to an empty PostgreSQL database (the suite itself also
runs on PostgreSQL in CI, with DATABASE_URL set)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import REPO_ROOT

PG_URL = os.environ.get("PRODUCTIZE_TEST_DATABASE_URL", "")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="PRODUCTIZE_TEST_DATABASE_URL is not set"),
]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def test_migrations_apply_to_an_empty_postgresql_database(tmp_path) -> None:
    import psycopg

    name = f"productize_mig_{uuid.uuid4().hex[:10]}"
    admin_url = _with_database(PG_URL, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {
            **os.environ,
            "DATABASE_URL": _with_database(PG_URL, name),
            "PRODUCTIZE_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "productize.settings",
        }
        result = subprocess.run(
            [sys.executable, "-m", "django", "migrate", "--no-input"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        with psycopg.connect(_with_database(PG_URL, name)) as conn:
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            }
        assert {"catalog_product", "catalog_interface", "audit_changerecord"} <= tables
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
