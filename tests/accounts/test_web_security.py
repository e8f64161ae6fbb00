"""Web security: CSP without inline code, no framing, `check --deploy` clean in production."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.accounts.conftest import World
from tests.conftest import REPO_ROOT

pytestmark = pytest.mark.django_db
TEMPLATES = sorted((REPO_ROOT / "src" / "productize").glob("**/templates/**/*.html"))
# The production settings documented in docs/security.md.
PRODUCTION_ENV = {
    "PRODUCTIZE_HTTPS": "1",
    "PRODUCTIZE_REQUIRE_SECRET_KEY": "1",
    "PRODUCTIZE_ALLOWED_HOSTS": "catalog.example.com",
    "PRODUCTIZE_CSRF_TRUSTED_ORIGINS": "https://catalog.example.com",
    "PRODUCTIZE_HSTS_PRELOAD": "1",
}


def test_pages_send_a_strict_content_security_policy(world: World) -> None:
    client = Client()
    client.force_login(world.member)
    for url in ("/", "/catalog/", "/me/", "/audit/", "/accounts/sign-in/"):
        response = (Client() if "sign-in" in url else client).get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_template_has_inline_scripts_styles_or_handlers(template: Path) -> None:
    # Template comments ({# ... #}) may talk about <style>; they never reach the browser.
    text = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"))
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: use a file"
    assert not re.search(r"<style\b", text), "<style> block: move it to a CSS file"
    assert not re.search(r"\sstyle\s*=", text), "style= attribute: use a class"
    assert not re.search(r"\son[a-z]+\s*=", text), "event handler attribute: use app.js"
    assert "javascript:" not in text


def _deploy_check(extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PRODUCTIZE_")}
    env.pop("DATABASE_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="productize.settings",
        PRODUCTIZE_DATA_DIR=str(tmp_path),
        **extra,
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    secret = secrets.token_urlsafe(50)
    result = _deploy_check({**PRODUCTION_ENV, "PRODUCTIZE_SECRET_KEY": secret}, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # Without them (plain HTTP development settings) it does warn: the check is real.
    plain = _deploy_check({}, tmp_path)
    assert plain.returncode != 0 and "security.W012" in plain.stdout + plain.stderr


def test_production_settings_are_documented() -> None:
    doc = (REPO_ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    for name in [*PRODUCTION_ENV, "PRODUCTIZE_SECRET_KEY"]:
        assert f"{name}=" in doc, name
