"""Serve a large catalog with `productize serve` and load it with wrk over loopback.

Scenarios (issue 3): product page, product API, filtered list, search — each under 8
concurrent connections for a fixed time, reporting median and 99th-percentile latency,
throughput, errors, and the peak memory of the server's processes.

    python bench/bench_serve.py --products 100000 [--database-url postgres://...]

It reuses an already-ingested data directory when present (`bench/out/serve-<N>-<db>`), so
the catalog is built once. Needs `wrk` (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
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


def productize(env: dict[str, str], *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run the productize CLI of this checkout's virtualenv."""
    exe = Path(sys.executable).with_name("productize")
    return subprocess.run([str(exe), *args], env=env, check=True, **kwargs)


def prepare(n: int, env: dict[str, str], data_dir: Path) -> None:
    """Generate and ingest a catalog of n products once; later runs reuse it."""
    marker = data_dir / "ingested.json"
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
    marker.write_text(json.dumps({"ingest_seconds": time.perf_counter() - started}))


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


def run_wrk(base: str, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    """Load the server with wrk over a random choice of the given paths."""
    with tempfile.TemporaryDirectory() as tmp:
        path_file = Path(tmp) / "paths.txt"
        path_file.write_text("\n".join(paths) + "\n")
        script = Path(tmp) / "paths.lua"
        script.write_text(LUA % (path_file, 1))
        result = subprocess.run(
            [
                "wrk", "--latency", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
                "-s", str(script), base,
            ],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
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


def main() -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL; SQLite when empty")
    parser.add_argument("--seconds", type=int, default=20, help="duration of each scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
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

    base = f"http://127.0.0.1:{args.port}"
    exe = Path(sys.executable).with_name("productize")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        wait_healthy(base)
        sets = scenarios(base)
        for paths in sets.values():  # warm caches once, as a running server would be
            run_wrk(base, paths, 3, args.connections)
        rows = []
        for name, paths in sets.items():
            stats = run_wrk(base, paths, args.seconds, args.connections)
            rows.append((name, stats))
            print(f"{name}: {stats}", flush=True)
        memory = peak_rss_mib(server.pid)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    print(f"\n{args.products} products, {db}, {args.workers} workers, "
          f"{args.connections} connections, {args.seconds}s per scenario\n")  # fmt: skip
    print("| scenario | median | p99 | req/s | requests | errors |")
    print("|---|---|---|---|---|---|")
    for name, s in rows:
        print(
            f"| {name} | {s['p50_ms']:.1f} ms | {s['p99_ms']:.1f} ms | {s['rps']:.0f} "
            f"| {s['requests']:.0f} | {s['errors']:.0f} |"
        )
    print(f"\npeak memory of the server processes: {memory:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
