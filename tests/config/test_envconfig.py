"""The typed environment readers behind settings.py."""

from __future__ import annotations

import pytest

from productize.envconfig import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
)


def test_env_bool_reads_common_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    for raw, expected in [("1", True), ("YES", True), ("on", True), ("0", False), ("off", False)]:
        monkeypatch.setenv("PZ_T", raw)
        assert env_bool("PZ_T", not expected) is expected
    monkeypatch.delenv("PZ_T")
    assert env_bool("PZ_T", True) is True


def test_env_bool_rejects_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZ_T", "maybe")
    with pytest.raises(ConfigError, match="PZ_T"):
        env_bool("PZ_T", False)


def test_env_int_checks_type_and_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZ_T", "12")
    assert env_int("PZ_T", 1) == 12
    monkeypatch.setenv("PZ_T", "twelve")
    with pytest.raises(ConfigError, match="whole number"):
        env_int("PZ_T", 1)
    monkeypatch.setenv("PZ_T", "0")
    with pytest.raises(ConfigError, match="at least 1"):
        env_int("PZ_T", 5, minimum=1)


def test_env_list_and_str(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PZ_T", " a.example , ,b.example ")
    assert env_list("PZ_T", []) == ["a.example", "b.example"]
    monkeypatch.setenv("PZ_T", "")
    assert env_list("PZ_T", ["x"]) == ["x"]
    assert env_str("PZ_T", "default") == "default"


def test_parse_postgres_url() -> None:
    db = parse_database_url("postgres://u%40x:p%2Fw@db.local:6543/prod?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("prod", "u@x", "p/w")
    assert (db["HOST"], db["PORT"]) == ("db.local", "6543")
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_parse_sqlite_url() -> None:
    assert parse_database_url("sqlite:////var/lib/pz/db.sqlite3")["NAME"] == (
        "/var/lib/pz/db.sqlite3"
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/"])
def test_parse_database_url_rejects_what_it_cannot_use(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        parse_database_url(url)
