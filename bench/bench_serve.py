"""Serve a large catalog with `productize serve` and load it with wrk over loopback.

Scenarios (issue 3): product page, product API, filtered list, search — each under 8
concurrent connections for a fixed time, reporting median and 99th-percentile latency,
throughput, errors, and the peak memory of the server's processes.

    python bench/bench_serve.py --products 100000 [--database postgres://.../pz_perf_bench]
    python bench/bench_serve.py --products 100000 --distinct    (no URL read twice)

It reuses an already-ingested data directory when present (`bench/out/serve-<N>-<db>`), so
the catalog is built once; for PostgreSQL the database named in the URL is created when
missing (and the catalog ingested into it). Needs `wrk` (Debian: `apt-get install wrk`).

By default each scenario draws at random from a bounded set of URLs (1,000 products, 100
filter combinations, 16 searches), as readers of a catalog repeat themselves; `--distinct`
walks thousands of different URLs instead (each wrk thread its own share, in order), so
nearly every request misses the per-version caches: the cold cost of each request kind.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""
# Each wrk thread walks its own interleaved share of the list, so no URL is read twice
# (until the list runs out and starts again).
LUA_DISTINCT = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
local created = 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
end
local i = nil
request = function()
  if i == nil then i = tid end
  local path = paths[(i %% #paths) + 1]
  i = i + %d
  return wrk.format("GET", path)
end
"""
WRK_THREADS = 2


