"""Product search: partial words across name, tags, mission and scope, ranked, on both databases.

What is indexed is the product's name, its tags, its mission and `Product.search_text` (the
lower-cased id, name, mission, scope, tags and audience that the services maintain), each as
its own column so that a match in the name outranks one in a tag, which outranks one in the
mission, which outranks one that only the rest of the text (scope, audience) holds.

- SQLite: an FTS5 external-content table `catalog_product_fts` over `catalog_product`, kept in
  step by triggers; every query word is a prefix query (`"pay"*`); ranked by `bm25()` with
  column weights.
- PostgreSQL: a `search_vector tsvector` column on `catalog_product` (invisible to Django),
  kept in step by a trigger, with the four parts weighted A/B/C/D and a GIN index; every query
  word is a prefix query (`pay:*`); ranked by `ts_rank()` with matching weights.

Both use the `simple` tokenisation (no stemming): a stemmer cuts partial words unpredictably
("organisa" would stop matching "organisation" although "organis" and "organisation" match),
which is worse while someone is still typing. A light plural rule covers the common case
instead: "payments" searches for "payment*". The column and the triggers are created by the
catalog migration `0002_product_search` (and re-created by `ensure_search_index` should a later
migration rebuild the table and drop them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet

from productize.catalog.models import Product

MAX_TERMS = 8
MAX_TERM_LENGTH = 64
# Name, tags, mission, the rest: the order of the FTS5 columns and of the tsvector weights A-D.
SQLITE_WEIGHTS = (10.0, 5.0, 2.0, 1.0)
POSTGRES_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # ts_rank wants them as D, C, B, A

FTS_TABLE = "catalog_product_fts"
SQLITE_TRIGGERS = (
    "catalog_product_fts_insert",
    "catalog_product_fts_delete",
    "catalog_product_fts_update",
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


MIN_TERM_LENGTH = 2


@dataclass(frozen=True, slots=True)
class SearchQuery:
    """A user's search text reduced to the word prefixes every match must contain.

    A search is *active* when any text was given; it matches nothing when that text held no
    usable word (single letters are dropped: as prefixes they would match nearly everything
    and cost a scan of the whole index).
    """

    text: str
    terms: tuple[str, ...]

    @property
    def active(self) -> bool:
        """True when the user asked for a search at all."""
        return bool(self.text)


def _singular(word: str) -> str:
    """Cut a plural ending so that the prefix also matches the singular ("boxes" -> "box")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3]
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def parse_query(text: str) -> SearchQuery:
    """Split search text into at most MAX_TERMS distinct lower-case word prefixes."""
    terms: list[str] = []
    for match in _WORD.finditer(text.lower()):
        word = _singular(match.group(0)[:MAX_TERM_LENGTH])
        if len(word) >= MIN_TERM_LENGTH and word not in terms:
            terms.append(word)
        if len(terms) == MAX_TERMS:
            break
    return SearchQuery(text=text.strip(), terms=tuple(terms))


def _fts5_match(query: SearchQuery) -> str:
    # Each term is made of word characters only, and is quoted, so FTS5 syntax cannot leak in.
    return " ".join(f'"{term}"*' for term in query.terms)


def _tsquery(query: SearchQuery) -> str:
    # Terms are word characters only; quoting keeps to_tsquery from reading them as operators.
    return " & ".join(f"'{term}':*" for term in query.terms)


def _vendor(queryset: QuerySet[Product]) -> str:
    from django.db import connections

    return connections[queryset.db].vendor


def matching_ids_sql(query: SearchQuery, vendor: str) -> tuple[str, list[str]]:
    """A self-contained `SELECT` of the ids of the products that match, and its parameters."""
    if vendor == "postgresql":
        sql = "SELECT id FROM catalog_product WHERE search_vector @@ to_tsquery('simple', %s)"
        return sql, [_tsquery(query)]
    sql = "SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s"
    return sql, [_fts5_match(query)]


def filter_matching(queryset: QuerySet[Product], query: SearchQuery) -> QuerySet[Product]:
    """Narrow a product queryset to the products that match the search."""
    from django.db.models.expressions import RawSQL

    sql, params = matching_ids_sql(query, _vendor(queryset))
    return queryset.filter(id__in=RawSQL(sql, params))  # noqa: S611 (parameters are bound)


def count_matching(query: SearchQuery, vendor: str) -> int:
    """How many products match the search alone (straight from the index)."""
    from django.db import connections

    sql, params = matching_ids_sql(query, vendor)
    with connections[Product.objects.db].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) matched", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def all_ranked_ids(query: SearchQuery) -> list[int]:
    """Ids of every product that matches, best match first (ties by id), in one statement.

    The catalog index (`catalog.selectors.catalog_index`) keeps this list per search text and
    applies filters, counts and pages to it, so the ranking is computed once per text.
    """
    from django.db import connections

    connection = connections[Product.objects.db]
    if not query.terms:
        return []
    if connection.vendor == "postgresql":
        sql = (
            "SELECT p.id FROM catalog_product p, to_tsquery('simple', %s) q "
            "WHERE p.search_vector @@ q "
            "ORDER BY ts_rank(CAST(%s AS real[]), p.search_vector, q) DESC, p.id"
        )
        params: list[Any] = [_tsquery(query), POSTGRES_WEIGHTS]
    else:
        sql = (
            "SELECT rowid FROM catalog_product_fts WHERE catalog_product_fts MATCH %s "
            "ORDER BY bm25(catalog_product_fts, %s, %s, %s, %s), rowid"
        )
        params = [_fts5_match(query), *SQLITE_WEIGHTS]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


