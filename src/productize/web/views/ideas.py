"""Ideas: products created in productize — list, create, edit, download as a descriptor file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from productize.accounts import permissions
from productize.accounts.middleware import request_id
from productize.accounts.selectors import person_for_user
from productize.audit.services import Actor
from productize.catalog.models import STAGE_CHOICES, Loop, Origin, Product
from productize.catalog.selectors.paging import paginate
from productize.catalog.services.ideas import (
    IdeaInput,
    descriptor_text,
    idea_create,
    idea_input,
    idea_update,
)
from productize.web.source_links import source_location
from productize.web.views.common import page_request, pagination

ALIGNMENT_CHOICES = [
    ("", "not stated yet"),
    ("direct", "direct — it serves the mission itself"),
    ("indirect", "indirect — it helps other products serve it"),
]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.replace("\n", ",").split(",") if item.strip()]


class IdeaForm(forms.Form):
    """The fields of a product idea; the descriptor rules check them (in the service)."""

    name = forms.CharField(max_length=500, help_text="What people call it.")
    slug = forms.CharField(
        label="Id",
        max_length=63,
        required=False,
        help_text="Lower-case words joined by hyphens, e.g. “price-watch”; empty: made from the "
        "name. It cannot change later.",
    )
    mission = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What it is for, plain enough for a five-year-old.",
    )
    vision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    does = forms.CharField(
        label="It does",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One job per line.",
    )
    does_not = forms.CharField(
        label="It does not",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One line each: what it leaves to others.",
    )
    stage = forms.ChoiceField(choices=STAGE_CHOICES, initial="idea")
    loop = forms.ChoiceField(choices=[], required=False, help_text="The loop it belongs to.")
    owners = forms.CharField(
        required=False,
        help_text="Person or team ids, separated by commas, e.g. “alice, team:payments”.",
    )
    tags = forms.CharField(required=False, help_text="Separated by commas, e.g. “money, api”.")
    audience = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Who it serves, one per line.",
    )
    alignment = forms.ChoiceField(choices=ALIGNMENT_CHOICES, required=False)
    alignment_why = forms.CharField(
        label="Why (alignment)",
        max_length=500,
        required=False,
        help_text="How it serves the organisation's mission.",
    )
    reason = forms.CharField(
        label="Note for the history",
        max_length=500,
        required=False,
        help_text="Optional: why you make this change; it is kept in the product's history.",
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        loop = self.fields["loop"]
        assert isinstance(loop, forms.ChoiceField)
        loops = list(Loop.objects.order_by("name").values_list("slug", "name"))
        loop.choices = [("", "none yet"), *((slug, f"{name} ({slug})") for slug, name in loops)]
        if editing:
            del self.fields["slug"]

    def idea(self) -> IdeaInput:
        """The cleaned values for the service."""
        data = self.cleaned_data
        return IdeaInput(
            name=data["name"],
            slug=data.get("slug", "") or "",
            mission=data["mission"],
            vision=data["vision"],
            does=_lines(data["does"]),
            does_not=_lines(data["does_not"]),
            stage=data["stage"],
            loop=data["loop"],
            owners=_items(data["owners"]),
            tags=_items(data["tags"]),
            audience=_lines(data["audience"]),
            alignment=data["alignment"],
            alignment_why=data["alignment_why"],
        )


def _initial(idea: IdeaInput) -> dict[str, Any]:
    return {
        "name": idea.name,
        "mission": idea.mission,
        "vision": idea.vision,
        "does": "\n".join(idea.does),
        "does_not": "\n".join(idea.does_not),
        "stage": idea.stage,
        "loop": idea.loop,
        "owners": ", ".join(idea.owners),
        "tags": ", ".join(idea.tags),
        "audience": "\n".join(idea.audience),
        "alignment": idea.alignment,
        "alignment_why": idea.alignment_why,
    }


def _actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, request_id=request_id(request))


def _apply_errors(form: IdeaForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _product(slug: str) -> Product:
    product = Product.objects.select_related("source").filter(slug=slug).first()
    if product is None:
        raise Http404(f"No product with the id `{slug}`.")
    return product


@require_GET
def ideas(request: HttpRequest) -> HttpResponse:
    """Products created in productize, newest first (paged)."""
    if not _actor(request).can(permissions.READ):
        raise PermissionDenied("sign in to read the catalog")
    ordered = Product.objects.filter(origin=Origin.UI).order_by("-created_at", "-id")
    page = paginate(ordered, page_request(request))
    context = {
        "page": page,
        "pagination": pagination(page, reverse("web:ideas"), []),
        "can_create": _actor(request).can(permissions.PROPOSE),
    }
    return render(request, "web/ideas/list.html", context)


@require_http_methods(["GET", "POST"])
def idea_new(request: HttpRequest) -> HttpResponse:
    """Create a product idea (any signed-in member)."""
    if not request.user.is_authenticated:  # anonymous readers: sign in first
        return redirect_to_login(request.get_full_path())
    actor = _actor(request)
    if not actor.can(permissions.PROPOSE):
        raise PermissionDenied("you may not propose a product")
    person = person_for_user(request.user)
    form = IdeaForm(
        request.POST or None, initial={"owners": person.slug if person else "", "stage": "idea"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            product = idea_create(actor=actor, data=form.idea(), reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("web:product", args=[product.slug]))
    context = {"form": form, "editing": False, "product": None}
    return render(request, "web/ideas/form.html", context)


@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """Edit a product created in productize; a descriptor's product says where its file is."""
    product = _product(slug)
    actor = _actor(request)
    if product.origin != Origin.UI:
        context: dict[str, Any] = {"product": product, "location": source_location(product)}
        status = 200 if request.method == "GET" else 409
        return render(request, "web/ideas/descriptor_owned.html", context, status=status)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not actor.can(permissions.PRODUCT_EDIT, product):
        raise PermissionDenied("only the product's owners (and admins) edit it")
    form = IdeaForm(request.POST or None, initial=_initial(idea_input(product)), editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            idea_update(
                actor=actor, product=product, data=form.idea(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return HttpResponseRedirect(reverse("web:product", args=[product.slug]))
    context = {"form": form, "editing": True, "product": product}
    return render(request, "web/ideas/form.html", context)


@require_GET
def idea_descriptor(request: HttpRequest, slug: str) -> HttpResponse:
    """The product as a descriptor file, to download (any product; made for ideas)."""
    if not _actor(request).can(permissions.READ):
        raise PermissionDenied("sign in to read the catalog")
    product = _product(slug)
    response = HttpResponse(descriptor_text(product), content_type="application/yaml")
    response["Content-Disposition"] = f'attachment; filename="{product.slug}.product.yaml"'
    return response
