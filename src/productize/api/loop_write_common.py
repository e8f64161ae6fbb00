"""What the loop's write endpoints share: error mapping, lookups, common bodies."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from ninja import Field, Schema

from productize.api.errors import ERRORS_404, ApiError, ErrorResponse, not_found
from productize.catalog.models import Product
from productize.loop import services

T = TypeVar("T")
WRITE_ERRORS: dict[int, type[Schema]] = {403: ErrorResponse, 409: ErrorResponse, **ERRORS_404}


def guard(call: Callable[[], T]) -> T:
    """Run a service; turn its refusals into the API's error shape."""
    try:
        return call()
    except PermissionDenied as error:
        raise ApiError(403, "forbidden", str(error)) from None
    except services.StatusMoveError as error:
        detail = {"code": "status_move", "message": error.message, "field": "status"}
        raise ApiError(409, "conflict", error.message, field="status", details=[detail]) from None
    except services.LoopError as error:
        status = 409 if error.code == "conflict" else 422
        code = "conflict" if status == 409 else "invalid_request"
        raise ApiError(status, code, error.message, field=error.field) from None


def get_or_404(model: type[Any], pk: int, what: str) -> Any:
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise not_found(what, pk)
    return row


def product_or_422(slug: str | None, field: str = "product") -> Product | None:
    if not slug:
        return None
    product = Product.objects.filter(slug=slug).first()
    if product is None:
        raise ApiError(422, "invalid_request", f"{field}: no product with id `{slug}`", field=field)
    return product


def sent_fields(payload: Schema) -> dict[str, Any]:
    """The fields the client sent (left-out fields stay as they are)."""
    return payload.model_dump(exclude_unset=True)


class Reason(Schema):
    """Why (kept in the audit log)."""

    reason: str = Field("", max_length=2000, description="Why, for the audit log.")


class Done(Schema):
    """Nothing more to say."""

    ok: bool = True


class MoveIn(Schema):
    """A status move."""

    status: str = Field(description="The status to move to (see `allowed_moves`).")
    reason: str = Field("", max_length=2000, description="Required to close or reopen.")
