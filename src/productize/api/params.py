"""Query parameters: paging shared by every list, and refusing parameters an endpoint lacks.

A misspelt filter (`?stgae=growing`) that is silently ignored returns the whole catalog and
looks like an answer; so every endpoint names the parameters it takes and refuses the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Schema

from productize.api.errors import ApiError, unknown_parameter
from productize.catalog.selectors import PageRequest

F = TypeVar("F", bound=Callable[..., Any])


class Paging(Schema):
    """Which page of a list to return."""

    page: int = Field(1, ge=1, description="Page number, from 1. Past the last page: no items.")
    page_size: int | None = Field(
        None,
        ge=1,
        description="Items per page; the server's default (PRODUCTIZE_PAGE_SIZE, 25) when "
        "left out, at most PRODUCTIZE_MAX_PAGE_SIZE (200).",
    )

    def page_request(self) -> PageRequest:
        """The validated page request; a page size above the maximum is an error."""
        if self.page_size is not None and self.page_size > settings.MAX_PAGE_SIZE:
            raise ApiError(
                422,
                "invalid_request",
                f"page_size: at most {settings.MAX_PAGE_SIZE} items per page",
                field="page_size",
                details=[
                    {
                        "code": "invalid_value",
                        "message": f"page_size: at most {settings.MAX_PAGE_SIZE}",
                        "field": "page_size",
                    }
                ],
            )
        return PageRequest(page=self.page, page_size=self.page_size or 0)


def _names(schema: type[Schema]) -> set[str]:
    names = set()
    for name, field in schema.model_fields.items():
        names.add(field.alias or name)
    return names


def strict_query(*schemas: type[Schema]) -> Callable[[F], F]:
    """Refuse (422) any query parameter that none of `schemas` declares."""
    allowed: set[str] = set()
    for schema in schemas:
        allowed |= _names(schema)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            unknown = [name for name in request.GET if name not in allowed]
            if unknown:
                details = [unknown_parameter(name, allowed) for name in unknown]
                raise ApiError(
                    422,
                    "unknown_parameter",
                    details[0]["message"],
                    field=details[0]["field"],
                    details=details,
                )
            return view(request, *args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate
