"""The forms-by-roles matrix: how a form case is declared, and how the cases are collected.

Every HTML form that POSTs is declared once, as a `FormCase` in a file named
`tests/**/form_cases_*.py` (a module-level list `CASES`). Two tests read them:

* tests/accounts/test_form_matrix.py posts each form as every role (admin, owner, other owner,
  member, anonymous): an allowed role does the thing, a denied one gets 403 (anonymous: a
  redirect to sign-in) and changes nothing. It also fails when a URL pattern of the web
  URLconf accepts POST and no case names it.
* tests/browser/test_xss.py posts hostile text through every `text_fields` field and opens the
  `shows_text_at` pages in Chromium: nothing may execute, the text must show as text.

The format is described for other helpers in /tmp/helpers/form-matrix-format.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ADMIN = "admin"
OWNER = "owner"  # alice: owns `orders` directly, `payments` via her team, `refund-desk` and
# loop `market` through the market loop
OTHER_OWNER = "other_owner"  # carol: owns `refund-desk` only
MEMBER = "member"  # mia: signed in, owns nothing
ANONYMOUS = "anonymous"  # no session
ROLES = (ADMIN, OWNER, OTHER_OWNER, MEMBER, ANONYMOUS)

EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({ADMIN, OWNER, OTHER_OWNER, MEMBER})
OWNERS = frozenset({ADMIN, OWNER})  # for a form about something alice owns and carol does not
ADMINS = frozenset({ADMIN})

# URL patterns the form matrix does not cover: the Django admin (its own permission system),
# and the JSON API (tests/accounts/test_permission_matrix.py covers every endpoint).
UNCOVERED_PREFIXES = ("admin/", "api/")
# Routes that accept POST but are not forms, with the reason.
NOT_FORMS = {"healthz": "the liveness probe: answers any method, changes nothing"}

TESTS_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Ctx:
    """What a case's callables get: personas, catalog, the acting role, setup's objects."""

    world: Any  # tests.accounts.conftest.World
    role: str
    user: Any | None  # the acting user; None for anonymous
    client: Any = None  # the django.test.Client that posts (signed in as `user`)
    objs: dict[str, Any] = field(default_factory=dict)  # what `setup` stored

    @property
    def catalog(self) -> dict[str, Any]:
        """The demo catalog of tests/web/factories.demo_catalog (products, loops, people...)."""
        return dict(self.world.catalog)


Value = Any
Data = Mapping[str, Any]


@dataclass(frozen=True)
class FormCase:
    """One form that POSTs, and who may post it."""

    id: str  # unique, readable: "idea-create", "feedback-give-on-product"
    url_name: str  # the namespaced URL name the form posts to: "web:idea-create"
    url: str | Callable[[Ctx], str]  # the URL posted to (a callable when it needs a slug/pk)
    data: Data | Callable[[Ctx], Data]  # a VALID POST body (files: SimpleUploadedFile values)
    allowed: frozenset[str]  # roles that may post it (see the constants above)
    state: Callable[[Ctx], Value]  # a snapshot of what the form changes (compared with ==)
    setup: Callable[[Ctx], None] | None = None  # make the objects the form needs (into ctx.objs)
    changes: bool = True  # an allowed post changes `state` (False: sign-out, password reset...)
    audited: bool = True  # an allowed post writes at least one audit ChangeRecord
    check: Callable[[Ctx, Any], None] | None = None  # more asserts after an allowed post
    htmx: bool = False  # post as htmx does (HX-Request: true)
    settings: Mapping[str, Any] = field(default_factory=dict)  # Django settings for this case
    text_fields: tuple[str, ...] = ()  # free-text fields of `data` (the XSS test fills them)
    shows_text_at: Callable[[Ctx], list[str]] | None = None  # pages showing them (after post)
    xss_role: str = ADMIN  # who posts the hostile text in the XSS test

    def url_for(self, ctx: Ctx) -> str:
        """The URL to post to."""
        return self.url(ctx) if callable(self.url) else self.url

    def data_for(self, ctx: Ctx) -> dict[str, Any]:
        """A fresh copy of the POST body."""
        return dict(self.data(ctx) if callable(self.data) else self.data)


def case_modules() -> list[str]:
    """The dotted names of every tests/**/form_cases_*.py module."""
    found = []
    for path in sorted(TESTS_ROOT.rglob("form_cases_*.py")):
        relative = path.relative_to(TESTS_ROOT.parent).with_suffix("")
        found.append(".".join(relative.parts))
    return found


def all_cases() -> list[FormCase]:
    """Every declared case, in a stable order; ids must be unique."""
    cases: list[FormCase] = []
    for name in case_modules():
        module = importlib.import_module(name)
        declared = getattr(module, "CASES", None)
        assert isinstance(declared, list), f"{name} must define a list CASES of FormCase"
        cases.extend(declared)
    ids = [case.id for case in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"form case ids must be unique: {duplicates}"
    return cases


def _methods_of(callback: Callable[..., Any]) -> set[str] | None:
    """The HTTP methods a view accepts, or None when it does not restrict them."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            m.upper()
            for m in view_class.http_method_names
            if m != "options" and hasattr(view_class, m)
        } | ({"HEAD"} if hasattr(view_class, "get") else set())
    seen: set[int] = set()
    stack: list[Any] = [callback]
    while stack:
        func = stack.pop()
        if id(func) in seen or not callable(func):
            continue
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            # require_http_methods / require_GET / require_POST keep their list in a closure.
            if (
                isinstance(value, list | tuple | set | frozenset)
                and value
                and all(isinstance(v, str) and v.isupper() for v in value)
            ):
                return set(value)
            if callable(value):
                stack.append(value)
        wrapped = getattr(func, "__wrapped__", None)
        if wrapped is not None:
            stack.append(wrapped)
    return None


def accepts_post(callback: Callable[..., Any]) -> bool:
    """Whether a view answers POST (a view without a method restriction does)."""
    methods = _methods_of(callback)
    return methods is None or "POST" in methods


@dataclass(frozen=True)
class Route:
    """A URL pattern of the site: its full route, namespaced name and view."""

    route: str
    name: str
    callback: Callable[..., Any]


def _walk(patterns: Iterable[Any], prefix: str, namespace: str) -> Iterable[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = entry.name or ""
            full = f"{namespace}:{name}" if namespace and name else name
            yield Route(prefix + str(entry.pattern), full, entry.callback)


def site_routes() -> list[Route]:
    """Every URL pattern of the root URLconf outside the admin and the API."""
    return [
        route
        for route in _walk(get_resolver().url_patterns, "", "")
        if not route.route.lstrip("^").startswith(UNCOVERED_PREFIXES)
    ]


def post_routes() -> list[Route]:
    """The site's URL patterns that accept POST: each needs a form case."""
    return [
        route
        for route in site_routes()
        if accepts_post(route.callback) and route.name not in NOT_FORMS
    ]
