"""Product search index: SQLite FTS5 table + triggers, or a PostgreSQL tsvector column + GIN.

Nothing here changes Django's model state: the index lives beside the `catalog_product` table
and is maintained by the database itself. See `productize.catalog.search` for the design.
"""

from django.db import migrations


def create(apps, schema_editor):
    from productize.catalog.search import ensure_search_index

    ensure_search_index(schema_editor.connection)


def drop(apps, schema_editor):
    from productize.catalog.search import drop_search_index

    drop_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
