"""The loop tab of a product with 10,000 feedback items, through a real `productize serve`.

    python bench/bench_loop_tab.py                    # 10,000 items, 100 timed requests
    python bench/bench_loop_tab.py --feedback 50000 --requests 200
    python bench/bench_loop_tab.py --database postgres://postgres@127.0.0.1:5432/pz_loopweb_bench

Builds (once; reused when present) a database under `bench/out/loop-tab-<N>-<db>`: the demo
organisation ingested, then for `orders` a channel, N feedback items over a year from a few
thousand people (through `intake.bulk_give_feedback`), 60 patterns holding about 60 % of the
items (links bulk-created, then `recompute_weights`, as the services advise for bulk work),
25 improvements with milestones, and a roadmap. Then it starts `productize serve` (one worker,
anonymous read on), warms up, and times `--requests` sequential GETs of
`/products/orders/loop/` over loopback: median, p95, max. It also prints the queries one
page makes, measured in-process.

Target (issue 6): the loop tab of a product with 10,000 feedback items under 200 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
DEMO_ORG = ROOT / "src" / "productize" / "demo" / "org"
PATH = "/products/orders/loop/"
WORDS = [
    *[
        "checkout",
        "slow",
        "box",
        "change",
        "order",
        "delivery",
        "slot",
        "late",
        "email",
        "app",
        "crash",
        "refund",
        "card",
    ],
    *[
        "missing",
        "item",
        "wrong",
        "size",
        "recipe",
        "leek",
        "price",
        "sunday",
        "payment",
        "login",
        "password",
        "search",
    ],
]


def productize(env: dict[str, str], *args: str) -> None:
    """Run the productize CLI in a child process."""
    subprocess.run([sys.executable, "-m", "productize", *args], env=env, check=True)


def _fill(n: int) -> None:
    """Write the loop of `orders` (runs inside Django)."""
    from productize.audit.services import Actor
    from productize.catalog.models import Product
    from productize.domain.loop.intake import FeedbackItem
    from productize.loop import services
    from productize.loop.intake import bulk_give_feedback
    from productize.loop.models import Feedback, PatternFeedback

    rng = random.Random(6)
    system = Actor.system("bench")
    orders = Product.objects.get(slug="orders")
    channel = services.create_channel(system, name="Care inbox", kind="support", product=orders)
    now = datetime.now(UTC)
    items = [
        FeedbackItem(
            text=" ".join(rng.choices(WORDS, k=rng.randint(8, 40))).capitalize() + ".",
            title=" ".join(rng.choices(WORDS, k=4)).capitalize(),
            product="orders",
            author=f"Person {rng.randint(1, 3000)}",
            author_contact=f"p{rng.randint(1, 3000)}@example.com",
            created_at=now - timedelta(minutes=rng.randint(0, 365 * 24 * 60)),
            external_id=f"bench-{i}",
        )
        for i in range(n)
    ]
    for start in range(0, n, 2000):
        bulk_give_feedback(system, items[start : start + 2000], channel=channel)
    ids = list(Feedback.objects.filter(product=orders).values_list("pk", flat=True))
    statuses = ["open", "brainstorming", "improvement-in-progress", "open", "partially-resolved"]
    patterns = []
    for p in range(60):
        pattern = services.create_pattern(
            system, title=f"Pattern {p}: " + " ".join(rng.choices(WORDS, k=5)), products=["orders"]
        )
        target = statuses[p % len(statuses)]
        if target == "improvement-in-progress":
            services.move_pattern(system, pattern, "brainstorming")
        if target == "partially-resolved":
            services.move_pattern(system, pattern, "improvement-in-progress")
        if target != "open":
            services.move_pattern(system, pattern, target)
        patterns.append(pattern)
    rng.shuffle(ids)
    linked = ids[: int(len(ids) * 0.6)]
    PatternFeedback.objects.bulk_create(
        [PatternFeedback(pattern=patterns[i % 60], feedback_id=f) for i, f in enumerate(linked)],
        batch_size=2000,
    )
    services.recompute_weights([p.pk for p in patterns])
    for i in range(25):
        improvement = services.create_improvement(
            system, title=f"Improvement {i}", patterns=[patterns[i].pk, patterns[i + 25].pk]
        )
        for m in range(4):
            services.add_milestone(system, improvement, title=f"Step {m}", kind="mvp")
        if i < 12:
            column = ("now", "next", "later")[i % 3]
            services.place_on_roadmap(system, orders, improvement, column, rationale="Bench.")
    from django.db import connection

    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load; without it the planner guesses 5 rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def prepare(n: int, env: dict[str, str], data_dir: Path) -> None:
    """Migrate, ingest the demo organisation and fill the loop (skipped when already done)."""
    marker = data_dir / "filled"
    if marker.exists():
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    productize(env, "manage", "migrate", "-v0")
    productize(env, "ingest", str(DEMO_ORG))
    started = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--fill", str(n)], env=env, check=True, cwd=str(ROOT))
    print(f"filled the loop with {n:,} feedback items in {time.perf_counter() - started:.1f} s")
    marker.write_text("ok\n")


def queries_per_page() -> None:
    """Print the queries and in-process time of one loop tab (runs inside Django)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(PATH)
    times, cpu = [], []
    for _ in range(20):
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(PATH)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, response.status_code
    # CPU time of this process (the database's own work is in it for SQLite, not for
    # PostgreSQL) is steadier than wall time on a shared machine.
    print(
        f"in-process (test client, 20 requests): {len(queries)} queries, "
        f"median {statistics.median(times):.1f} ms wall, {statistics.median(cpu):.1f} ms CPU"
    )


def free_port() -> int:
    """A port nobody listens on now (granian shares a port with another server on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(base: str, timeout: float = 120.0) -> None:
    """Wait until the server answers its health check."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not become healthy")


def timed(url: str, count: int) -> list[float]:
    """Milliseconds of `count` sequential GETs (each must answer 200)."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
            assert response.status == 200, response.status
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feedback", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--fill", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fill or args.in_process:
        from productize.commands.django_setup import setup_django

        setup_django()
        _fill(args.fill) if args.fill else queries_per_page()
        return

    kind = "pg" if args.database else "sqlite"
    data_dir = OUT / f"loop-tab-{args.feedback}-{kind}"
    env = {
        **os.environ,
        "PRODUCTIZE_DATA_DIR": str(data_dir),
        "PRODUCTIZE_ANONYMOUS_READ": "1",
        "PYTHONPATH": str(ROOT / "src"),
    }
    if args.database:
        env["DATABASE_URL"] = args.database
    prepare(args.feedback, env, data_dir)
    subprocess.run([sys.executable, __file__, "--in-process"], env=env, check=True, cwd=str(ROOT))

    port = args.port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "productize", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        timed(base + PATH, 10)  # warm-up: first connections, template and code caches
        load = os.getloadavg()[0]
        times = timed(base + PATH, args.requests)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    times.sort()
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    python = platform.python_version()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}, {kind}; "
        f"load average before timing {load:.1f}"
    )
    print(
        f"loop tab, {args.feedback:,} feedback items, {args.requests} sequential requests: "
        f"median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
        f"(target < 200 ms)"
    )


if __name__ == "__main__":
    main()
