"""Ingest sources and runs: where descriptors come from and what went wrong reading them.

Admins also register and change sources here (the same services as `productize source`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from productize.accounts.middleware import request_id
from productize.audit.services import SOURCE_MANAGE, Actor
from productize.catalog.selectors import (
    PageRequest,
    problem_page,
    run_get,
    run_page,
    source_get,
    source_page,
)
from productize.ingest.models import Source, SourceFormat
from productize.ingest.redact import has_literal_credentials, redact_url
from productize.ingest.services import DEFAULT_SCHEDULE_MINUTES, source_add, source_update
from productize.web.views.common import page_request, pagination

RECENT_RUNS = 10
FORMAT_CHOICES = [
    (
        SourceFormat.AUTO.value,
        "Automatic — productize descriptors, plus Backstage files with the names below",
    ),
    (
        SourceFormat.BACKSTAGE.value,
        "Backstage — every .yaml/.yml file, read as a Backstage catalog file",
    ),
]


class SourceForm(forms.Form):
    """A source's settings; the service validates them (as for `productize source add`)."""

    name = forms.CharField(
        max_length=63,
        help_text="A short name: lower-case letters, digits and hyphens, e.g. “platform”.",
    )
    location = forms.CharField(
        label="Directory or git URL",
        max_length=2000,
        help_text="A directory on the server, or a git URL. Never put a password or token in "
        "the URL: write ${GIT_TOKEN} in its place and set that variable where productize "
        "worker runs.",
    )
    branch = forms.CharField(
        label="Branch or tag",
        max_length=255,
        required=False,
        help_text="Git sources only; empty: the repository's default branch.",
    )
    subpath = forms.CharField(
        label="Sub-path",
        max_length=1000,
        required=False,
        help_text="Read only this directory inside it, e.g. “catalog”; empty: all of it.",
    )
    schedule_minutes = forms.IntegerField(
        label="Refresh every (minutes)",
        min_value=0,
        initial=DEFAULT_SCHEDULE_MINUTES,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text="How often productize worker reads it again; 0: only when asked (its "
        "webhook, or a refresh).",
    )
    format = forms.ChoiceField(
        label="Files to read",
        choices=FORMAT_CHOICES,
        initial=SourceFormat.AUTO.value,
        help_text="Automatic suits most repositories; choose Backstage for a repository that "
        "holds only Backstage catalog files under other names.",
    )
    backstage_names = forms.CharField(
        label="Backstage file names",
        max_length=500,
        required=False,
        help_text="Comma-separated file names or patterns, e.g. “catalog-info.yaml, "
        "*.entity.yaml” (names, not paths); empty: the server's default, {default}.",
    )
    enabled = forms.BooleanField(
        required=False, initial=True, help_text="A disabled source is not refreshed."
    )
    webhook = forms.BooleanField(
        label="Create a webhook secret",
        required=False,
        initial=True,
        help_text="Shown once, after saving: give it to your git host's push webhook so that "
        "a push refreshes the source.",
    )
    reason = forms.CharField(
        label="Note for the history",
        max_length=500,
        required=False,
        help_text="Optional: why you make this change; it is kept in the source's history.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = self.fields["backstage_names"]
        default = ", ".join(settings.BACKSTAGE_FILE_NAMES) or "none"
        names.help_text = str(names.help_text).replace("{default}", default)
        if editing:
            del self.fields["webhook"]
        else:
            del self.fields["enabled"]

    def values(self) -> dict[str, Any]:
        """The cleaned values, as the services take them."""
        data = self.cleaned_data
        names = ",".join(n.strip() for n in data["backstage_names"].split(",") if n.strip())
        values = {
            "name": data["name"].strip(),
            "location": data["location"].strip(),
            "branch": data["branch"].strip(),
            "subpath": data["subpath"].strip(),
            "schedule_minutes": data["schedule_minutes"],
            "format": data["format"],
            "backstage_names": names,
        }
        if "enabled" in self.fields:
            values["enabled"] = data["enabled"]
        return values


def _manager(request: HttpRequest) -> Actor | None:
    """The acting admin; None when the visitor must sign in first. Others: 403."""
    if not request.user.is_authenticated:
        return None
    actor = Actor.for_user(request.user, request_id=request_id(request))
    if not actor.can(SOURCE_MANAGE):
        raise PermissionDenied("only admins register and change sources")
    return actor


def _can_manage(request: HttpRequest) -> bool:
    return Actor.for_user(request.user).can(SOURCE_MANAGE)


def _scrubbed(form: SourceForm) -> SourceForm:
    """The form with a password or token typed into the URL masked: never echoed to a page."""
    location = str(form.data.get("location", ""))
    if form.is_bound and has_literal_credentials(location):
        form.data = {**dict(form.data.items()), "location": redact_url(location)}
    return form


def _apply_errors(form: SourceForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_GET
def sources(request: HttpRequest) -> HttpResponse:
    """Every source with its last run and its current problems."""
    page = source_page(page_request(request, size=50))
    context = {
        "page": page,
        "pagination": pagination(page, reverse("web:sources"), []),
        "can_manage": _can_manage(request),
    }
    return render(request, "web/sources.html", context)


@require_GET
def source(request: HttpRequest, source_id: int) -> HttpResponse:
    """A source: where it reads from, its current problems (paged) and its recent runs."""
    found = source_get(source_id)
    if found is None:
        raise Http404(f"No source number {source_id}.")
    problems = problem_page(page_request(request, size=50), source=found)
    runs = run_page(PageRequest(1, RECENT_RUNS), source=found)
    path = reverse("web:source", args=[source_id])
    context = {
        "source": found,
        "location": redact_url(found.location),
        "problems": problems,
        "pagination": pagination(problems, path, []),
        "runs": runs,
        "all_runs_url": reverse("web:runs") + f"?source={source_id}",
        "can_manage": _can_manage(request),
    }
    return render(request, "web/source.html", context)


@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    """Ingest runs, newest first, optionally of one source."""
    source_id = request.GET.get("source", "")
    chosen = source_get(int(source_id)) if source_id.isdigit() else None
    page = run_page(page_request(request, size=50), source=chosen)
    params = [("source", source_id)] if chosen else []
    context = {
        "page": page,
        "source": chosen,
        "pagination": pagination(page, reverse("web:runs"), params),
    }
    return render(request, "web/runs.html", context)


@require_GET
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    """One run: its counts, and the problems it found (paged)."""
    found = run_get(run_id)
    if found is None:
        raise Http404(f"No run number {run_id}.")
    problems = problem_page(page_request(request, size=50), run=found)
    duration = None
    if found.finished_at is not None:
        seconds = (found.finished_at - found.started_at).total_seconds()
        duration = f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.0f} min"
    context = {
        "run": found,
        "duration": duration,
        "location": redact_url(found.location),
        "problems": problems,
        "pagination": pagination(problems, reverse("web:run", args=[run_id]), []),
    }
    return render(request, "web/run.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def source_new(request: HttpRequest) -> HttpResponse:
    """Register a source (admins); its webhook secret is shown once, on the next page."""
    actor = _manager(request)
    if actor is None:
        return redirect_to_login(request.get_full_path())
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = source_add(
                actor=actor,
                webhook=form.cleaned_data["webhook"],
                reason=form.cleaned_data["reason"],
                **form.values(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if not secret:
                return HttpResponseRedirect(reverse("web:source", args=[created.pk]))
            context = {
                "source": created,
                "secret": secret,
                "hook_url": request.build_absolute_uri(
                    reverse("api-v1:source-refresh", args=[created.pk])
                ),
            }
            return render(request, "web/source_created.html", context, status=201)
    return render(request, "web/source_form.html", {"form": _scrubbed(form), "source": None})


@never_cache
@require_http_methods(["GET", "POST"])
def source_edit(request: HttpRequest, source_id: int) -> HttpResponse:
    """Change a source's settings (admins); audited."""
    actor = _manager(request)
    if actor is None:
        return redirect_to_login(request.get_full_path())
    found = Source.objects.filter(pk=source_id).first()
    if found is None:
        raise Http404(f"No source number {source_id}.")
    initial = {
        "name": found.name,
        "location": found.location,  # never holds a literal credential (the service refuses)
        "branch": found.branch,
        "subpath": found.subpath,
        "schedule_minutes": found.schedule_minutes,
        "format": found.format,
        "backstage_names": found.backstage_names.replace(",", ", "),
        "enabled": found.enabled,
    }
    form = SourceForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.values().items() if getattr(found, k) != v}
        try:
            source_update(actor=actor, source=found, reason=form.cleaned_data["reason"], **changes)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("web:source", args=[found.pk]))
    return render(request, "web/source_form.html", {"form": _scrubbed(form), "source": found})
