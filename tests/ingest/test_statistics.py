"""After a large change, ingest refreshes PostgreSQL's planner statistics (ANALYZE)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from productize.catalog.services import SyncResult
from productize.ingest import runner
from productize.ingest.runner import ingest_path, refresh_statistics
from tests.conftest import DEMO_ORG

pytestmark = pytest.mark.django_db


def _analyzes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_large_ingest_analyzes_the_catalog_tables_on_postgresql(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(runner, "ANALYZE_AFTER", 10)  # the demo organisation counts as large
    with CaptureQueriesContext(connection) as queries:
        ingest_path(location=DEMO_ORG)
    analyzes = _analyzes(queries)
    if connection.vendor == "postgresql":
        assert len(analyzes) == 1
        assert '"catalog_product"' in analyzes[0] and '"audit_changerecord"' in analyzes[0]
    else:  # SQLite plans without collected statistics; nothing to refresh
        assert analyzes == []


def test_a_small_change_does_not_analyze() -> None:
    small = SyncResult(created=3, updated=2, removed=1)
    with CaptureQueriesContext(connection) as queries:
        assert refresh_statistics(small) is False
    assert _analyzes(queries) == []
    large = SyncResult(created=runner.ANALYZE_AFTER)
    assert refresh_statistics(large) is (connection.vendor == "postgresql")
