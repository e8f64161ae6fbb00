"""The one error shape of the API, and the handlers that turn every failure into it.

    {"error": {"code": "not_found", "message": "...", "field": null, "details": []}}

`code` is stable and machine-readable; `message` is for people; `field` names the parameter
at fault (when one is); `details` lists every problem when there are several.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

logger = logging.getLogger("productize.api")

CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
}


class ErrorDetail(Schema):
    """One problem with a request."""

    code: str = Field(description="Machine-readable kind of problem, e.g. `invalid_value`.")
    message: str = Field(description="What is wrong and, where possible, how to fix it.")
    field: str | None = Field(None, description="The parameter at fault, if any.")


class ErrorBody(Schema):
    """What went wrong."""

    code: str = Field(
        description="Stable, machine-readable: `not_found`, `invalid_request`, "
        "`unknown_parameter`, `unauthenticated`, `forbidden`, `method_not_allowed`, "
        "`conflict`, `internal_error`, ..."
    )
    message: str = Field(description="A sentence for people.")
    field: str | None = Field(None, description="The parameter at fault, if one is.")
    details: list[ErrorDetail] = Field(
        default_factory=list, description="Every problem, when a request has several."
    )


class ErrorResponse(Schema):
    """Every error the API returns has this shape."""

    error: ErrorBody


class ApiError(Exception):
    """An error to answer with: status, code, message, and optionally the field at fault."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        details: Iterable[dict[str, Any]] = (),
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = list(details)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    details: Iterable[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """A JSON response in the API's error shape."""
    body = {"error": {"code": code, "message": message, "field": field, "details": list(details)}}
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found(what: str, key: object) -> ApiError:
    """The error for an id that names nothing."""
    return ApiError(404, "not_found", f"no {what} with id `{key}`")


def unknown_parameter(name: str, allowed: Iterable[str]) -> dict[str, Any]:
    """The detail for a query parameter the endpoint does not take, with a suggestion."""
    known = sorted(allowed)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        hint = f"did you mean `{close[0]}`?"
    elif known:
        hint = "this endpoint takes " + ", ".join(f"`{k}`" for k in known)
    else:
        hint = "this endpoint takes no query parameters"
    return {
        "code": "unknown_parameter",
        "message": f"unknown query parameter `{name}`: {hint}",
        "field": name,
    }


WRAPPERS = frozenset({"filters", "paging", "params", "payload"})


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        location = list(error.get("loc", ()))
        # Drop where it came from ("query", "path", "body"), the view's parameter-group names
        # and list positions: what a client sent is `?stage=...`, so the field is `stage`.
        parts = [str(p) for p in location[1:] if not isinstance(p, int) and p not in WRAPPERS] or [
            str(p) for p in location
        ]
        field = ".".join(parts) if parts else None
        message = str(error.get("msg", "invalid value"))
        details.append(
            {
                "code": "invalid_value",
                "message": f"{field}: {message}" if field else message,
                "field": field,
            }
        )
    return details


def install_handlers(api: NinjaAPI) -> None:
    """Answer every exception raised inside the API in the one error shape."""

    def api_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(
            exc.status, exc.code, exc.message, field=exc.field, details=exc.details
        )

    def validation_error(request: HttpRequest, exc: Any) -> HttpResponse:
        details = _validation_details(list(exc.errors))
        first = details[0] if details else {"message": "invalid request", "field": None}
        return error_response(
            422,
            "invalid_request",
            str(first["message"]),
            field=first["field"],
            details=details,
        )

    def http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        code = CODES_BY_STATUS.get(exc.status_code, "error")
        return error_response(exc.status_code, code, str(exc) or code.replace("_", " "))

    def missing(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(404, "not_found", "nothing here: check the id in the path")

    def crashed(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API request %s %s failed", request.method, request.path)
        return error_response(
            500, "internal_error", "something went wrong on our side; it has been logged"
        )

    api.add_exception_handler(Exception, crashed)
    api.add_exception_handler(Http404, missing)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(AuthenticationError, http_error)
    api.add_exception_handler(AuthorizationError, http_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(ApiError, api_error)


# The responses every endpoint documents besides its success.
ERRORS: dict[int, type[Schema]] = {422: ErrorResponse, 500: ErrorResponse}
ERRORS_404: dict[int, type[Schema]] = {404: ErrorResponse, **ERRORS}
