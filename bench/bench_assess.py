"""Assessment speed: every product of a generated catalog, then one change and its dependants.

    python bench/bench_assess.py --size 100000            # ingests first if needed

The catalog is `bench/out/ingest-catalog-<N>` (made by `gen_products.generate`), ingested
into its own SQLite database under `bench/out/assess-db-<N>` with `productize ingest`. Then,
in one process:

1. cold: `assess_all` with no stored results (every product judged, results, gaps, history
   and audit records written);
2. unchanged: `assess_all` again (digests compared, nothing judged or written);
3. one change: a product with consumers gets a new mission; the after-ingest handler
   re-assesses it (scanning its folder) and its dependants.

Targets (issue 4): all 100,000 < 60 s; one changed product and its dependants < 1 s.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))


def _prepare(size: int) -> tuple[Path, Path]:
    catalog = OUT / f"ingest-catalog-{size}"
    if not catalog.is_dir():
        from gen_products import generate

        generate(size, catalog, 1)
    data = OUT / f"assess-db-{size}"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "productize.sqlite3").exists():
        env = {**os.environ, "PRODUCTIZE_DATA_DIR": str(data)}
        exe = [sys.executable, "-m", "productize"]
        subprocess.run([*exe, "manage", "migrate", "-v0"], env=env, check=True)
        started = time.perf_counter()
        subprocess.run([*exe, "ingest", str(catalog)], env=env, check=True)
        print(f"ingest: {time.perf_counter() - started:.1f} s")
    return catalog, data


def _cpu() -> float:
    """CPU seconds of this process and its finished children (the workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _run(catalog: Path) -> None:
    from productize.commands.django_setup import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from productize.assessment.models import (
        AssessmentGap,
        AssessmentHistory,
        ProductAssessment,
    )
    from productize.assessment.reassess import dependants, reassess_after_ingest
    from productize.assessment.services import assess_all
    from productize.audit.models import ChangeRecord
    from productize.audit.services import Actor
    from productize.catalog.models import Consumption, Product
    from productize.ingest.hooks import IngestOutcome
    from productize.ingest.models import IngestRun

    # A clean slate for the cold run (benchmark only: the tables are ours).
    for model in (AssessmentGap, AssessmentHistory, ProductAssessment):
        model.objects.all().delete()
    ChangeRecord.objects.filter(object_type="assessment").delete()
    products = Product.objects.count()
    actor = Actor.system("bench")
    started, cpu = time.perf_counter(), _cpu()
    summary = assess_all(actor=actor)
    cold = time.perf_counter() - started
    print(f"cold: {products} products, {summary.assessed} assessed in {cold:.1f} s "
          f"(CPU, all processes: {_cpu() - cpu:.1f} s), {len(summary.problems)} problems; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    started, cpu = time.perf_counter(), _cpu()
    summary = assess_all(actor=actor)
    print(f"unchanged: {summary.unchanged} skipped in {time.perf_counter() - started:.1f} s "
          f"(CPU {_cpu() - cpu:.1f} s)")  # fmt: skip
    # The most consumed provider among the first products: its change reaches many others.
    provider = (
        Consumption.objects.filter(interface__isnull=False)
        .values_list("interface__product__slug", flat=True)
        .order_by("interface__product_id")
        .first()
    )
    row = Product.objects.get(slug=provider)
    Product.objects.filter(pk=row.pk).update(
        mission=row.mission + " Now faster.", descriptor_hash=f"bench-{time.time_ns()}"
    )
    run = IngestRun.objects.latest("id")
    outcome = IngestOutcome(
        source=run.source, run=run, root=catalog, changed_products={row.slug},
        product_paths={row.slug: row.source_path},
    )  # fmt: skip
    deps = dependants({row.slug})
    started, cpu = time.perf_counter(), _cpu()
    reassess_after_ingest(outcome)
    one = time.perf_counter() - started
    print(f"one change: {row.slug} and {len(deps)} dependants re-assessed in {one:.2f} s "
          f"(CPU {_cpu() - cpu:.2f} s)")  # fmt: skip


def main() -> None:
    """Prepare the catalog and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    catalog, data = _prepare(args.size)
    os.environ["PRODUCTIZE_DATA_DIR"] = str(data)
    print(
        f"machine: {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    _run(catalog)


if __name__ == "__main__":
    main()
