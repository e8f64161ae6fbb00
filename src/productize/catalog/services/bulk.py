"""Fast multi-row INSERT for the services' bulk paths.

Django's `bulk_create` compiles SQL per batch and, on SQLite, is limited to 999 parameters per
statement (about 40 product rows). For ingest-sized writes that compilation dominates, so the
services insert with one prepared statement and the driver's `executemany` instead: one SQL
text, rows as tuples. Values are converted with each field's own `get_db_prep_save`, so JSON
and timestamps are stored exactly as the ORM would store them. Callers provide every column
that has no database default (auto_now fields included).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import islice
from typing import Any

from django.db import connections, models, router

BATCH = 2000


class RawJSON(str):
    """JSON text that is already serialised: stored as it is, not encoded a second time."""

    __slots__ = ()


def _converter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any] | None:
    if isinstance(field, models.JSONField):
        # What JSONField.get_db_prep_save does for plain values, minus its per-call layers.
        adapt = connection.ops.adapt_json_value
        encoder = field.encoder

        def json_value(value: Any) -> Any:
            if value is None or isinstance(value, RawJSON):
                # SQLite stores the text; PostgreSQL's COPY parses it into jsonb.
                return None if value is None else str(value)
            if not value and value.__class__ in (list, dict):
                return "[]" if value.__class__ is list else "{}"  # most optional fields
            return adapt(value, encoder)

        return json_value
    if isinstance(field, models.DateTimeField | models.DateField):
        prepare = partial(field.get_db_prep_save, connection=connection)
        last: list[Any] = [object(), None]  # (value, prepared): rows of a batch share a stamp

        def date_value(value: Any) -> Any:
            if value is not last[0]:
                last[0], last[1] = value, prepare(value)
            return last[1]

        return date_value
    return None


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """INSERT `rows` (tuples in the order of `fields`) into `model`'s table; return the count.

    Foreign keys are given by field name (`source`) with the target's id as the value.
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    quote = connection.ops.quote_name
    columns: list[str] = []
    converters: list[Callable[[Any], Any] | None] = []
    for name in fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        columns.append(quote(field.column))
        converters.append(_converter(field, connection))
    # Only quoted identifiers from the model's own metadata go into the text; values are
    # always parameters.
    table = quote(meta.db_table)
    column_list = ", ".join(columns)
    insert = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
    copy_sql = f"COPY {table} ({column_list}) FROM STDIN"
    convert = [(i, c) for i, c in enumerate(converters) if c is not None]
    total = 0
    iterator = iter(rows)
    with connection.cursor() as cursor:
        while batch := list(islice(iterator, BATCH)):
            prepared: Sequence[Sequence[Any]] = batch
            if convert:
                converted: list[list[Any]] = []
                for row in batch:
                    values = list(row)
                    for i, conv in convert:
                        values[i] = conv(values[i])
                    converted.append(values)
                prepared = converted
            if connection.vendor == "postgresql":
                # COPY streams the rows in one command: no per-row round trip, and no query
                # text with tens of thousands of placeholders to parse.
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in prepared:
                        copy.write_row(row)
            else:
                # SQLite runs in-process: one prepared statement executed for every row.
                cursor.executemany(insert, prepared)
            total += len(batch)
    return total
