"""CPU per request, in-process: what each request kind costs when nothing of it is cached.

    python bench/bench_requests.py --products 100000 [--database postgres://.../pz_perf_bench]

Uses the catalog that `bench_serve.py` built (`bench/out/serve-<N>-<db>`), Django's test
client (all middleware, no HTTP), and for each scenario 60 different URLs of the kind
`bench_serve.py --distinct` loads. Before each request the cache is cleared — rendered pages,
counts, facets — but what is built once per catalog version (the catalog index) is kept, as a
running server keeps it. CPU time (`time.process_time`) is much less disturbed than wall time
by other work on the machine; both are reported (median and 90th percentile).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> int:
    """Print a Markdown table of CPU and wall time per request kind."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database", default="", help="PostgreSQL URL; SQLite when empty")
    parser.add_argument("--urls", type=int, default=60, help="URLs per scenario")
    args = parser.parse_args()
    db = "postgres" if args.database else "sqlite"
    os.environ["PRODUCTIZE_DATA_DIR"] = str(HERE / "out" / f"serve-{args.products}-{db}")
    os.environ["PRODUCTIZE_ANONYMOUS_READ"] = "1"
    os.environ["PRODUCTIZE_LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "productize.settings"
    if args.database:
        os.environ["DATABASE_URL"] = args.database
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    import productize.wsgi  # noqa: F401 - the serving connection settings
    from gen_products import WORDS
    from productize.catalog.models import Loop, Product

    try:  # absent before the catalog index existed (for before/after runs)
        from productize.catalog.selectors import catalog_index as index_module
    except ImportError:
        index_module = None

    settings.ALLOWED_HOSTS = ["testserver"]
    rng = random.Random(5)
    ids = rng.sample(list(Product.objects.values_list("id", flat=True)), args.urls)
    slugs = list(Product.objects.filter(id__in=ids).values_list("slug", flat=True))
    loops = list(Loop.objects.values_list("slug", flat=True))
    stages = ["idea", "prototype", "established", "growing", "maintained", "retired"]
    words = list(WORDS)
    lists = [f"/catalog/?loop={rng.choice(loops)}&stage={rng.choice(stages)}"
             for _ in range(args.urls)]  # fmt: skip
    searches = [f"/catalog/?q={a}+{b}" for a, b in (rng.sample(words, 2) for _ in range(40))]
    searches += [f"/catalog/?q={w}" for w in rng.sample(words, args.urls - 40)]
    scenarios = {
        "product page": [f"/products/{s}/" for s in slugs],
        "product API": [f"/api/v1/products/{s}" for s in slugs],
        "filtered list": lists,
        "search": searches[: args.urls],
    }
    client = Client()

    def clear() -> None:
        kept = {}
        if index_module is not None and index_module._current is not None:
            current = index_module._current
            key = index_module._token_key(current.version)
            kept[key] = cache.get(key)
        cache.clear()
        for key, value in kept.items():
            cache.set(key, value, None)

    started = time.perf_counter()
    client.get(lists[0])  # imports, templates, and the catalog index of this version
    print(f"first request: {time.perf_counter() - started:.2f} s", flush=True)
    print("\n| scenario | CPU median | CPU p90 | wall median | wall p90 |")
    print("|---|---|---|---|---|")
    for name, urls in scenarios.items():
        cpu: list[float] = []
        wall: list[float] = []
        for url in urls:
            clear()
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)

        def p90(values: list[float]) -> float:
            return sorted(values)[int(len(values) * 0.9)]

        print(
            f"| {name} | {statistics.median(cpu):.1f} ms | {p90(cpu):.1f} ms "
            f"| {statistics.median(wall):.1f} ms | {p90(wall):.1f} ms |",
            flush=True,
        )
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
