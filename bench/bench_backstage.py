"""Backstage import speed and memory, and API latency on the imported catalog (issue 8).

    python bench/bench_backstage.py ingest --sizes 10000 50000 --databases sqlite postgres
    python bench/bench_backstage.py api --size 10000 --databases sqlite postgres
    python bench/bench_backstage.py api-cpu --size 10000

**ingest**: the catalog of `../shared/bench/gen_catalog.py --entities N --seed 1` (generated
once under `bench/out/backstage-<N>`) is ingested from its directory (`all.yaml`, a Location
listing every file) into an empty database — SQLite: a new data directory; PostgreSQL: the
database in `--pg-url`, dropped and created — with the schema migrated beforehand (not
timed). The ingest runs in a fresh child process; it reports:

- `queryable`: from the start of `ingest_path` to the commit of the catalog transaction, after
  which every entity is in the catalog and answered by the API (reading, mapping, checking,
  writing entities, relations, audit records, search index, problems, file records);
- `hooks`: the after-ingest handlers that run after that commit (re-assessment of the changed
  products, interface history) — measured separately, they are not needed for "queryable";
- `process`: the child's wall time, Python and Django start-up included;
- `peak`: the child's peak resident memory (getrusage), at "queryable" and at the end.

**api**: on the imported catalog, `productize serve` (2 workers) on loopback, anonymous read
on; each question is asked 200 times in a row (median, p95), then by 8 concurrent clients
(200 requests each; median, p95 over all). Questions: `/healthz` (the floor: what any request
costs through the server and Django's middleware); one product by id; the products of one
team owning ~12; the first page of the catalog with its total count; a search for `archive`;
the counts per stage (`/api/v1/product-facets?facet=stage`, and the same from the list's
`facets=true&page_size=1`).
`--no-cache` serves with Django's DummyCache, so nothing is answered from the per-version
caches (the cold cost of each request); by default responses may come from them, as in use.

**api-cpu**: the same questions in-process (Django test client, one process), 200 each, as
CPU milliseconds per request — uncached (cache cleared before each) and cached (asked twice,
the second timed). CPU time is what other jobs on a shared machine disturb least.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.client import HTTPConnection
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
GENERATOR = HERE.parents[1] / "shared" / "bench" / "gen_catalog.py"
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/pz_bs_bench"
BACKSTAGE_MEDIANS_MS = {
    "floor": None,
    "product": 0.8,
    "team": 33,
    "page": 40,
    "search": 11,
    "stages": 1.5,
    "stages_in_list": 1.5,
}


def catalog(n: int) -> Path:
    """The generated Backstage catalog of n entities (made once)."""
    out = OUT / f"backstage-{n}"
    if not (out / "manifest.json").exists():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run(
            [
                sys.executable,
                str(GENERATOR),
                "--entities",
                str(n),
                "--out",
                str(out),
                "--seed",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return out


def environment(database: str, data_dir: Path, pg_url: str) -> dict[str, str]:
    """The environment of a child or server using `database`."""
    env = dict(os.environ, PRODUCTIZE_DATA_DIR=str(data_dir), PRODUCTIZE_ANONYMOUS_READ="1")
    env.pop("DATABASE_URL", None)
    if database == "postgres":
        env["DATABASE_URL"] = pg_url
    return env


def fresh_database(database: str, data_dir: Path, pg_url: str) -> None:
    """An empty database with the schema migrated."""
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if database == "postgres":
        import psycopg

        base, _, name = pg_url.rpartition("/")
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    exe = Path(sys.executable).with_name("productize")
    subprocess.run(
        [str(exe), "manage", "migrate", "--no-input"],
        env=environment(database, data_dir, pg_url),
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _child(directory: Path, hooks: bool) -> None:
    """The measured ingest, in its own process (environment points at the database)."""
    from productize.commands.django_setup import setup_django

    setup_django()
    if not hooks:
        from productize.ingest import hooks as ingest_hooks

        ingest_hooks._handlers.clear()  # the ingest alone; `hooks_s` is then ~0
    from productize.ingest.runner import ingest_path

    phases: dict[str, float] = {}
    cpu: dict[str, float] = {}
    peak_queryable: list[int] = []

    def progress(phase: str, done: int, total: int) -> None:
        if phase not in phases:
            phases[phase] = time.perf_counter()
            cpu[phase] = time.process_time()
            if phase == "after-ingest":  # the catalog transaction has committed
                peak_queryable.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)

    started, cpu_started = time.perf_counter(), time.process_time()
    run = ingest_path(location=directory, backstage_names="all.yaml", progress=progress)
    ended, cpu_ended = time.perf_counter(), time.process_time()
    from productize.catalog.models import Interface, Loop, Person, Product, Team

    queryable = phases.get("after-ingest", ended)
    marks = sorted(phases.items(), key=lambda item: item[1])
    steps = {
        name: round((marks[i + 1][1] if i + 1 < len(marks) else ended) - at, 2)
        for i, (name, at) in enumerate(marks)
    }
    print(
        json.dumps(
            {
                "status": run.status,
                "errors": run.errors,
                "queryable_s": round(queryable - started, 2),
                # CPU time of this process: less sensitive to other jobs on the machine than
                # wall time (PostgreSQL's own work is not in it).
                "queryable_cpu_s": round(cpu.get("after-ingest", cpu_ended) - cpu_started, 2),
                "load_average": os.getloadavg()[0],
                "hooks_s": round(ended - queryable, 2),
                "phases_s": steps,
                "peak_queryable_mib": round((peak_queryable or [0])[0] / 1024),
                "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "counts": {
                    "products": Product.objects.count(),
                    "interfaces": Interface.objects.count(),
                    "loops": Loop.objects.count(),
                    "teams": Team.objects.count(),
                    "people": Person.objects.count(),
                },
            }
        )
    )


def run_ingest(n: int, database: str, pg_url: str, hooks: bool = True) -> dict[str, object]:
    """One measured cold ingest of the n-entity catalog into an empty database."""
    directory = catalog(n)
    data_dir = OUT / f"backstage-data-{n}-{database}"
    fresh_database(database, data_dir, pg_url)
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "child",
            str(directory),
            *([] if hooks else ["--without-hooks"]),
        ],
        env=environment(database, data_dir, pg_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_s"] = round(time.perf_counter() - started, 2)
    manifest = json.loads((directory / "manifest.json").read_text())
    result["components"] = manifest["counts"]["Component"]
    return result


# -- API ------------------------------------------------------------------------------------


def served_catalog(n: int, database: str, pg_url: str) -> Path:
    """The data directory of the catalog the API questions are asked of, imported once.

    Apart from the ingest benchmark's directory (`backstage-data-*`), which every ingest run
    empties: an API run never reads a half-imported catalog. A different `pg_url` re-imports.
    """
    data_dir = OUT / f"backstage-api-{n}-{database}"
    marker = data_dir / "imported.json"
    wanted = pg_url if database == "postgres" else ""
    if marker.exists() and json.loads(marker.read_text()).get("pg_url") == wanted:
        return data_dir
    fresh_database(database, data_dir, pg_url)
    done = subprocess.run(
        [sys.executable, __file__, "child", str(catalog(n))],
        env=environment(database, data_dir, pg_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    marker.write_text(json.dumps({"pg_url": wanted, **result}))
    return data_dir


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _get(conn: HTTPConnection, path: str) -> float:
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"{path}: {response.status} {body[:200]!r}")
    return elapsed * 1000


def _paths(base: str, data_dir: Path, database: str, pg_url: str) -> dict[str, list[str]]:
    """URL lists per question: distinct where the question allows it."""
    script = (
        "import json\n"
        "from productize.commands.django_setup import setup_django\n"
        "setup_django()\n"
        "from django.db.models import Count\n"
        "from productize.catalog.models import Ownership, Product\n"
        "ids = list(Product.objects.order_by('?').values_list('slug', flat=True)[:200])\n"
        "teams = (Ownership.objects.filter(product__isnull=False, team__isnull=False)"
        ".values('team__slug').annotate(n=Count('product', distinct=True))"
        ".filter(n__gte=10, n__lte=14).order_by('team__slug'))\n"
        "print(json.dumps({'ids': ids, 'teams': [t['team__slug'] for t in teams]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=environment(database, data_dir, pg_url),
        check=True,
        capture_output=True,
        text=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    api = "/api/v1/products"
    return {
        # What any request costs here: no database, no Ninja (Django's middleware and the server).
        "floor": ["/healthz"],
        "product": [f"{api}/{pid}" for pid in found["ids"]],
        "team": [f"{api}?owner=team:{urllib.parse.quote(t)}" for t in found["teams"]],
        "page": [api],
        "search": [f"{api}?q=archive"],
        "stages": ["/api/v1/product-facets?facet=stage"],
        "stages_in_list": [f"{api}?facets=true&page_size=1"],
    }


def _sequential(port: int, paths: list[str], n: int) -> list[float]:
    conn = HTTPConnection("127.0.0.1", port, timeout=60)
    for path in paths[:10]:
        _get(conn, path)  # warm the connection and the worker
    times = [_get(conn, paths[i % len(paths)]) for i in range(n)]
    conn.close()
    return times


def _concurrent(port: int, paths: list[str], clients: int, each: int) -> list[float]:
    times: list[float] = []
    lock = threading.Lock()

    def client(k: int) -> None:
        conn = HTTPConnection("127.0.0.1", port, timeout=60)
        mine = [_get(conn, paths[(k * each + i) % len(paths)]) for i in range(each)]
        conn.close()
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def run_api(
    n: int, database: str, pg_url: str, port: int, no_cache: bool, requests: int
) -> dict[str, object]:
    """Serve the imported n-entity catalog and time each question (the floor included)."""
    data_dir = served_catalog(n, database, pg_url)
    env = environment(database, data_dir, pg_url)
    if no_cache:
        # A settings module written under bench/out (not part of the repository).
        env["PYTHONPATH"] = str(OUT) + os.pathsep + env.get("PYTHONPATH", "")
        env["DJANGO_SETTINGS_MODULE"] = "bench_nocache_settings"
        (OUT / "bench_nocache_settings.py").write_text(
            '"""productize settings with no cache: every request computed (bench only)."""\n'
            "from productize.settings import *  # noqa: F403\n\n"
            'CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}\n'
        )
    exe = Path(sys.executable).with_name("productize")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.5)
        paths = _paths(f"http://127.0.0.1:{port}", data_dir, database, pg_url)
        out: dict[str, object] = {"teams_with_10_to_14_products": len(paths["team"])}
        for name, urls in paths.items():
            seq = _sequential(port, urls, requests)
            conc = _concurrent(port, urls, 8, requests)
            backstage = BACKSTAGE_MEDIANS_MS[name]
            out[name] = {
                "seq_median_ms": round(statistics.median(seq), 3),
                "seq_p95_ms": round(_percentile(seq, 0.95), 2),
                "c8_median_ms": round(statistics.median(conc), 2),
                "c8_p95_ms": round(_percentile(conc, 0.95), 2),
                "backstage_median_ms": backstage,
                "speedup_seq_median": backstage and round(backstage / statistics.median(seq), 1),
            }
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)


def _cpu_child(urls_json: str, requests: int) -> None:
    """CPU time per request in-process (Django test client), cached and uncached."""
    from productize.commands.django_setup import setup_django

    setup_django()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    out: dict[str, object] = {}
    for name, urls in json.loads(urls_json).items():
        for mode in ("uncached", "cached"):
            times = []
            for i in range(requests):
                url = urls[i % len(urls)]
                if mode == "uncached":
                    cache.clear()
                else:
                    client.get(url)
                started = time.process_time()
                response = client.get(url)
                times.append((time.process_time() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            out[f"{name}_{mode}_cpu_median_ms"] = round(statistics.median(times), 2)
            out[f"{name}_{mode}_cpu_p95_ms"] = round(_percentile(times, 0.95), 2)
    print(json.dumps(out))


def run_api_cpu(n: int, database: str, pg_url: str, requests: int) -> dict[str, object]:
    """CPU milliseconds per request, in-process: a measure other jobs on the machine disturb
    less than wall-clock latency (process time of the one process serving it)."""
    data_dir = served_catalog(n, database, pg_url)
    paths = _paths("", data_dir, database, pg_url)
    done = subprocess.run(
        [sys.executable, __file__, "cpu-child", json.dumps(paths), str(requests)],
        env=environment(database, data_dir, pg_url),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    """Command line: `ingest`, `api`, or (internally) `child`."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    ingest = sub.add_parser("ingest", help="cold ingest time and peak memory")
    ingest.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    ingest.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    ingest.add_argument("--pg-url", default=PG_DEFAULT)
    ingest.add_argument("--repeat", type=int, default=1, help="runs per size")
    ingest.add_argument(
        "--without-hooks", action="store_true", help="skip the after-ingest handlers"
    )
    api = sub.add_parser("api", help="API latency on the imported catalog")
    api.add_argument("--size", type=int, default=10_000)
    api.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    api.add_argument("--pg-url", default=PG_DEFAULT)
    api.add_argument("--port", type=int, default=8791)
    api.add_argument("--requests", type=int, default=200)
    api.add_argument("--no-cache", action="store_true", help="serve with Django's DummyCache")
    cpu = sub.add_parser("api-cpu", help="CPU per request in-process, cached and uncached")
    cpu.add_argument("--size", type=int, default=10_000)
    cpu.add_argument("--databases", nargs="+", default=["sqlite"])
    cpu.add_argument("--pg-url", default=PG_DEFAULT)
    cpu.add_argument("--requests", type=int, default=200)
    cpu_child = sub.add_parser("cpu-child")
    cpu_child.add_argument("urls")
    cpu_child.add_argument("requests", type=int)
    child = sub.add_parser("child")
    child.add_argument("directory", type=Path)
    child.add_argument("--without-hooks", action="store_true")
    args = parser.parse_args()
    if args.what == "child":
        _child(args.directory, not args.without_hooks)
        return 0
    if args.what == "cpu-child":
        _cpu_child(args.urls, args.requests)
        return 0
    print(f"# {platform.node()} {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} CPUs, Python {platform.python_version()}", flush=True)  # fmt: skip
    if args.what == "ingest":
        for database in args.databases:
            for n in args.sizes:
                runs = [
                    run_ingest(n, database, args.pg_url, not args.without_hooks)
                    for _ in range(args.repeat)
                ]
                for result in runs:
                    print(json.dumps({"database": database, "entities": n, **result}), flush=True)
        return 0
    if args.what == "api-cpu":
        for database in args.databases:
            result = run_api_cpu(args.size, database, args.pg_url, args.requests)
            print(json.dumps({"database": database, "entities": args.size, **result}), flush=True)
        return 0
    for database in args.databases:
        result = run_api(args.size, database, args.pg_url, args.port, args.no_cache, args.requests)
        label = {"database": database, "entities": args.size, "no_cache": args.no_cache}
        print(json.dumps({**label, **result}, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
