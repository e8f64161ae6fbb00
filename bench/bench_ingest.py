"""Ingest speed and memory: cold load, unchanged re-run, one file changed.

    python bench/bench_ingest.py --sizes 1000 10000 100000 --databases sqlite postgres

For each size the catalog is generated once with `gen_products.generate` (under
`bench/out/ingest-catalog-<N>`). For each database a fresh one is created (SQLite: a new file;
PostgreSQL: database `productize_bench`, dropped and created) and three runs are timed, each
in its own process so that its peak memory (RSS) is its own:

1. cold: the whole catalog into the empty database;
2. unchanged: the same tree again (every file hashed, none parsed);
3. one file: one product's mission edited, then ingested.

Targets (issue 3, 100,000 products): cold < 60 s, unchanged < 10 s, one file < 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/productize_bench"


def _child(catalog: Path, phase: str, profile: str | None, hooks: bool) -> None:
    """Runs in a fresh process (environment already pointing at the database)."""
    from productize.commands.django_setup import setup_django

    setup_django()
    if not hooks:
        from productize.ingest import hooks as ingest_hooks

        ingest_hooks._handlers.clear()  # measure the ingest alone
    from productize.commands.manage import migrate_quietly
    from productize.ingest.runner import ingest_path

    migrate_quietly()
    if phase == "one-file":
        target = sorted((catalog / "products").glob("group-000/*/product.yaml"))[0]
        text = target.read_text()
        marker = "  Helps "
        stamp = f"  ({time.time_ns()}) Helps "
        target.write_text(text.replace(marker, stamp, 1) if marker in text else text + "\n")
    phases: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        phases.setdefault(phase, time.perf_counter())

    cpu_started = time.process_time()
    started = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        run = profiler.runcall(ingest_path, location=catalog, progress=progress)
        profiler.dump_stats(profile)
    else:
        run = ingest_path(location=catalog, progress=progress)
    seconds = time.perf_counter() - started
    marks = [*sorted(phases.items(), key=lambda item: item[1]), ("end", started + seconds)]
    split = {name: round(marks[i + 1][1] - at, 2) for i, (name, at) in enumerate(marks[:-1])}
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "phase": phase,
                "seconds": round(seconds, 2),
                "cpu_seconds": round(time.process_time() - cpu_started, 2),
                "load_1min": round(os.getloadavg()[0], 2),
                "phases": split,
                "peak_rss_mib": round(peak_kib / 1024),
                "status": run.status,
                "files_seen": run.files_seen,
                "files_changed": run.files_changed,
                "created": run.created,
                "updated": run.updated,
                "removed": run.removed,
                "errors": run.errors,
                "warnings": run.warnings,
                "message": run.message,
            }
        )
    )


def _fresh_database(database: str, data_dir: Path, pg_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    env["PRODUCTIZE_DATA_DIR"] = str(data_dir)
    if database == "postgres":
        import psycopg

        base, _, name = pg_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = pg_url
    return env


def measure(
    size: int, database: str, pg_url: str, profile_dir: Path | None, hooks: bool
) -> list[dict[str, object]]:
    """Generate (once), then time the three phases in fresh processes."""
    from gen_products import generate

    catalog = OUT / f"ingest-catalog-{size}"
    if not (catalog / "organization.yaml").exists():
        started = time.perf_counter()
        generate(size, catalog, seed=1)
        print(f"generated {size} products in {time.perf_counter() - started:.1f} s", flush=True)
    work = OUT / f"ingest-work-{size}"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(catalog, work / "catalog")  # the one-file edit must not touch the cache
    env = _fresh_database(database, work / f"data-{database}", pg_url)
    results = []
    for phase in ("cold", "unchanged", "one-file"):
        command = [sys.executable, __file__, "--child", phase, "--catalog", str(work / "catalog")]
        if not hooks:
            command.append("--without-hooks")
        if profile_dir is not None:
            profile_dir.mkdir(parents=True, exist_ok=True)
            command += ["--profile", str(profile_dir / f"{size}-{database}-{phase}.prof")]
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{phase} failed:\n{done.stdout}\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result.update(size=size, database=database)
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


def _split(result: dict[str, object]) -> str:
    """`12.3 s + 4.5 s`: the ingest, then the after-ingest handlers (when they ran)."""
    total = float(result["seconds"])  # type: ignore[arg-type]
    phases = result.get("phases") or {}
    handlers = float(phases.get("after-ingest", 0.0))  # type: ignore[union-attr]
    if handlers < 0.005:
        return f"{total:.2f} s"
    return f"{total - handlers:.2f} s + {handlers:.2f} s"


def machine() -> str:
    """nproc, CPU model, Python version: the context every figure needs."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}"


def main() -> None:
    """Parse arguments; run as the orchestrator, or as one measured child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgres"), default=["sqlite", "postgres"]
    )
    parser.add_argument("--pg-url", default=PG_DEFAULT, help=f"default {PG_DEFAULT}")
    parser.add_argument("--profile-dir", type=Path, help="write cProfile stats per phase")
    parser.add_argument(
        "--without-hooks",
        action="store_true",
        help="do not run the after-ingest handlers (re-assessment, interface history)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--catalog", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if "PRODUCTIZE_DATA_DIR" not in os.environ:
            raise SystemExit("--child runs only under the orchestrator (PRODUCTIZE_DATA_DIR set)")
        _child(args.catalog, args.child, args.profile, hooks=not args.without_hooks)
        return
    print(machine(), flush=True)
    rows = []
    for size in args.sizes:
        for database in args.databases:
            rows.extend(
                measure(size, database, args.pg_url, args.profile_dir, not args.without_hooks)
            )
    # "ingest" is reading, checking and writing the catalog; "handlers" the after-ingest work
    # other apps hook on (re-assessment, interface history), reported apart.
    print(
        "\n| products | database | cold: ingest + handlers | unchanged | one file: ingest + "
        "handlers | peak RSS (cold) |"
    )
    print("|---:|---|---:|---:|---:|---:|")
    for size in args.sizes:
        for database in args.databases:
            by_phase = {
                r["phase"]: r for r in rows if r["size"] == size and r["database"] == database
            }
            print(
                f"| {size:,} | {database} | {_split(by_phase['cold'])} "
                f"| {_split(by_phase['unchanged'])} | {_split(by_phase['one-file'])} "
                f"| {by_phase['cold']['peak_rss_mib']} MiB |"
            )


if __name__ == "__main__":
    main()
