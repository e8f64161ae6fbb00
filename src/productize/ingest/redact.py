"""Keep credentials out of everything people see: logs, run records, pages and errors.

A git URL may carry a user name and token (`https://user:token@host/repo.git`) or a token
in its query string. Registered sources never store a literal secret: they name an
environment variable instead (`https://user:${GIT_TOKEN}@host/repo.git`), expanded only in
the moment git runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

# `scheme://userinfo@` anywhere in a text (error messages quote URLs).
_USERINFO_IN_TEXT = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")
# Query parameters that carry secrets in practice.
_SECRET_PARAM = re.compile(r"token|key|secret|pass|pwd|auth|sig|credential", re.IGNORECASE)
_QUERY_SECRET_IN_TEXT = re.compile(
    r"(?P<name>[?&][A-Za-z0-9_.-]*(?:token|key|secret|pass|pwd|auth|sig|credential)"
    r"[A-Za-z0-9_.-]*=)(?P<value>[^&\s#]+)",
    re.IGNORECASE,
)
_ENV_REFERENCE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")


class MissingVariableError(LookupError):
    """A location names an environment variable that is not set."""


def redact_url(url: str) -> str:
    """The URL without credentials: user info and secret-looking query values become `***`.

    `${VAR}` references are kept: they name a variable, they are not its value.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if not parts.scheme or not parts.netloc:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, has_password, password = userinfo.partition(":")
        if has_password:
            if not _ENV_REFERENCE.fullmatch(password):
                netloc = f"{user}:{MASK}@{host}" if _is_ssh(parts.scheme) else f"{MASK}@{host}"
        elif not (_is_ssh(parts.scheme) or _ENV_REFERENCE.fullmatch(user)):
            # Over HTTP a lone user name is often a token (`https://TOKEN@host/...`).
            netloc = f"{MASK}@{host}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(name, MASK if _SECRET_PARAM.search(name) else value) for name, value in pairs],
            safe="*",
        )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _is_ssh(scheme: str) -> bool:
    # Over SSH the user name (`git@`) is an account, not a secret; keys live elsewhere.
    return scheme.lower() in {"ssh", "git+ssh", "ssh+git"}


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Remove credentials from free text: URLs' user info, secret query values, known secrets."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO_IN_TEXT.sub(_mask_userinfo, text)
    return _QUERY_SECRET_IN_TEXT.sub(lambda m: f"{m['name']}{MASK}", text)


def _mask_userinfo(match: re.Match[str]) -> str:
    # `user:${VAR}` names a variable; it is not a secret and helps people see what to set.
    if _ENV_REFERENCE.fullmatch(match["userinfo"].partition(":")[2] or match["userinfo"]):
        return match.group(0)
    return f"{match['scheme']}{MASK}@"


def has_literal_credentials(url: str) -> bool:
    """True when the URL holds a password or token itself rather than a `${VAR}` reference."""
    return redact_url(url) != url


def expand_variables(location: str) -> tuple[str, list[str]]:
    """Replace `${VAR}` with the variable's value; return the result and the values used.

    The values are returned so that callers can redact them from any text git prints.
    """
    values: list[str] = []

    def substitute(match: re.Match[str]) -> str:
        name = match["name"]
        value = os.environ.get(name)
        if value is None:
            raise MissingVariableError(
                f"the location names the environment variable {name}, which is not set"
            )
        values.append(value)
        return value

    return _ENV_REFERENCE.sub(substitute, location), values


def url_secrets(url: str) -> list[str]:
    """The password (or token) and secret query values a URL carries, to redact them."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [parts.password] if parts.password else []
    if parts.username and not parts.password and not _is_ssh(parts.scheme):
        found.append(parts.username)
    found.extend(
        value
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if _SECRET_PARAM.search(name) and value
    )
    return [value for value in found if not _ENV_REFERENCE.fullmatch(value)]