# --- the index itself: created by the migration, repaired by `ensure_search_index` ---------

# Plain literals (no formatting) so that what runs is exactly what is read here.
SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS catalog_product_fts USING fts5(
        name, tags, mission, search_text,
        content='catalog_product', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3'
    )""",
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_insert AFTER INSERT ON catalog_product
    BEGIN
        INSERT INTO catalog_product_fts(rowid, name, tags, mission, search_text)
        VALUES (new.id, new.name, new.tags, new.mission, new.search_text);
    END""",
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_delete AFTER DELETE ON catalog_product
    BEGIN
        INSERT INTO catalog_product_fts(
            catalog_product_fts, rowid, name, tags, mission, search_text
        ) VALUES ('delete', old.id, old.name, old.tags, old.mission, old.search_text);
    END""",
    # Only when an indexed column is written: updates of stage or loop leave the index alone.
    """CREATE TRIGGER IF NOT EXISTS catalog_product_fts_update
    AFTER UPDATE OF name, tags, mission, search_text ON catalog_product
    BEGIN
        INSERT INTO catalog_product_fts(
            catalog_product_fts, rowid, name, tags, mission, search_text
        ) VALUES ('delete', old.id, old.name, old.tags, old.mission, old.search_text);
        INSERT INTO catalog_product_fts(rowid, name, tags, mission, search_text)
        VALUES (new.id, new.name, new.tags, new.mission, new.search_text);
    END""",
]
SQLITE_REBUILD = "INSERT INTO catalog_product_fts(catalog_product_fts) VALUES ('rebuild')"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS catalog_product_fts_insert",
    "DROP TRIGGER IF EXISTS catalog_product_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_product_fts_update",
    "DROP TABLE IF EXISTS catalog_product_fts",
]

POSTGRES_CREATE = [
    "ALTER TABLE catalog_product ADD COLUMN IF NOT EXISTS search_vector tsvector",
    """CREATE OR REPLACE FUNCTION catalog_product_search_vector() RETURNS trigger AS $$
    BEGIN
        NEW.search_vector :=
            setweight(to_tsvector('simple', coalesce(NEW.name, '')), 'A')
            || setweight(jsonb_to_tsvector('simple', coalesce(NEW.tags, '[]'), '["string"]'), 'B')
            || setweight(to_tsvector('simple', coalesce(NEW.mission, '')), 'C')
            || setweight(to_tsvector('simple', coalesce(NEW.search_text, '')), 'D');
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS catalog_product_search_vector ON catalog_product",
    """CREATE TRIGGER catalog_product_search_vector
    BEFORE INSERT OR UPDATE OF name, tags, mission, search_text ON catalog_product
    FOR EACH ROW EXECUTE FUNCTION catalog_product_search_vector()""",
    # Fill existing rows: the trigger computes the vector on any update of an indexed column.
    "UPDATE catalog_product SET name = name",
    """CREATE INDEX IF NOT EXISTS catalog_product_search_vector_gin
    ON catalog_product USING gin (search_vector)""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS catalog_product_search_vector ON catalog_product",
    "DROP FUNCTION IF EXISTS catalog_product_search_vector()",
    "DROP INDEX IF EXISTS catalog_product_search_vector_gin",
    "ALTER TABLE catalog_product DROP COLUMN IF EXISTS search_vector",
]


def search_index_present(connection: BaseDatabaseWrapper) -> bool:
    """Whether the search index and everything that keeps it current exist on this database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'catalog_product_search_vector'"
            )
            return bool(cursor.fetchone()[0])
        if connection.vendor != "sqlite":
            return True
        names = [FTS_TABLE, *SQLITE_TRIGGERS]
        placeholders = ", ".join(["%s"] * len(names))
        cursor.execute(
            f"SELECT count(*) FROM sqlite_master WHERE name IN ({placeholders})",  # noqa: S608
            names,
        )
        return int(cursor.fetchone()[0]) == len(names)


def ensure_search_index(connection: BaseDatabaseWrapper) -> bool:
    """Create the search index and its triggers where missing, and refill it; True if it did.

    SQLite rebuilds a table (dropping its triggers) for many schema changes, so this runs after
    every `migrate` as well as in the migration that introduced it.
    """
    if connection.vendor not in {"sqlite", "postgresql"} or search_index_present(connection):
        return False
    statements = POSTGRES_CREATE if connection.vendor == "postgresql" else SQLITE_CREATE
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        if connection.vendor == "sqlite":
            cursor.execute(SQLITE_REBUILD)
    return True


def drop_search_index(connection: BaseDatabaseWrapper) -> None:
    """Remove the search index (the migration's reverse)."""
    statements = POSTGRES_DROP if connection.vendor == "postgresql" else SQLITE_DROP
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