def productize(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the productize CLI of this checkout's virtualenv."""
    exe = Path(sys.executable).with_name("productize")
    return subprocess.run([str(exe), *args], env=env, check=True, **kwargs)


def ensure_postgres_database(url: str) -> bool:
    """Create the PostgreSQL database named in `url` unless it exists; True if it was created."""
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if found:
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def prepare(n: int, env: dict[str, str], data_dir: Path) -> None:
    """Generate and ingest a catalog of n products once; later runs reuse it."""
    marker = data_dir / "ingested.json"
    url = env.get("DATABASE_URL", "")
    if url and ensure_postgres_database(url):
        marker.unlink(missing_ok=True)  # a new, empty database: ingest again
    if marker.exists():
        return
    from gen_products import generate

    catalog = OUT / f"catalog-{n}"
    if not catalog.exists():
        print(f"generating {n} products into {catalog} ...", flush=True)
        generate(n, catalog, 1)
    data_dir.mkdir(parents=True, exist_ok=True)
    productize(env, "manage", "migrate", "--no-input", stdout=subprocess.DEVNULL)
    started = time.perf_counter()
    productize(env, "ingest", str(catalog), stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    if url:
        # Planner statistics for the freshly loaded tables: without them (autovacuum off, or
        # not yet run) PostgreSQL picks sequential scans, e.g. 25 ms instead of 1 ms for a
        # product's interfaces.
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
    marker.write_text(json.dumps({"ingest_seconds": seconds}))


def get_json(url: str) -> object:
    """GET a JSON document."""
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def wait_healthy(base: str, timeout: float = 120.0) -> None:
    """Wait until /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            get_json(base + "/healthz")
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not become healthy")


def peak_rss_mib(root_pid: int) -> float:
    """Sum of VmHWM (peak resident memory) over the server's process tree, in MiB."""
    pids = {root_pid}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid in pids or ppid == root_pid:
            pids.add(int(proc.name))
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", status)
        if match:
            total_kib += int(match.group(1))
    return total_kib / 1024


def parse_wrk(output: str) -> dict[str, float]:
    """Median and p99 latency (ms), requests/s and errors from `wrk --latency` output."""

    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s)", value).groups()  # type: ignore[union-attr]
        return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket = re.search(r"Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket:
        errors += sum(int(g) for g in socket.groups())
    return {
        "p50_ms": ms(p50.group(1)) if p50 else float("nan"),
        "p99_ms": ms(p99.group(1)) if p99 else float("nan"),
        "rps": float(rps.group(1)) if rps else 0.0,
        "requests": int(requests.group(1)) if requests else 0,
        "errors": errors,
    }


def run_wrk(
    base: str, paths: list[str], seconds: int, connections: int, *, distinct: bool = False
) -> dict[str, float]:
    """Load the server with wrk over the given paths (random choice, or each once in turn)."""
    with tempfile.TemporaryDirectory() as tmp:
        path_file = Path(tmp) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "paths.lua"
        lua = LUA_DISTINCT % (path_file, WRK_THREADS) if distinct else LUA % (path_file, 1)
        script.write_text(lua)
        result = subprocess.run(
            [
                "wrk", "--latency", "-t", str(WRK_THREADS), "-c", str(connections),
                "-d", f"{seconds}s", "-s", str(script), base,
            ],
            capture_output=True, text=True,
        )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)


def scenarios(base: str) -> dict[str, list[str]]:
    """URL sets for each scenario, sampled from the served catalog itself."""
    rng = random.Random(7)
    pages = [
        get_json(f"{base}/api/v1/products?page={rng.randint(1, 400)}&page_size=50")
        for _ in range(20)
    ]
    slugs = [item["id"] for page in pages for item in page["items"]]  # type: ignore[index]
    facets = get_json(f"{base}/api/v1/products?page_size=1&facets=true")
    loops = [f["value"] for f in facets["facets"]["loop"]][:20]  # type: ignore[index]
    stages = ["idea", "prototype", "established", "growing", "maintained"]
    words = ["payment", "search", "invoice", "ledger", "report", "catalog", "user", "event"]
    return {
        "product page": [f"/products/{s}/" for s in slugs],
        "product API": [f"/api/v1/products/{s}" for s in slugs],
        "filtered list": [
            f"/catalog/?loop={loop}&stage={stage}" for loop in loops for stage in stages
        ],
        "search": [f"/catalog/?q={w}" for w in words] + [f"/catalog/?q={w[:4]}" for w in words],
    }


def distinct_scenarios(base: str) -> dict[str, list[str]]:
    """Thousands of different URLs per scenario, shuffled: each read is a first read."""
    from gen_products import WORDS

    rng = random.Random(11)
    pages = [
        get_json(f"{base}/api/v1/products?page={page}&page_size=200")
        for page in rng.sample(range(1, 501), 40)
    ]
    slugs = [item["id"] for page in pages for item in page["items"]]  # type: ignore[index]
    facets = get_json(f"{base}/api/v1/products?page_size=1&facets=true")["facets"]  # type: ignore[index]
    loops = [f["value"] for f in facets["loop"]]
    stages = ["idea", "prototype", "established", "growing", "maintained", "retired"]
    alignments = ["direct", "indirect", "none"]
    kinds = ["api", "event", "ui", "cli", "library", "data"]
    lists = [
        f"/catalog/?loop={loop}&stage={stage}&alignment={a}&interface_kind={k}"
        for loop in loops for stage in stages for a in alignments for k in kinds
    ]  # fmt: skip
    lists += [f"/catalog/?stage={stage}&alignment={a}&interface_kind={k}"
              for stage in stages for a in alignments for k in kinds]  # fmt: skip
    lists += [f"/catalog/?loop={loop}&stage={stage}" for loop in loops for stage in stages]
    searches = [f"/catalog/?q={a}+{b}" for a in WORDS for b in WORDS if a != b]
    searches += [f"/catalog/?q={w}" for w in WORDS] + [f"/catalog/?q={w[:3]}" for w in WORDS]
    searches += [f"/catalog/?q={w}&stage={stage}" for w in WORDS for stage in stages]
    for urls in (slugs, lists, searches):
        rng.shuffle(urls)
    return {
        "product page": [f"/products/{s}/" for s in slugs],
        "product API": [f"/api/v1/products/{s}" for s in slugs],
        "filtered list": lists,
        "search": searches,
    }


def memory_breakdown(root_pid: int) -> str:
    """Current resident memory of the server's processes: anonymous, file-backed, shared."""
    totals = {"RssAnon": 0, "RssFile": 0, "RssShmem": 0}
    pids = [root_pid] + [
        int(p.name) for p in Path("/proc").iterdir()
        if p.name.isdigit() and _parent(p) == root_pid
    ]  # fmt: skip
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for key in totals:
            match = re.search(rf"{key}:\s+(\d+) kB", status)
            if match:
                totals[key] += int(match.group(1))
    return ", ".join(f"{key} {value / 1024:.0f} MiB" for key, value in totals.items())


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def main() -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument(
        "--database", "--database-url", dest="database_url", default="",
        help="PostgreSQL URL (the database is created when missing); SQLite when empty",
    )  # fmt: skip
    parser.add_argument("--seconds", type=int, default=20, help="duration of each scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=0, help="threads per worker (serve's default)"
    )
    parser.add_argument("--port", type=int, default=18791)
    parser.add_argument(
        "--distinct", action="store_true", help="never repeat a URL (cold reads; see above)"
    )
    parser.add_argument("--only", nargs="*", default=[], help="scenarios to run (default: all)")
    parser.add_argument("--prepare-only", action="store_true", help="build the catalog, then stop")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    db = "postgres" if args.database_url else "sqlite"
    data_dir = OUT / f"serve-{args.products}-{db}"
    env = {
        **os.environ,
        "PRODUCTIZE_DATA_DIR": str(data_dir),
        "PRODUCTIZE_LOG_LEVEL": "WARNING",
        # Reads as an anonymous visitor (an organisation may allow it); no sign-in per request.
        "PRODUCTIZE_ANONYMOUS_READ": "1",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    prepare(args.products, env, data_dir)
    if args.prepare_only:
        return 0

    base = f"http://127.0.0.1:{args.port}"
    with socket.socket() as probe:  # another server there would be measured instead
        if probe.connect_ex(("127.0.0.1", args.port)) == 0:
            raise SystemExit(f"port {args.port} is in use: pick another with --port")
    exe = Path(sys.executable).with_name("productize")
    command = [str(exe), "serve", "--port", str(args.port), "--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    load_before = os.getloadavg()[0]
    try:
        wait_healthy(base)
        sets = distinct_scenarios(base) if args.distinct else scenarios(base)
        if args.only:
            sets = {name: paths for name, paths in sets.items() if name in args.only}
        if args.distinct:
            # One short pass over a different URL set per scenario: the workers have built
            # whatever they build once (imports, templates, per-version indexes), but the
            # measured URLs stay unread.
            for paths in scenarios(base).values():
                run_wrk(base, paths, 3, args.connections)
        else:
            for paths in sets.values():  # warm caches once, as a running server would be
                run_wrk(base, paths, 3, args.connections)
        rows = []
        for name, paths in sets.items():
            stats = run_wrk(base, paths, args.seconds, args.connections, distinct=args.distinct)
            rows.append((name, stats))
            print(f"{name}: {stats}", flush=True)
        memory = peak_rss_mib(server.pid)
        breakdown = memory_breakdown(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    mode = "distinct URLs" if args.distinct else "repeated URL set"
    print(f"\n{args.products} products, {db}, {args.workers} workers, "
          f"threads {args.threads or 'default'}, {args.connections} connections, "
          f"{args.seconds}s per scenario, {mode}; load average {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after\n")  # fmt: skip
    print("| scenario | median | p99 | req/s | requests | errors |")
    print("|---|---|---|---|---|---|")
    for name, s in rows:
        print(
            f"| {name} | {s['p50_ms']:.1f} ms | {s['p99_ms']:.1f} ms | {s['rps']:.0f} "
            f"| {s['requests']:.0f} | {s['errors']:.0f} |"
        )
    print(f"\npeak memory of the server processes: {memory:.0f} MiB (now: {breakdown})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
