"""Server-side paging shared by every list: one page of items plus where it sits in the whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page to show and how many items per page (both already validated)."""

    page: int = 1
    page_size: int = 0

    @property
    def size(self) -> int:
        """The page size, falling back to settings.PAGE_SIZE and capped at MAX_PAGE_SIZE."""
        size = self.page_size or settings.PAGE_SIZE
        return max(1, min(size, settings.MAX_PAGE_SIZE))

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (max(self.page, 1) - 1) * self.size

    @classmethod
    def lenient(cls, page: object, page_size: object = None) -> PageRequest:
        """Read page numbers from a URL for a web page, where a bad value means page 1."""
        return cls(page=_positive(page, 1), page_size=_positive(page_size, 0))


def _positive(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a longer list; `pages` is 0 when the list is empty."""

    items: Sequence[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the whole list has."""
        return (self.total + self.page_size - 1) // self.page_size

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.page > 1 and self.total > 0

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.page < self.pages

    @property
    def start(self) -> int:
        """The 1-based position of the first item shown (0 when none are)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def end(self) -> int:
        """The 1-based position of the last item shown (0 when none are)."""
        return self.start + len(self.items) - 1 if self.items else 0


def page_total(counted: QuerySet[Any], request: PageRequest, shown: int) -> int:
    """The length of the whole list, without a COUNT(*) when a short first page is all of it."""
    if request.page <= 1 and shown < request.size:
        return shown
    return counted.count()


def paginate(
    ordered: QuerySet[M], request: PageRequest, *, counted: QuerySet[Any] | None = None
) -> Page[M]:
    """Slice one page out of an ordered queryset; `counted` is a cheaper queryset to count."""
    items = list(ordered[request.offset : request.offset + request.size])
    total = page_total(ordered if counted is None else counted, request, len(items))
    return Page(items=items, total=total, page=max(request.page, 1), page_size=request.size)
