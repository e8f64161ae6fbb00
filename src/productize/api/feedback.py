"""Feedback in (one item or many, and a signed inbound webhook per channel); suggestions."""

import hashlib
import hmac
import json
import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from ninja import Field, Query, Router, Schema

from productize.api.auth import actor_for
from productize.api.errors import ERRORS, ERRORS_404, ApiError, ErrorResponse, not_found
from productize.api.params import Paging, strict_query
from productize.api.schemas import PageMeta, page_meta
from productize.audit.services import Actor
from productize.catalog.models import Product
from productize.catalog.selectors.paging import paginate
from productize.domain.loop.intake import MAX_BULK
from productize.loop.intake import BulkOutcome, FeedbackRejected, bulk_give_feedback
from productize.loop.models import FeedbackChannel, Suggestion, SuggestionKind, SuggestionStatus
from productize.loop.services.common import LoopError
from productize.loop.suggestions import accept_suggestion, dismiss_suggestion, refresh_suggestions

router = Router(tags=["feedback"])

MAX_BODY = 32 * 1024 * 1024  # bytes per request: 5,000 items of a few KiB each fit easily
TIMESTAMP_HEADER = "X-Productize-Timestamp"
SIGNATURE_HEADER = "X-Productize-Signature"
REPLAY_WINDOW = 300  # seconds a signed webhook call stays valid


class FeedbackIn(Schema):
    """One feedback item. Only `text` is required; everything is stored as given."""

    text: str = Field(description="The feedback itself (at most 50,000 characters).")
    title: str = Field("", description="A short summary (at most 500 characters).")
    product: str = Field(
        "",
        description="The product it is about (its id). Left out: the channel's routing rules "
        "decide, or it waits in triage.",
    )
    interface: str = Field(
        "", description="An interface of that product: its name, or `product/interface`."
    )
    author: str = Field("", description="Who gave it (at most 200 characters).")
    author_contact: str = Field(
        "", description="How to reach them when it is addressed: an e-mail address or handle."
    )
    created_at: str = Field(
        "", description="When it was written (ISO 8601); left out: when it arrives."
    )
    source: str = Field(
        "",
        description="Where it came from (`support`, `github`, ...); default: the channel's "
        "kind, or `api`.",
    )
    external_id: str = Field(
        "",
        description="Its id in the source. Send one to make retries safe: an item whose "
        "channel, source and external id are stored already is skipped, not stored twice.",
    )
    url: str = Field("", description="Where it can be seen in the source.")
    tags: list[str] = Field(default_factory=list, description="At most 20 tags.")


class CreatedOut(Schema):
    """An item that was stored."""

    index: int = Field(description="Its position in the request (0 for a single item).")
    id: int = Field(description="The new feedback's id.")


class SkippedOut(Schema):
    """An item that was not stored, and why."""

    index: int
    reason: str
    existing_id: int | None = Field(None, description="The stored feedback it repeats.")


class NoteOut(Schema):
    """Something changed in an item that was stored (control characters removed, ...)."""

    index: int
    field: str
    message: str


class FeedbackResult(Schema):
    """What happened to each item of the request."""

    received: int = Field(description="Items in the request.")
    created: list[CreatedOut]
    skipped: list[SkippedOut]
    notes: list[NoteOut]
    routed: int = Field(description="Items the channel's routing rules gave a product.")


_ITEM_SCHEMA = FeedbackIn.model_json_schema()
_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        _ITEM_SCHEMA,
                        {"type": "array", "items": _ITEM_SCHEMA, "maxItems": MAX_BULK},
                    ]
                }
            }
        },
    }
}


def _read_json(request: HttpRequest) -> Any:
    """The request's JSON body, within MAX_BODY bytes; errors say what is wrong."""
    body = _read_body(request)
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ApiError(400, "bad_request", f"the body is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ApiError(
            400,
            "bad_request",
            f"the body is not JSON: {error.msg} at line {error.lineno} column {error.colno}",
        ) from None
    except RecursionError:
        raise ApiError(400, "bad_request", "the body is nested too deeply") from None


def _read_body(request: HttpRequest) -> bytes:
    length = request.META.get("CONTENT_LENGTH") or "0"
    too_big = ApiError(
        413,
        "too_large",
        f"the body is over {MAX_BODY // (1024 * 1024)} MiB: send fewer items per request",
    )
    if length.isdigit() and int(length) > MAX_BODY:
        raise too_big
    # Read the stream ourselves (unless something read it already): Django's 2.5 MB limit for
    # form data is not ours to lift.
    body = request.body if hasattr(request, "_body") else request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        raise too_big
    return body


