"""The after-ingest handlers on a first import of the generated Backstage catalog (issue 8).

    python ../shared/bench/gen_catalog.py --entities 10000 --out /tmp/cat-10000 --seed 1
    python bench/bench_hooks.py /tmp/cat-10000 --dump /tmp/after.json
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pz_hooks_bench python bench/bench_hooks.py ...
    python bench/bench_hooks.py /tmp/cat-10000 --profile 30      # cProfile of each handler
    python bench/bench_hooks.py /tmp/cat-10000 --changes         # then a second, changed run

The catalog is ingested (`all.yaml`) into an empty database — SQLite: a new data directory;
PostgreSQL: the database of `DATABASE_URL`, which must exist and be empty — with the
after-ingest handlers taken out; the run's `IngestOutcome` is kept, then each handler
(re-assessment, interface history) is run on it alone and timed: wall, CPU of this process
(the database server's CPU is not counted) and the load average when it started.

`--changes` ingests a scratch copy, then changes it (the APIs of `apis/apis-0001.yaml`
deprecated, the component descriptions of `components/components-0001.yaml` reworded) and
ingests and times again: the handlers' update path. `--dump FILE` writes what the handlers
stored, without ids and timestamps, to compare two versions of the code: assessment results,
gaps and history, interface snapshots, changes and their consumers, and their audit records.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HANDLER_AUDIT = ("assessment", "interface-snapshot", "interface-change", "graph-policies")


def main() -> int:
    """Run the benchmark; print one line per ingest and per handler."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("catalog", type=Path, help="a directory made by gen_catalog.py")
    parser.add_argument("--dump", type=Path, help="write what the handlers stored (JSON)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="top N functions")
    parser.add_argument("--changes", action="store_true", help="a second, changed run too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-hooks-") as scratch:
        os.environ.setdefault("PRODUCTIZE_DATA_DIR", scratch)
        os.environ.setdefault("PRODUCTIZE_LOG_LEVEL", "ERROR")
        catalog = args.catalog
        if args.changes:
            catalog = Path(scratch) / "catalog"
            shutil.copytree(args.catalog, catalog)
        run(catalog, args)
    return 0


def run(catalog: Path, args: argparse.Namespace) -> None:
    """Migrate, ingest without the handlers, then time each handler on the outcome."""
    from productize.commands.django_setup import setup_django

    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from productize.ingest import hooks
    from productize.ingest.runner import ingest_path

    handlers = list(hooks._handlers)
    kept: list[hooks.IngestOutcome] = []
    hooks._handlers[:] = [kept.append]
    try:
        for label in ("first", "changed") if args.changes else ("first",):
            if label == "changed":
                change(catalog)
            wall, cpu = time.perf_counter(), time.process_time()
            ingest_path(location=catalog, backstage_names="all.yaml")
            print(
                f"[{label}] {connection.vendor} ingest wall {time.perf_counter() - wall:.2f} s "
                f"cpu {time.process_time() - cpu:.2f} s; "
                f"{len(kept[-1].changed_products)} products changed",
                flush=True,
            )
            for handler in handlers:
                timed(label, handler, kept[-1], args.profile)
    finally:
        hooks._handlers[:] = handlers
    if args.dump:
        args.dump.write_text(json.dumps(stored(), indent=0))


def timed(label: str, handler: Any, outcome: Any, profile: int) -> None:
    """Run one handler, print its wall and CPU time (and its profile when asked)."""
    load = os.getloadavg()[0]
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.enable()
    handler(outcome)
    if profiler is not None:
        profiler.disable()
    print(
        f"[{label}] {handler.__module__}.{handler.__qualname__} "
        f"wall {time.perf_counter() - wall:.2f} s cpu {time.process_time() - cpu:.2f} s "
        f"load {load:.1f}",
        flush=True,
    )
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(profile)


def change(catalog: Path) -> None:
    """Deprecate the APIs of one file and reword the component descriptions of another."""
    api = catalog / "apis" / "apis-0001.yaml"
    api.write_text(api.read_text().replace("lifecycle: production", "lifecycle: deprecated"))
    components = catalog / "components" / "components-0001.yaml"
    text = components.read_text()
    components.write_text(re.sub(r'description: "(\w+)', r'description: "Simply \1', text))


def stored() -> dict[str, list[str]]:
    """What the handlers wrote, as sorted JSON lines without ids and timestamps."""
    from productize.assessment.models import AssessmentGap, AssessmentHistory, ProductAssessment
    from productize.audit.models import ChangeRecord
    from productize.graph.models import (
        InterfaceChange,
        InterfaceChangeConsumer,
        InterfaceSnapshot,
    )

    def rows(queryset: Any, *fields: str) -> list[str]:
        values = queryset.values(*fields)
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in values)

    digests = [f"{k}_digest" for k in ("descriptor", "repository", "catalog", "loop")]
    return {
        "assessment": rows(
            ProductAssessment.objects,
            "product__slug",
            "level",
            "level_rank",
            "score",
            "not_yet_a_product",
            "result",
            "repository",
            "provider_refs",
            "characteristics_digest",
            *digests,
        ),
        "gaps": rows(
            AssessmentGap.objects, "product__slug", "characteristic", "status", "expected"
        ),
        "history": rows(
            AssessmentHistory.objects,
            "product__slug",
            "level",
            "score",
            "not_yet_a_product",
            "statuses",
            "why",
            "changes",
        ),
        "snapshots": rows(
            InterfaceSnapshot.objects,
            "interface_ref",
            "stability",
            "spec_path",
            "spec_text",
            "spec_sha256",
            "commit",
        ),
        "interface_changes": rows(
            InterfaceChange.objects,
            "interface_ref",
            "provider_slug",
            "kind",
            "commit",
            "spec_path",
            "changes",
            "consumer_count",
        ),
        "change_consumers": rows(
            InterfaceChangeConsumer.objects,
            "change__interface_ref",
            "consumer_slug",
            "consumer_name",
            "owners",
        ),
        "audit": rows(
            ChangeRecord.objects.filter(object_type__in=HANDLER_AUDIT),
            "actor_kind",
            "actor_label",
            "action",
            "object_type",
            "object_repr",
            "before",
            "after",
            "reason",
        ),
    }


if __name__ == "__main__":
    sys.exit(main())
