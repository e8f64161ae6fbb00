"""`productize createuser`, `productize token`, the first-admin hint and the demo users."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model

from productize.accounts.bootstrap import (
    DEMO_PASSWORD,
    DEMO_USERS,
    create_demo_users,
    first_admin_hint,
)
from productize.accounts.models import ApiToken
from productize.accounts.tokens import token_for_secret
from productize.audit.models import ChangeRecord
from productize.cli import main

pytestmark = pytest.mark.django_db


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_createuser_then_tokens(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert first_admin_hint() is not None
    _stdin(monkeypatch, "a long enough passphrase\n")
    assert main(["createuser", "ada", "--email", "ada@example.com", "--admin",
                 "--password-stdin"]) == 0  # fmt: skip
    assert "created admin ada" in capsys.readouterr().out
    ada = get_user_model().objects.get(username="ada")
    assert ada.is_superuser and ada.check_password("a long enough passphrase")
    assert first_admin_hint() is None
    assert ChangeRecord.objects.filter(object_type="user", object_id="ada").exists()

    assert main(["token", "create", "ada", "--name", "ci", "--scope", "write",
                 "--expires-days", "7"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    secret = re.search(r"shown once, store it now\): (pz_\S+)", out)
    assert secret is not None and token_for_secret(secret.group(1)) is not None
    assert main(["token", "list", "ada"]) == 0
    listing = capsys.readouterr().out
    assert "ci" in listing and "write" in listing and secret.group(1) not in listing
    assert main(["token", "revoke", "ada", "ci"]) == 0
    assert token_for_secret(secret.group(1)) is None
    assert ApiToken.objects.get(name="ci").revoked
    assert main(["token", "revoke", "ada", "nope"]) == 2
    assert main(["token", "list", "nobody"]) == 2


def test_createuser_refuses_weak_passwords_and_duplicates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, "123\n")
    assert main(["createuser", "bo", "--password-stdin"]) == 2
    assert "too short" in capsys.readouterr().err
    _stdin(monkeypatch, "a long enough passphrase\n")
    assert main(["createuser", "bo", "--password-stdin"]) == 0
    _stdin(monkeypatch, "a long enough passphrase\n")
    assert main(["createuser", "BO", "--password-stdin"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["token", "create", "bo", "--name", "x", "--scope", "admin"]) == 2


def test_demo_users_have_their_roles() -> None:
    created = create_demo_users()
    assert [u.username for u in created] == [u.username for u in DEMO_USERS]
    assert create_demo_users() == []  # idempotent
    users = get_user_model().objects
    assert users.get(username="admin").is_superuser
    assert not users.get(username="guest").is_staff
    assert users.get(username="jonas").check_password(DEMO_PASSWORD)