def _items(data: Any) -> tuple[list[Any], bool]:
    if isinstance(data, dict):
        return [data], True
    if isinstance(data, list):
        if not data:
            raise ApiError(422, "invalid_request", "the list is empty: send at least one item")
        if len(data) > MAX_BULK:
            raise ApiError(
                422,
                "invalid_request",
                f"at most {MAX_BULK:,} items per request; this one has {len(data):,}",
            )
        return data, False
    raise ApiError(422, "invalid_request", "send one feedback object, or a list of them")


def _take(actor: Actor, data: Any, channel: FeedbackChannel | None) -> JsonResponse:
    items, single = _items(data)
    try:
        outcome = bulk_give_feedback(actor, items, channel=channel)
    except PermissionDenied as error:
        raise ApiError(403, "forbidden", str(error)) from None
    except FeedbackRejected as error:
        details = [
            {
                "code": "invalid_value",
                "message": f"{_field(p.index, p.field, single)}: {p.message}",
                "field": _field(p.index, p.field, single),
            }
            for p in error.problems
        ]
        raise ApiError(
            422,
            "invalid_request",
            details[0]["message"],
            field=details[0]["field"],
            details=details,
        ) from None
    return JsonResponse(_result(outcome, len(items)), status=201 if outcome.created else 200)


def _field(index: int, name: str, single: bool) -> str:
    if single:
        return name or "body"
    return f"[{index}].{name}" if name else f"[{index}]"


def _result(outcome: BulkOutcome, received: int) -> dict[str, Any]:
    return {
        "received": received,
        "created": [{"index": i, "id": pk} for i, pk in outcome.created],
        "skipped": [
            {"index": s.index, "reason": s.reason, "existing_id": s.existing_id}
            for s in outcome.skipped
        ],
        "notes": [p.as_dict() for p in outcome.notes],
        "routed": outcome.routed,
    }


class GiveParams(Schema):
    """Which channel the feedback came through."""

    channel: int | None = Field(
        None,
        description="A channel id: its routing rules apply and its kind is the default source.",
    )


@router.post(
    "/feedback",
    response={
        201: FeedbackResult,
        200: FeedbackResult,
        409: ErrorResponse,
        413: ErrorResponse,
        **ERRORS_404,
    },
    url_name="feedback-give",
    summary="Give feedback (one item or a list)",
    openapi_extra=_BODY,
)
@strict_query(GiveParams)
def give(request: HttpRequest, params: Query[GiveParams]) -> JsonResponse:
    """Store one feedback item (a JSON object) or many (a JSON array, at most 5,000).

    Anyone signed in may give feedback; a token needs the `write` scope. Items are checked
    first: if any item is invalid, nothing is stored and the error lists every problem with
    its place (`[3].text`). Items whose channel, source and `external_id` are stored already
    are skipped with the reason, so a batch can be re-sent safely after a timeout. The answer
    (201 when anything was stored, else 200) gives each item's fate by its position.
    """
    channel = None
    if params.channel is not None:
        channel = FeedbackChannel.objects.filter(pk=params.channel).first()
        if channel is None:
            raise not_found("channel", params.channel)
        if not channel.is_active:
            raise ApiError(409, "conflict", f"channel `{channel.name}` is not active")
    return _take(actor_for(request), _read_json(request), channel)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The `sha256=<hex>` HMAC of `<timestamp>.<body>` keyed with the channel's secret."""
    digest = hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256
    )
    return "sha256=" + digest.hexdigest()


def _verified_channel(request: HttpRequest, channel_id: int, body: bytes) -> FeedbackChannel:
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    given = request.headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not given:
        raise ApiError(
            401,
            "unauthenticated",
            f"sign the call: {TIMESTAMP_HEADER} (Unix seconds) and {SIGNATURE_HEADER} "
            "(sha256=HMAC-SHA256 of `<timestamp>.<body>` with the channel's inbound secret)",
        )
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > REPLAY_WINDOW:
        raise ApiError(
            401,
            "unauthenticated",
            f"{TIMESTAMP_HEADER} must be the current Unix time (within {REPLAY_WINDOW} s); "
            "check the sender's clock",
        )
    channel = FeedbackChannel.objects.filter(pk=channel_id).first()
    secret = channel.inbound_secret if channel is not None else ""
    # Unknown channel, no secret and a wrong signature look alike: nothing to probe for.
    expected = signature(secret or "-", timestamp, body)
    if channel is None or not secret or not hmac.compare_digest(expected, given.strip()):
        raise ApiError(401, "unauthenticated", "the signature does not match this channel")
    if not channel.is_active:
        raise ApiError(409, "conflict", f"channel `{channel.name}` is not active")
    return channel


