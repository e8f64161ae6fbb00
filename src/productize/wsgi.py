"""WSGI entry point (used by `productize serve`)."""

import os
from typing import Any

from django.core.wsgi import get_wsgi_application
from django.db.backends.signals import connection_created

from productize import serving_gc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")

# A server holds one SQLite connection per request thread in every worker, and a request
# reads a few pages (the catalog's counts come from `catalog_index`, built once per version):
# a small page cache and no memory map each. The settings' larger cache and 256 MiB map are
# for the ingest, a process of its own that writes much; per serving connection they added
# up to ~900 MiB a worker at 100,000 products. Recent pages stay in the OS page cache anyway.
SERVING_SQLITE_PRAGMAS = ("PRAGMA cache_size=-16000", "PRAGMA mmap_size=0")


def _serving_pragmas(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for pragma in SERVING_SQLITE_PRAGMAS:
                cursor.execute(pragma)


connection_created.connect(_serving_pragmas, dispatch_uid="productize-serving-pragmas")

application = serving_gc.install(get_wsgi_application())
