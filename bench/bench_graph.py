"""Graph speed at scale: build from the DB, hub impact, 2-hop picture, cycle detection.

    python bench/bench_graph.py [--products 100000] [--edges 300000] [--database sqlite|postgres]

Rows are inserted straight into a fresh database (SQLite file under `bench/out/graph-db`, or
PostgreSQL database `productize_bench_graph`): N products in 10 loops, each providing one
interface (`p-XXXXXX/api`), one or two owners each, and ~E consumes edges drawn with a strong
preference for low-numbered providers (so the first products are hubs), always towards lower
numbers except 50 back edges that make cycles. Targets (issue 5, 100,000 products and ~300,000
edges): hub-interface impact < 100 ms median, 2-hop neighbourhood picture < 300 ms median,
cycle detection < 10 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PG_URL = "postgres://postgres@127.0.0.1:5432/productize_bench_graph"


def _timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    """Median and max in ms over `runs` calls, and the last result."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), result


def _populate(products: int, edges: int, seed: int = 5) -> None:
    """Fill an empty catalog with generated rows (bulk INSERT/COPY, one audit record)."""
    from django.db import transaction

    from productize.audit.models import ChangeRecord
    from productize.catalog.models import Consumption, Interface, Loop, Ownership, Person, Product
    from productize.catalog.services.bulk import insert_rows

    rng = random.Random(seed)
    stages = ["idea", "prototype", "established", "growing", "maintained"]
    with transaction.atomic():
        insert_rows(
            Loop,
            (
                "slug",
                "name",
                "origin",
                "source_path",
                "source_line",
                "descriptor_hash",
                "created_at",
                "updated_at",
                "mission",
                "customers",
                "parent_ref",
            ),
            (
                (f"loop-{i}", f"Loop {i}", "ui", "", 0, "", _now(), _now(), "", [], "")
                for i in range(10)
            ),
        )
        loops = list(Loop.objects.order_by("id").values_list("id", flat=True))
        insert_rows(
            Person,
            (
                "slug",
                "name",
                "origin",
                "source_path",
                "source_line",
                "descriptor_hash",
                "created_at",
                "updated_at",
                "email",
                "team_refs",
            ),
            (
                (f"owner-{i}", f"Owner {i}", "ui", "", 0, "", _now(), _now(), "", [])
                for i in range(2000)
            ),
        )
        product_fields = (
            "slug",
            "name",
            "origin",
            "source_path",
            "source_line",
            "descriptor_hash",
            "created_at",
            "updated_at",
            "mission",
            "vision",
            "does",
            "does_not",
            "stage",
            "alignment",
            "alignment_why",
            "loop",
            "loop_ref",
            "part_of_ref",
            "audience",
            "links",
            "brand",
            "resourcing",
            "steady_state",
            "tags",
            "annotations",
            "search_text",
        )
        insert_rows(
            Product,
            product_fields,
            (
                (
                    f"p-{i:06}",
                    f"Product {i}",
                    "ui",
                    f"p-{i:06}/product.yaml",
                    1,
                    "",
                    _now(),
                    _now(),
                    "",
                    "",
                    [],
                    [],
                    stages[i % 5],
                    "",
                    "",
                    loops[i % 10],
                    f"loop-{i % 10}",
                    "",
                    [],
                    {},
                    {},
                    {},
                    {},
                    [],
                    {},
                    f"product {i}",
                )
                for i in range(products)
            ),
        )
        ids = list(Product.objects.order_by("slug").values_list("id", flat=True))
        insert_rows(
            Ownership,
            ("product", "ref", "position"),
            ((pk, f"owner-{i % 2000}", 0) for i, pk in enumerate(ids)),
        )
        insert_rows(
            Interface,
            (
                "product",
                "name",
                "kind",
                "description",
                "stability",
                "spec_path",
                "docs_url",
                "ref",
                "position",
            ),
            (
                (
                    pk,
                    "api",
                    "api",
                    "",
                    "stable" if i % 7 else "experimental",
                    "",
                    "",
                    f"p-{i:06}/api",
                    0,
                )
                for i, pk in enumerate(ids)
            ),
        )
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < edges:
            consumer = rng.randrange(1, products)
            # Power-law-ish: most edges go to the first products (the hubs).
            provider = min(int(consumer * rng.random() ** 4), consumer - 1)
            pairs.add((consumer, provider))
        for _ in range(50):  # a few cycles: a hub consuming something downstream of it
            provider = rng.randrange(products // 2, products)
            pairs.add((rng.randrange(0, 200), provider))
        interface_ids = dict(Interface.objects.values_list("ref", "id"))
        insert_rows(
            Consumption,
            ("consumer", "interface_ref", "interface", "why", "position"),
            (
                (ids[c], f"p-{p:06}/api", interface_ids[f"p-{p:06}/api"], "", 0)
                for c, p in sorted(pairs)
            ),
        )
        ChangeRecord.objects.create(
            at=_now(),
            actor_kind="system",
            actor_label="bench",
            action="create",
            object_type="bench",
            object_id="graph",
        )


def _now() -> Any:
    from django.utils import timezone

    return timezone.now()


def main() -> None:
    """Set up the database, populate it once, and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--edges", type=int, default=300_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", PG_URL)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["PRODUCTIZE_DATA_DIR"] = str(HERE / "out" / f"graph-db-{args.products}")
    sys.path.insert(0, str(HERE.parent / "src"))
    from productize.commands.django_setup import setup_django

    if args.database == "postgres":
        _recreate_postgres(os.environ["DATABASE_URL"])
    setup_django()
    from productize.catalog.models import Consumption, Product
    from productize.catalog.selectors import PageRequest
    from productize.commands.manage import migrate_quietly
    from productize.domain.graph_render import neighbourhood_picture, to_svg
    from productize.graph import queries, selectors

    migrate_quietly()
    if Product.objects.count() != args.products:
        Product.objects.all().delete()
        start = time.perf_counter()
        _populate(args.products, args.edges)
        print(f"populated in {time.perf_counter() - start:.1f} s")
    print(
        f"{Product.objects.count()} products, {Consumption.objects.count()} consumes edges, "
        f"{args.database}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    build_ms, _, graph = _timed(selectors.build_graph, 3)
    print(f"graph build from the DB: {build_ms:.0f} ms median of 3")
    graph = selectors.product_graph()  # as the server keeps it (collected, then frozen)
    cached_ms, _, _ = _timed(selectors.product_graph, args.runs)
    print(f"graph from the process cache (one version query): {cached_ms:.2f} ms median")
    hub = graph.hubs(1, by="direct")[0].slug
    ref = f"{hub}/api"

    def impact() -> dict[str, Any]:
        # As `selectors.impact_page` computes it on a first request (walk, owners, page 1).
        found = graph.impact_of_interface(ref)
        return queries.impact_dict(found, PageRequest(1, 50), selectors.owners_summary(found))

    med, worst, data = _timed(impact, args.runs)
    print(
        f"impact of hub interface {ref} ({data['count']} dependants, page of 50 with owners): "
        f"{med:.1f} ms median, {worst:.1f} ms max"
    )
    walk_ms, _, _ = _timed(lambda: graph.impact_of_interface(ref), args.runs)
    print(f"  of which the walk alone: {walk_ms:.1f} ms median")

    def next_page() -> dict[str, Any]:
        return selectors.impact_page(ref, PageRequest(2, 50))

    med, worst, _ = _timed(next_page, args.runs)
    print(f"  next page, impact remembered for this catalog version: {med:.1f} ms median")
    for label, slug in (("hub", hub), ("typical", f"p-{args.products // 2:06}")):
        hood = graph.neighbours(slug, 2)

        def picture(s: str = slug) -> str:
            return to_svg(neighbourhood_picture(graph, s, 2))

        med, worst, svg = _timed(picture, args.runs)
        print(
            f"2-hop neighbourhood picture of {label} {slug} ({len(hood.slugs)} products, "
            f"{len(svg) // 1024} KiB SVG): {med:.1f} ms median, {worst:.1f} ms max"
        )
    med, worst, found = _timed(graph.cycles, 3)
    print(f"cycle detection: {len(found)} cycles, {med:.0f} ms median of 3, {worst:.0f} ms max")


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    main()