@router.post(
    "/channels/{channel_id}/inbound",
    response={
        201: FeedbackResult,
        200: FeedbackResult,
        401: ErrorResponse,
        409: ErrorResponse,
        413: ErrorResponse,
        **ERRORS,
    },
    url_name="channel-inbound",
    summary="Inbound webhook of a channel",
    openapi_extra=_BODY,
)
@strict_query()
def inbound(request: HttpRequest, channel_id: int) -> JsonResponse:
    """What a support desk, form or chat tool calls to hand feedback to a channel.

    No sign-in: the call is signed with the channel's inbound secret (shown when the channel
    is created or its secret rotated). Send `X-Productize-Timestamp: <Unix seconds>` and
    `X-Productize-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; calls
    older or newer than 5 minutes are refused, so a captured call cannot be replayed later,
    and `external_id` makes a retried call store nothing twice. The body and the answer are
    those of `POST /feedback`; the channel's routing rules pick the product.
    """
    body = _read_body(request)
    channel = _verified_channel(request, channel_id, body)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ApiError(400, "bad_request", "the body is not a JSON object or list") from None
    actor = Actor.system(f"inbound webhook of channel {channel.pk}")
    return _take(actor, data, channel)


# --- suggestions -----------------------------------------------------------------------------


class SuggestionOut(Schema):
    """A proposed pattern (a group of unpatterned feedback), or a proposed link to a pattern."""

    id: int
    kind: str = Field(description="`new-pattern` or `link`.")
    status: str = Field(description="`open`, `accepted` or `dismissed`.")
    product: str | None = Field(description="The product it concerns (its id), if one.")
    pattern: int | None = Field(description="The pattern to link to (or that was created).")
    title: str = Field(description="The proposed problem statement (new patterns).")
    terms: list[str] = Field(description="The words the group shares.")
    score: float = Field(description="Confidence (new pattern) or similarity (link), 0-1.")
    member_ids: list[int] = Field(description="The feedback items it proposes to group or link.")
    created_at: str
    decided_at: str | None
    decided_by: str
    reason: str


class SuggestionPage(PageMeta):
    """A page of suggestions, most confident first."""

    items: list[SuggestionOut]


class SuggestionFilters(Schema):
    """Narrowing the suggestion list."""

    product: str = Field("", description="Only this product's suggestions (its id).")
    kind: str = Field("", description="`new-pattern` or `link`.")
    status: str = Field("open", description="`open` (default), `accepted`, `dismissed` or `all`.")


def _suggestion_out(s: Suggestion, slugs: dict[int, str]) -> dict[str, Any]:
    return {
        "id": s.pk,
        "kind": s.kind,
        "status": s.status,
        "product": slugs.get(s.product_id) if s.product_id else None,
        "pattern": s.pattern_id,
        "title": s.proposed_title,
        "terms": list(s.terms or []),
        "score": s.score,
        "member_ids": [int(m) for m in s.member_ids or []],
        "created_at": s.created_at.isoformat(),
        "decided_at": s.decided_at.isoformat() if s.decided_at else None,
        "decided_by": s.decided_by,
        "reason": s.reason,
    }


def _choice(value: str, allowed: list[str], field: str) -> None:
    if value and value not in allowed:
        raise ApiError(
            422,
            "invalid_request",
            f"{field}: expected one of " + ", ".join(f"`{a}`" for a in allowed),
            field=field,
        )


def _product(slug: str) -> Product:
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise not_found("product", slug)
    return product


