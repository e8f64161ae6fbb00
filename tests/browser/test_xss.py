"""Hostile text in Chromium: nothing a user or a descriptor writes may run as code.

Every form case that declares `text_fields` (tests/**/form_cases_*.py) is posted with script
tags, event-handler attributes, `javascript:` links and markdown tricks in each of those fields,
and the pages where that text shows (`shows_text_at`) are opened twice:

* with the Content-Security-Policy bypassed, so that injected markup *would* run: no dialog may
  open, the sentinel global may not be set, and the DOM may hold no event-handler attribute,
  inline script, frame or `javascript:`/`data:` link that the text could have made;
* with the site's real policy: the browser may report no CSP violation (a violation means
  markup got through and only the policy stopped it).

The marker words of each payload must be visible: the text is shown as text. A descriptor with
the same payloads in every free-text field and link goes through ingest, and the catalog pages
are checked the same way.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.accounts.conftest import World, build_world
from tests.accounts.form_matrix import ANONYMOUS, Ctx, FormCase, all_cases
from tests.browser.conftest import LAPTOP

pytestmark = [pytest.mark.browser]

SENTINEL = "__pz_xss"
GROUP = 4  # vectors per post
# Each vector sets the sentinel or opens a dialog if it ever runs.
VECTORS = [
    "<script>window.__pz_xss='script'</script>",
    "<img src=x onerror=\"window.__pz_xss='img'\">",
    "<svg onload=\"window.__pz_xss='svg'\"></svg>",
    "\"><script>alert('attr')</script><input value=\"",
    "'><img src=x onerror=alert('quote')>",
    "<a href=\"javascript:window.__pz_xss='a'\">a</a>",
    "<a href=\"jav&#x09;ascript:alert('tab')\">t</a>",
    "[md link](javascript:window.__pz_xss='md')",
    "![md image](x\" onerror=\"alert('mdimg'))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<iframe srcdoc=\"<script>parent.__pz_xss='frame'</script>\"></iframe>",
    "<details open ontoggle=\"window.__pz_xss='toggle'\">d</details>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('mxss')>",
]
INIT_SCRIPT = textwrap.dedent(
    """
    window.__pz_csp = [];
    document.addEventListener('securitypolicyviolation', function (e) {
      window.__pz_csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'));
    });
    """
)
# What injected markup would leave in the DOM (the site's own templates have none of it).
DOM_CHECK = textwrap.dedent(
    """
    () => {
      const bad = [];
      for (const el of document.querySelectorAll('*')) {
        for (const attr of el.attributes) {
          if (/^on/i.test(attr.name)) bad.push(el.tagName + ' ' + attr.name);
          if (attr.name === 'srcdoc') bad.push(el.tagName + ' srcdoc');
        }
      }
      for (const el of document.querySelectorAll(
          'script:not([src]), iframe, frame, object, embed, base, meta[http-equiv]')) {
        bad.push(el.tagName);
      }
      for (const el of document.querySelectorAll('a[href], area[href], form[action]')) {
        const url = String(el.href || el.action);
        if (/^\\s*(javascript|data|vbscript):/i.test(url)) bad.push(el.tagName + ' ' + url);
      }
      return bad;
    }
    """
)


def _marker(case_index: int, field_name: str, vector_index: int) -> str:
    return f"zq{case_index}x{vector_index}x{field_name.replace('_', '')}zq"


@dataclass
class Findings:
    """What went wrong on the pages visited, for one failure message."""

    problems: list[str] = field(default_factory=list)
    seen_text: str = ""

    def add(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")


class Browser:
    """Two contexts signed in as the same user: the real CSP, and the CSP bypassed."""

    def __init__(self, browser: Any, base_url: str, session: str | None) -> None:
        self.base = base_url
        self.strict = browser.new_context(viewport=LAPTOP)
        self.open = browser.new_context(viewport=LAPTOP, bypass_csp=True)
        for context in (self.strict, self.open):
            context.add_init_script(INIT_SCRIPT)
            if session:
                context.add_cookies([{"name": "sessionid", "value": session, "url": base_url}])
        self.pages = {"strict": self.strict.new_page(), "open": self.open.new_page()}
        self.dialogs: list[str] = []
        self.console: list[str] = []
        for name, page in self.pages.items():
            page.on("dialog", lambda dialog, n=name: self._dialog(n, dialog))
            page.on("console", lambda msg: self.console.append(msg.text))

    def _dialog(self, context: str, dialog: Any) -> None:
        self.dialogs.append(f"{context}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    def visit(self, path: str, findings: Findings) -> None:
        """Open `path` in both contexts and record anything that ran or was injected."""
        for name, page in self.pages.items():
            before_dialogs, before_console = len(self.dialogs), len(self.console)
            response = page.goto(self.base + path, wait_until="load")
            assert response is not None and response.status < 400, (
                path,
                response and response.status,
            )
            page.wait_for_timeout(50)  # let onload/ontoggle handlers (if any) fire
            where = f"{path} [{name}]"
            if page.evaluate(f"window.{SENTINEL} !== undefined"):
                findings.add(where, f"sentinel set to {page.evaluate(f'window.{SENTINEL}')!r}")
            for dialog in self.dialogs[before_dialogs:]:
                findings.add(where, f"dialog opened: {dialog}")
            for injected in page.evaluate(DOM_CHECK):
                findings.add(where, f"injected into the DOM: {injected}")
            if name == "strict":
                for violation in page.evaluate("window.__pz_csp"):
                    findings.add(where, f"CSP violation: {violation}")
                for line in self.console[before_console:]:
                    if "Content Security Policy" in line:
                        findings.add(where, f"CSP console: {line[:200]}")
            else:
                findings.seen_text += "\n" + page.evaluate("document.body.innerText")

    def close(self) -> None:
        """Close both contexts."""
        self.strict.close()
        self.open.close()


def _session_of(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return str(client.cookies["sessionid"].value)


XSS_CASES = [case for case in all_cases() if case.text_fields and case.shows_text_at]


def test_every_text_field_of_a_form_case_is_tried() -> None:
    assert {"idea-create", "idea-edit", "token-create"} <= {case.id for case in XSS_CASES}
    for case in all_cases():
        assert bool(case.text_fields) == bool(case.shows_text_at), (
            f"{case.id}: declare both text_fields and shows_text_at, or neither"
        )


def _post(client: Client, case: FormCase, ctx: Ctx, data: dict[str, Any]) -> Any:
    headers = {"HX-Request": "true"} if case.htmx else {}
    return client.post(case.url_for(ctx), data, headers=headers)


@pytest.mark.parametrize("case", XSS_CASES, ids=lambda case: case.id)
def test_hostile_text_in_forms_never_runs(
    browser: Any, live_server: Any, settings: Any, case: FormCase
) -> None:
    settings.ANONYMOUS_READ = False
    for name, value in case.settings.items():
        setattr(settings, name, value)
    world: World = build_world()
    user = None if case.xss_role == ANONYMOUS else getattr(world, case.xss_role)
    client = Client()
    if user is not None:
        client.force_login(user)
    ctx = Ctx(world=world, role=case.xss_role, user=user, client=client)
    if case.setup is not None:
        case.setup(ctx)
    chrome = Browser(browser, live_server.url, _session_of(user) if user is not None else None)
    findings = Findings()
    accepted: list[str] = []
    refused: list[str] = []
    case_index = XSS_CASES.index(case)

    def attempt(indexes: list[int], fields: tuple[str, ...]) -> None:
        """Post these vectors in these fields; on refusal, split (vectors, then fields)."""
        hostile = {
            f: " ".join(f"{_marker(case_index, f, i)} {VECTORS[i]}" for i in indexes)
            for f in fields
        }
        before = case.state(ctx)
        response = _post(client, case, ctx, {**case.data_for(ctx), **hostile})
        if response.status_code >= 400 or (case.changes and case.state(ctx) == before):
            if len(indexes) > 1:
                half = len(indexes) // 2
                attempt(indexes[:half], fields)
                attempt(indexes[half:], fields)
            elif len(fields) > 1:
                for one in fields:
                    attempt(indexes, (one,))
            else:
                refused.append(f"vector {indexes[0]} in {fields[0]}: {response.status_code}")
            return
        accepted.extend(_marker(case_index, f, i) for f in fields for i in indexes)
        for path in case.shows_text_at(ctx):  # type: ignore[misc]
            chrome.visit(path, findings)

    try:
        # Several vectors per post (fewer page loads); a field that refuses the length or the
        # content makes the attempt split until every vector has been tried in every field.
        for start in range(0, len(VECTORS), GROUP):
            attempt(list(range(start, min(start + GROUP, len(VECTORS)))), case.text_fields)
    finally:
        chrome.close()
    assert accepted, f"{case.id}: no hostile text was accepted at all: {refused}"
    assert not findings.problems, "\n".join(findings.problems)
    shown = findings.seen_text
    missing = sorted({marker for marker in accepted if marker not in shown})
    assert not missing, f"{case.id}: text not shown as text on its pages: {missing}"


def _descriptors(root: Path) -> None:
    combined = " ".join(f"zqd{i}zq {vector}" for i, vector in enumerate(VECTORS))

    def short(i: int) -> str:
        return f"zqd{i}zq {VECTORS[i % len(VECTORS)]}"

    def quoted(text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    (root / "products" / "evil").mkdir(parents=True)
    (root / "products" / "victim").mkdir(parents=True)
    (root / "organization.yaml").write_text(
        f"kind: organization\nid: hostile\nname: {quoted(short(0))}\nmission: {quoted(combined)}\n"
    )
    (root / "loops.productize.yaml").write_text(
        f"kind: loop\nid: evil-loop\nname: {quoted(short(1))}\nmission: {quoted(combined)}\n"
        f"customers: [{quoted(short(2))}, {quoted(short(3))}]\nowners: [eve]\n"
    )
    (root / "teams.productize.yaml").write_text(
        f"kind: team\nid: evil-team\nname: {quoted(short(4))}\nmembers: [eve]\n"
    )
    (root / "people.productize.yaml").write_text(
        f"kind: person\nid: eve\nname: {quoted(short(5))}\nemail: eve@example.com\n"
    )
    does = ", ".join(quoted(short(i)) for i in range(6, 6 + len(VECTORS)))
    (root / "products" / "evil" / "product.yaml").write_text(
        textwrap.dedent(
            f"""\
            kind: product
            id: evil
            name: {quoted(short(6))}
            mission: {quoted(combined)}
            vision: {quoted(combined)}
            stage: growing
            loop: evil-loop
            owners: [eve, team:evil-team]
            scope:
              does: [{does}]
              does_not: [{quoted(short(7))}]
            alignment: {{kind: direct, why: {quoted(short(8))}}}
            audience: [{quoted(short(9))}]
            tags: [evil]
            interfaces:
              provides:
                - {{name: evil-api, kind: api, description: {quoted(short(10))}}}
            links:
              repository: "javascript:window.__pz_xss='repo'"
              docs: "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
              website: "https://ok.example/\\"><script>alert('site')</script>"
              community: "  JaVaScRiPt:alert('community')"
              chat: "jav&#x09;ascript:alert('chat')"
              feedback:
                - {{kind: support, url: "javascript:alert('fb')", name: {quoted(short(11))}}}
            brand: {{display_name: {quoted(short(12))}}}
            resourcing: {{infrastructure: {quoted(combined)}, cost: {quoted(short(1))}}}
            steady_state: {{handover_guide: "javascript:alert('handover')"}}
            annotations: {{note: {quoted(combined)}}}
            """
        )
    )
    (root / "products" / "victim" / "product.yaml").write_text(
        "kind: product\nid: victim\nname: Victim\nmission: Uses the evil one.\n"
        "loop: evil-loop\nowners: [eve]\ninterfaces: {consumes: [evil/evil-api]}\n"
    )


def test_hostile_descriptors_never_run(
    browser: Any, live_server: Any, settings: Any, tmp_path: Path
) -> None:
    from productize.catalog.models import Product
    from productize.ingest.runner import ingest_path

    settings.ANONYMOUS_READ = False
    _descriptors(tmp_path)
    run = ingest_path(location=tmp_path)
    assert Product.objects.filter(slug__in=["evil", "victim"]).count() == 2, run.status
    admin = get_user_model().objects.create_user(
        "root", password="x", is_staff=True, is_superuser=True
    )
    chrome = Browser(browser, live_server.url, _session_of(admin))
    findings = Findings()
    paths = [
        "/", "/catalog/", "/catalog/?q=zqd6zq", "/products/evil/", "/products/victim/",
        "/products/evil/neighbourhood/", "/products/evil/impact/", "/map/", "/loops/",
        "/loops/evil-loop/", "/teams/", "/teams/evil-team/", "/people/", "/people/eve/",
        "/assessment/", "/assessment/products/", "/sources/", "/runs/", "/audit/",
        "/audit/product/evil/", "/ideas/evil/edit/",
    ]  # fmt: skip
    try:
        for path in paths:
            chrome.visit(path, findings)
    finally:
        chrome.close()
    assert not findings.problems, "\n".join(findings.problems)
    for i in range(len(VECTORS)):
        assert f"zqd{i}zq" in findings.seen_text, f"descriptor text zqd{i}zq is not shown"
    # The hostile links are shown as text, never as links.
    assert "javascript:window.__pz_xss='repo'" in findings.seen_text


def test_the_payloads_would_run_if_rendered_unescaped(browser: Any) -> None:
    """The detectors are real: the same payloads, unescaped and without CSP, are caught."""
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        page.set_content("<body>" + "".join(VECTORS) + "</body>")
        page.wait_for_timeout(200)
        assert page.evaluate(f"window.{SENTINEL}") is not None or dialogs
        assert page.evaluate(DOM_CHECK), "the DOM check finds the injected markup"
    finally:
        context.close()
