"""Model instances from hand-written SQL, converted exactly as the ORM converts them.

Compiling a queryset costs the ORM a few hundred microseconds of CPU — more than running the
query — so a page that reads one product in eight queries spends most of its time building
SQL. Selectors on such hot paths write the SQL once and use these helpers to turn each row
into a model instance with the same Python values the ORM would give (JSON decoded, aware
datetimes on SQLite, booleans), by applying the backend's and the field's own converters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)
Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def select_list(model: type[Model], names: Sequence[str], alias: str, using: str) -> str:
    """`"alias"."column", ...` for these fields of the model (quoted for the database)."""
    quote = connections[using].ops.quote_name
    return ", ".join(f"{quote(alias)}.{quote(_column(model, name))}" for name in names)


def _column(model: type[Model], name: str) -> str:
    column = _field(model, name).column
    assert column is not None  # a concrete field has a column
    return column


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # concrete fields only: no reverse relations
    return field


@cache
def _converters(
    model: type[Model], names: tuple[str, ...], using: str
) -> tuple[tuple[int, Any, tuple[Converter, ...]], ...]:
    """(position, column expression, converters) of the fields whose values need converting."""
    connection = connections[using]
    found = []
    for position, name in enumerate(names):
        field = _field(model, name)
        column = field.get_col(model._meta.db_table)
        functions = tuple(
            connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        )
        if functions:
            found.append((position, column, functions))
    return tuple(found)


def converted(
    model: type[Model], names: tuple[str, ...], row: Sequence[Any], using: str
) -> list[Any]:
    """The row's values as the ORM would return them for these fields."""
    values = list(row)
    connection = connections[using]
    for position, column, functions in _converters(model, names, using):
        value = values[position]
        for function in functions:
            value = function(value, column, connection)
        values[position] = value
    return values


def concrete_names(model: type[Model], *, without: Sequence[str] = ()) -> tuple[str, ...]:
    """The model's concrete field names in declaration order (the order `from_db` expects)."""
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in without)


def instance(model: type[M], names: tuple[str, ...], row: Sequence[Any], using: str) -> M:
    """A model instance from a row of these fields (the others deferred), as the ORM builds it.

    `names` must follow the model's field order (see `concrete_names`): `from_db` matches the
    values to the fields by position.
    """
    return model.from_db(using, _attnames(model, names), converted(model, names, row, using))


@cache
def _attnames(model: type[Model], names: tuple[str, ...]) -> list[str]:
    order = [f.name for f in model._meta.concrete_fields]
    positions = [order.index(name) for name in names]
    if positions != sorted(positions):
        raise ValueError(f"{model.__name__} fields out of declaration order: {names}")
    return [_field(model, name).attname for name in names]


def fetch_together(using: str, statements: list[tuple[str, list[Any]]]) -> list[list[Any]]:
    """The rows of each statement, in order, read on one cursor.

    (Sending them to PostgreSQL in one round trip, psycopg's pipeline mode, was tried for the
    product page: no faster there, the time goes in planning and running the statements.)
    """
    results = []
    with connections[using].cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            results.append(cursor.fetchall())
    return results