@router.get(
    "/suggestions",
    response={200: SuggestionPage, **ERRORS_404},
    url_name="suggestions",
    summary="List suggestions",
)
@strict_query(SuggestionFilters, Paging)
def list_suggestions(
    request: HttpRequest, filters: Query[SuggestionFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """A page of suggestions (open ones by default), most confident first."""
    _choice(filters.kind, list(SuggestionKind.values), "kind")
    _choice(filters.status, [*SuggestionStatus.values, "all"], "status")
    rows = Suggestion.objects.all()
    if filters.product:
        rows = rows.filter(product=_product(filters.product))
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.status != "all":
        rows = rows.filter(status=filters.status)
    page = paginate(rows.order_by("-score", "-id"), paging.page_request())
    ids = {s.product_id for s in page.items if s.product_id}
    slugs = dict(Product.objects.filter(id__in=ids).values_list("id", "slug"))
    return {"items": [_suggestion_out(s, slugs) for s in page.items], **page_meta(page)}


class RefreshIn(Schema):
    """Which feedback to look at."""

    product: str = Field(
        "", description="One product's unpatterned feedback; empty: everyone's (admins only)."
    )


class RefreshOut(Schema):
    """What a refresh proposed."""

    items: int = Field(description="Unpatterned feedback items looked at.")
    patterns: int = Field(description="New-pattern suggestions now open.")
    links: int = Field(description="Link suggestions now open.")
    hidden: int = Field(description="Groups or links like dismissed ones, not proposed again.")
    replaced: int = Field(description="Open suggestions the fresh ones replaced.")


def _guard(call: Any) -> Any:
    try:
        return call()
    except PermissionDenied as error:
        raise ApiError(403, "forbidden", str(error)) from None
    except LoopError as error:
        status = 409 if error.code == "conflict" else 422
        code = "conflict" if status == 409 else "invalid_request"
        raise ApiError(status, code, error.message, field=error.field) from None


@router.post(
    "/suggestions/refresh",
    response={200: RefreshOut, 403: ErrorResponse, **ERRORS_404},
    url_name="suggestions-refresh",
    summary="Refresh suggestions",
)
@strict_query()
def refresh(request: HttpRequest, payload: RefreshIn) -> dict[str, Any]:
    """Group a product's unpatterned feedback into proposed patterns, and propose links of it
    to the product's existing patterns; the open suggestions are replaced, dismissed groups
    are not proposed again. For the product's owners (everyone's feedback: admins).
    """
    product = _product(payload.product) if payload.product else None
    done = _guard(lambda: refresh_suggestions(actor_for(request), product=product))
    return {
        "items": done.items,
        "patterns": done.patterns,
        "links": done.links,
        "hidden": done.hidden,
        "replaced": done.replaced,
    }


class AcceptIn(Schema):
    """Accept as proposed, or edited."""

    title: str | None = Field(None, description="Another problem statement (new patterns).")
    member_ids: list[int] | None = Field(
        None, description="The feedback to link instead of the proposed members."
    )


class AcceptOut(Schema):
    """The pattern the feedback now belongs to."""

    suggestion: int
    pattern: int
    title: str


class DismissIn(Schema):
    """Why it does not fit."""

    reason: str = Field("", description="Kept with the suggestion, for whoever wonders later.")


def _suggestion(suggestion_id: int) -> Suggestion:
    found = Suggestion.objects.select_related("product", "pattern").filter(pk=suggestion_id).first()
    if found is None:
        raise not_found("suggestion", suggestion_id)
    return found


@router.post(
    "/suggestions/{suggestion_id}/accept",
    response={200: AcceptOut, 403: ErrorResponse, 409: ErrorResponse, **ERRORS_404},
    url_name="suggestion-accept",
    summary="Accept a suggestion (optionally edited)",
)
@strict_query()
def accept(request: HttpRequest, suggestion_id: int, payload: AcceptIn) -> dict[str, Any]:
    """Create the proposed pattern and link its feedback (or link the item to the proposed
    pattern). Give `title` or `member_ids` to accept it edited. For the product's owners.
    """
    suggestion = _suggestion(suggestion_id)
    pattern = _guard(
        lambda: accept_suggestion(
            actor_for(request), suggestion, title=payload.title, member_ids=payload.member_ids
        )
    )
    return {"suggestion": suggestion.pk, "pattern": pattern.pk, "title": pattern.title}


@router.post(
    "/suggestions/{suggestion_id}/dismiss",
    response={200: SuggestionOut, 403: ErrorResponse, 409: ErrorResponse, **ERRORS_404},
    url_name="suggestion-dismiss",
    summary="Dismiss a suggestion",
)
@strict_query()
def dismiss(request: HttpRequest, suggestion_id: int, payload: DismissIn) -> dict[str, Any]:
    """Dismiss it; the same group (or link) is remembered and not proposed again."""
    suggestion = _suggestion(suggestion_id)
    _guard(lambda: dismiss_suggestion(actor_for(request), suggestion, reason=payload.reason))
    slugs: dict[int, str] = {}
    if suggestion.product is not None:
        slugs[suggestion.product.pk] = suggestion.product.slug
    return _suggestion_out(suggestion, slugs)
