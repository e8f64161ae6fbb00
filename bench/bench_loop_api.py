"""The loop's read API for a product with 10,000 feedback items, in-process.

    python bench/bench_loop_api.py                      # SQLite, 10,000 items, 30 requests each
    python bench/bench_loop_api.py --feedback 50000 --requests 50
    python bench/bench_loop_api.py --database postgres://postgres@127.0.0.1:5432/pz_loopcore_bench

Builds (once; reused when present) a database under `bench/out/loop-api-<N>-<db>`: one product
`orders` with N feedback items over a year from 3,000 people, 60 patterns holding 60 % of them
(weights recomputed through the service), 25 improvements with 4 milestones each on the
roadmap. Then times `--requests` GETs of each endpoint below through Django's test client (no
HTTP server: this measures the selectors, the serialisation and the queries) and prints
median, p95 and the number of queries one request makes.

The loop tab page has its own bench (bench_loop_tab.py); these are the same reads over the API.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
ENDPOINTS = [
    "/api/v1/products/orders/loop",
    "/api/v1/feedback?product=orders",
    "/api/v1/feedback?product=orders&unpatterned=true&page=3",
    "/api/v1/patterns?product=orders",
    "/api/v1/products/orders/roadmap",
    "/api/v1/my-loop",
    "/api/v1/loop-overview",
]


def _build(feedback: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from productize.catalog.models import Ownership, Person, Product
    from productize.loop.models import (
        Feedback,
        Improvement,
        Milestone,
        Pattern,
        PatternFeedback,
        RoadmapEntry,
    )
    from productize.loop.services import recompute_weights

    call_command("migrate", verbosity=0)
    if Feedback.objects.exists():
        return
    started = time.perf_counter()
    rng = random.Random(6)
    person = Person.objects.create(slug="alice", name="Alice", email="alice@example.com")
    get_user_model().objects.create_user("alice", email="alice@example.com", password="x")
    orders = Product.objects.create(slug="orders", name="Orders", stage="growing")
    Ownership.objects.create(product=orders, ref="alice", person=person)
    for i in range(30):  # a few quiet neighbours for the organisation view
        Product.objects.create(slug=f"p{i}", name=f"P{i}", stage="established")
    now = timezone.now()
    rows = [
        Feedback(
            product=orders,
            text=f"feedback {i}: checkout is slow again",
            created_at=now - timedelta(minutes=rng.randint(0, 525_600)),
            source_kind="bench",
            source_key=str(i),
            author_name=f"person {rng.randint(0, 2999)}",
        )
        for i in range(feedback)
    ]
    Feedback.objects.bulk_create(rows, batch_size=2000)
    ids = list(Feedback.objects.values_list("pk", flat=True))
    rng.shuffle(ids)
    linked = ids[: int(len(ids) * 0.6)]
    per = max(1, len(linked) // 60)
    patterns = []
    for k in range(60):
        pattern = Pattern.objects.create(title=f"Pattern {k}", owner=person)
        pattern.products.add(orders)
        PatternFeedback.objects.bulk_create(
            PatternFeedback(pattern=pattern, feedback_id=f) for f in linked[k * per : (k + 1) * per]
        )
        patterns.append(pattern)
    recompute_weights()
    for k in range(25):
        improvement = Improvement.objects.create(
            title=f"Improvement {k}",
            status=rng.choice(["proposed", "ready", "in-implementation", "awaiting-approval"]),
            effort_weeks=rng.choice([None, 1.0, 4.0]),
            confidence=rng.choice([None, 0.5, 0.9]),
        )
        improvement.products.add(orders)
        improvement.patterns.add(*patterns[k * 2 : k * 2 + 3])
        for m in range(4):
            Milestone.objects.create(
                improvement=improvement,
                title=f"M{m}",
                position=m,
                kind="mvp" if m < 2 else "stretch",
                done_at=now if m == 0 else None,
                due_date=(now + timedelta(days=7 * m)).date(),
            )
        RoadmapEntry.objects.create(
            product=orders, improvement=improvement, column=["now", "next", "later"][k % 3],
            position=k // 3,
        )  # fmt: skip
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would, after a bulk load
            cursor.execute("ANALYZE")
    print(f"built in {time.perf_counter() - started:.1f} s")


class _Counter:
    """Counts the queries one request makes."""

    def __init__(self, into: list[str]) -> None:
        self.into = into

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.into.append(sql)
        return execute(sql, params, many, context)


def main() -> int:
    """Build once, then time each endpoint."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feedback", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    kind = "postgres" if args.database else "sqlite"
    data = OUT / f"loop-api-{args.feedback}-{kind}"
    data.mkdir(parents=True, exist_ok=True)
    os.environ["PRODUCTIZE_DATA_DIR"] = str(data)
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")
    sys.path.insert(0, str(HERE.parent / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    _build(args.feedback)
    client = Client()
    client.force_login(get_user_model().objects.get(username="alice"))
    print(
        f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
        f"{connection.vendor}, {args.feedback} feedback items, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(f"{'endpoint':<58} {'median':>8} {'p95':>8} {'queries':>8}")
    for url in ENDPOINTS:
        for _ in range(3):
            assert client.get(url).status_code == 200, url
        queries: list[str] = []
        with connection.execute_wrapper(_Counter(queries)):
            client.get(url)
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{url:<58} {statistics.median(times):>6.1f}ms {p95:>6.1f}ms {len(queries):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
