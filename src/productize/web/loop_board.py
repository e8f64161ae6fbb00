"""The roadmap board of a product: columns of cards with priority and the moves each can make.

Priorities come from the loop app's `selectors.roadmap`, so the board and the API agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from productize.catalog.models import Product
from productize.domain.loop.priority import Priority
from productize.loop import selectors
from productize.loop.models import (
    Improvement,
    RoadmapEntry,
)
from productize.web.loop_rows import (
    COLUMNS,
    ENDED_IMPROVEMENTS,
    MAX_IMPROVEMENTS,
    ImprovementRow,
    improvement_rows,
    improvement_url,
    status_label,
)

# --- the roadmap board ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CardAction:
    """A move button on a roadmap card."""

    to: str
    icon: str
    label: str
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class BoardCard:
    """A roadmap entry on the board, with its priority and the moves it can make."""

    entry_id: int
    improvement_id: int
    title: str
    status: str
    status_label: str
    rationale: str
    priority: Priority
    actions: list[CardAction]

    @property
    def url(self) -> str:
        """The improvement page."""
        return improvement_url(self.improvement_id)


@dataclass(frozen=True, slots=True)
class BoardColumn:
    """One column of the board."""

    key: str
    label: str
    hint: str
    cards: list[BoardCard]


def _actions(index: int, size: int, column: int) -> list[CardAction]:
    keys = [key for key, _, _ in COLUMNS]
    labels = {key: label for key, label, _ in COLUMNS}
    actions = [
        CardAction("up", "↑", "Move up", disabled=index == 0),
        CardAction("down", "↓", "Move down", disabled=index == size - 1),
    ]
    if column > 0:
        before = labels[keys[column - 1]]
        actions.insert(0, CardAction(keys[column - 1], f"← {before}", f"Move to {before}"))
    if column < len(keys) - 1:
        after = labels[keys[column + 1]]
        actions.append(CardAction(keys[column + 1], f"{after} →", f"Move to {after}"))
    return actions


def roadmap_board(product: Product) -> list[BoardColumn]:
    """The product's board from the loop's roadmap selector (the API's numbers), as columns."""
    placed = selectors.roadmap(product)
    board = []
    for number, (key, label, hint) in enumerate(COLUMNS):
        items = placed.get(key, [])
        cards = [
            BoardCard(
                entry_id=item.entry.pk,
                improvement_id=item.improvement.pk,
                title=item.improvement.title,
                status=item.improvement.status,
                status_label=status_label(item.improvement.status),
                rationale=item.entry.rationale,
                priority=item.priority,
                actions=_actions(index, len(items), number),
            )
            for index, item in enumerate(items)
        ]
        board.append(BoardColumn(key, label, hint, cards))
    return board


def move_target(entry: RoadmapEntry, to: str) -> tuple[str, int | None] | None:
    """(column, position) for a move named `up`, `down` or a column key (None: its end);
    None when the move is not possible."""
    keys = {key for key, _, _ in COLUMNS}
    siblings = list(
        RoadmapEntry.objects.filter(product_id=entry.product_id, column=entry.column)
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    index = siblings.index(entry.pk) if entry.pk in siblings else 0
    if to == "up":
        return (entry.column, index - 1) if index > 0 else None
    if to == "down":
        return (entry.column, index + 1) if index < len(siblings) - 1 else None
    if to in keys and to != entry.column:
        return to, None
    return None


def unplaced_improvements(product: Product) -> list[ImprovementRow]:
    """The product's improvements that are not on its roadmap and have not ended."""
    placed = RoadmapEntry.objects.filter(product=product, improvement=OuterRef("pk"))
    found = (
        Improvement.objects.filter(products=product)
        .exclude(status__in=ENDED_IMPROVEMENTS)
        .exclude(Exists(placed))
        .order_by("title", "id")[:MAX_IMPROVEMENTS]
    )
    return improvement_rows(found)


def improvement_of_product(product: Product, value: object) -> Improvement | None:
    """One of the product's improvements, by the id given in a form (None if it is not)."""
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        return None
    return Improvement.objects.filter(products=product, pk=pk).first()
