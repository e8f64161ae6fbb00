"""Credentials never reach logs, run records, pages or errors."""

from __future__ import annotations

import pytest

from productize.ingest.redact import (
    MissingVariableError,
    expand_variables,
    has_literal_credentials,
    redact_text,
    redact_url,
    url_secrets,
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://user:s3cret@git.example.com/a/b.git", "https://***@git.example.com/a/b.git"),
        ("https://ghp_tokenAsUser@github.com/o/r.git", "https://***@github.com/o/r.git"),
        ("http://u:pw0rd@127.0.0.1:8080/r", "http://***@127.0.0.1:8080/r"),
        ("https://h/r.git?private_token=abc&x=1", "https://h/r.git?private_token=***&x=1"),
        ("ssh://git@host/r.git", "ssh://git@host/r.git"),
        ("ssh://git:pw@host/r.git", "ssh://git:***@host/r.git"),
        ("git@github.com:o/r.git", "git@github.com:o/r.git"),
        ("https://ci:${GIT_TOKEN}@host/r.git", "https://ci:${GIT_TOKEN}@host/r.git"),
        ("file:///tmp/repo", "file:///tmp/repo"),
        ("/srv/catalog", "/srv/catalog"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    for secret in url_secrets(url):
        assert secret not in redact_url(url)


def test_literal_credentials_are_told_apart_from_variable_references() -> None:
    assert has_literal_credentials("https://u:tok@host/r")
    assert has_literal_credentials("https://tok@host/r")
    assert not has_literal_credentials("https://u:${TOKEN}@host/r")
    assert not has_literal_credentials("ssh://git@host/r")
    assert not has_literal_credentials("/a/directory")


def test_redact_text_removes_urls_credentials_and_known_secrets() -> None:
    text = (
        "fatal: unable to access 'https://bot:hunter2x@git.example.com/r.git/': "
        "auth failed for hunter2x; see https://h/x?access_token=zzz"
    )
    clean = redact_text(text, ["hunter2x"])
    assert "hunter2x" not in clean and "zzz" not in clean
    assert "git.example.com/r.git" in clean


def test_expand_variables_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_TOKEN", "t0k3n")
    assert expand_variables("https://ci:${GIT_TOKEN}@h/r") == ("https://ci:t0k3n@h/r", ["t0k3n"])
    monkeypatch.delenv("GIT_TOKEN")
    with pytest.raises(MissingVariableError, match="GIT_TOKEN"):
        expand_variables("https://ci:${GIT_TOKEN}@h/r")
