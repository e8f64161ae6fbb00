"""Small helpers shared by the page views: URLs that keep the current query, page links."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from productize.catalog.selectors import Page, PageRequest

Params = Sequence[tuple[str, str]]


def with_query(path: str, params: Iterable[tuple[str, str]]) -> str:
    """`path` with the given query parameters (none: just the path)."""
    query = urlencode(list(params))
    return f"{path}?{query}" if query else path


@dataclass(frozen=True, slots=True)
class PageLink:
    """One entry of a pagination bar: a page number (with its URL) or a gap."""

    number: int | None
    url: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class Pagination:
    """What a pagination bar shows: previous/next and a window of page numbers."""

    previous: str | None
    next: str | None
    links: list[PageLink]


def pagination(page: Page[Any], path: str, params: Params, *, window: int = 2) -> Pagination:
    """Links to the pages around the current one (and the first and last)."""
    kept = [(k, v) for k, v in params if k != "page"]

    def url(number: int) -> str:
        return with_query(path, [*kept, ("page", str(number))] if number > 1 else kept)

    numbers: list[int] = []
    if page.pages:
        around = range(max(1, page.page - window), min(page.pages, page.page + window) + 1)
        numbers = sorted({1, page.pages, *around})
    links: list[PageLink] = []
    previous_number = 0
    for number in numbers:
        if number - previous_number > 1:
            links.append(PageLink(None, ""))
        links.append(PageLink(number, url(number), number == page.page))
        previous_number = number
    return Pagination(
        previous=url(page.page - 1) if page.has_previous and page.page <= page.pages else None,
        next=url(page.page + 1) if page.has_next else None,
        links=links,
    )


def page_request(request: HttpRequest, *, size: int = 0) -> PageRequest:
    """The page asked for in the URL; a bad number means page 1 (web pages are forgiving)."""
    return PageRequest.lenient(request.GET.get("page"), size or None)
