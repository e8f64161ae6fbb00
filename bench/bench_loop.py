"""The loop's speed targets: bulk feedback intake over HTTP, and pattern suggestions.

    python bench/bench_loop.py [--items 100000] [--batch 5000] [--clients 2]
                               [--suggest 10000] [--database-url postgres://...]

1. Intake: a real `productize serve` (2 workers) on loopback, the demo organisation ingested,
   one organisation-wide channel with routing rules; `--items` realistic feedback items
   (tests/fixtures/feedback/make_labelled.py) POSTed to /api/v1/feedback in batches of
   `--batch` by `--clients` concurrent clients with a write token. Target: >= 1,000 items/s.
   A batch is then sent again to check that it stores nothing (idempotency).
2. Suggestions: `refresh_suggestions` (the service: read, group, store, audit) over the
   `--suggest` unpatterned items of one product, in a fresh process. Target: < 60 s.

Peak memory: VmHWM summed over the server's processes, and the suggestion process's maxrss.
Every run starts from an empty data directory (bench/out/loop-<db>), removed first.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "feedback"))

TARGET_PRODUCT = "recipes"  # gets exactly --suggest items, the suggestion benchmark's set
RULES = [
    {"product": "shop-app", "keywords": ["app", "login", "checkout", "basket", "promo"]},
    {"product": "driver-app", "keywords": ["driver", "route", "delivery", "van"]},
    {"product": "farm-payouts", "keywords": ["payout", "invoice", "farm"]},
]


def productize(env: dict[str, str], *args: str, **kwargs: Any) -> subprocess.CompletedProcess[Any]:
    """Run this checkout's `productize` CLI."""
    exe = Path(sys.executable).with_name("productize")
    return subprocess.run([str(exe), *args], env=env, check=True, **kwargs)


def phase(env: dict[str, str], name: str, *args: str) -> dict[str, Any]:
    """Run one phase of this script in a fresh Python process; its JSON answer."""
    done = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- phases run in their own process (Django set up from the environment) ---------------------


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")
    import django

    django.setup()


def setup_phase() -> dict[str, Any]:
    """A write token for a member, and the channel (through the services)."""
    _django()
    from productize.accounts.services import token_create, user_create
    from productize.audit.services import Actor
    from productize.loop.services.channels import create_channel

    system = Actor.system("bench")
    user = user_create(actor=system, username="bench", password=None, email="bench@example.com")
    token = token_create(actor=system, user=user, name="bench", scope="write")
    channel = create_channel(system, name="bench inbox", kind="api", routing_rules=RULES)
    return {"token": token.secret, "channel": channel.pk}


def suggest_phase(product: str) -> dict[str, Any]:
    """Time `refresh_suggestions` over one product's unpatterned feedback."""
    _django()
    # A serving process has imported scikit-learn already; a fresh one pays it once (seconds).
    import sklearn.feature_extraction.text  # noqa: F401

    from productize.audit.services import Actor
    from productize.catalog.models import Product
    from productize.loop.suggestions import refresh_suggestions, unpatterned

    target = Product.objects.get(slug=product)
    items = unpatterned(target).count()
    start, cpu = time.perf_counter(), time.process_time()
    outcome = refresh_suggestions(Actor.system("bench"), product=target)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "items": items,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "patterns": outcome.patterns,
        "links": outcome.links,
        "maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


# --- the driver ------------------------------------------------------------------------------


def feedback_items(n: int, suggest: int) -> list[dict[str, Any]]:
    """`suggest` items for the target product, then realistic items for the others."""
    from make_labelled import generate

    target = generate(suggest, seed=99)  # the set bench_suggest.py times, routed to one product
    rest = generate(max(0, n - suggest), seed=7)
    items = []
    for i, row in enumerate([*target, *rest]):
        product = TARGET_PRODUCT if i < suggest else (row.get("product") or "")
        items.append(
            {
                "text": row["text"],
                "product": product,
                "author": row["author"],
                "author_contact": row["author_contact"],
                "created_at": row["created_at"],
                "source": str(row["source"]),
                "external_id": f"bench-{i}",
            }
        )
    return items


def post_batches(
    port: int, token: str, channel: int, batches: list[list[dict[str, Any]]], clients: int
) -> tuple[float, int, list[str]]:
    """Send the batches over `clients` keep-alive connections; seconds, items created, errors."""
    bodies = [json.dumps(batch).encode() for batch in batches]
    created = 0
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(range(len(bodies)))

    def worker() -> None:
        nonlocal created
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        while True:
            with lock:
                if not queue:
                    break
                index = queue.pop(0)
            connection.request(
                "POST", f"/api/v1/feedback?channel={channel}", bodies[index], headers
            )
            response = connection.getresponse()
            payload = response.read()
            with lock:
                if response.status in (200, 201):
                    created += len(json.loads(payload)["created"])
                else:
                    errors.append(f"{response.status}: {payload[:300]!r}")
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start, created, errors


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds used so far by a process tree (from /proc)."""
    pids = {root_pid}
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in pids:
                pids.add(int(proc.name))
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
    return total / os.sysconf("SC_CLK_TCK")


def wait_healthy(port: int, timeout: float = 120.0) -> None:
    """Until /healthz answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("server did not become healthy")


def main() -> int:
    """Run both benchmarks and print the figures as Markdown."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--suggest", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--product", default=TARGET_PRODUCT, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "setup":
        print(json.dumps(setup_phase()))
        return 0
    if args.phase == "suggest":
        print(json.dumps(suggest_phase(args.product)))
        return 0

    from bench_serve import peak_rss_mib

    db = "postgres" if args.database_url else "sqlite"
    data_dir = OUT / f"loop-{db}"
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    env = {**os.environ, "PRODUCTIZE_DATA_DIR": str(data_dir), "PRODUCTIZE_LOG_LEVEL": "WARNING"}
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    productize(env, "manage", "migrate", "--no-input", stdout=subprocess.DEVNULL)
    if args.database_url:  # start empty, as the SQLite run does
        productize(env, "manage", "flush", "--no-input", stdout=subprocess.DEVNULL)
    productize(env, "ingest", str(ROOT / "src" / "productize" / "demo" / "org"), "-q",
               stdout=subprocess.DEVNULL)  # fmt: skip
    ids = phase(env, "setup")
    items = feedback_items(args.items, args.suggest)
    batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]
    exe = Path(sys.executable).with_name("productize")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(args.port), "--workers", str(args.workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_healthy(args.port)
        cpu_before = cpu_seconds(server.pid)
        seconds, created, errors = post_batches(
            args.port, ids["token"], ids["channel"], batches, args.clients
        )
        server_cpu = cpu_seconds(server.pid) - cpu_before
        again_seconds, again_created, again_errors = post_batches(
            args.port, ids["token"], ids["channel"], batches[:1], 1
        )
        server_mib = peak_rss_mib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    suggested = phase(env, "suggest", "--product", TARGET_PRODUCT)
    rate = created / seconds if seconds else 0.0
    print(f"| database | {db} |")
    print("|---|---|")
    print(
        f"| intake: items stored | {created:,} of {len(items):,} ({len(errors)} failed batches) |"
    )
    print(f"| intake: time | {seconds:.1f} s |")
    print(f"| intake: rate | **{rate:,.0f} items/s** ({len(batches)} batches of {args.batch:,}, "
          f"{args.clients} clients, {args.workers} server workers) |")  # fmt: skip
    per_cpu = created / max(server_cpu, 0.01)
    print(f"| intake: server CPU | {server_cpu:.1f} s, {per_cpu:,.0f} items per CPU-second |")
    print(f"| re-sent batch of {len(batches[0]):,} | {again_created} stored, "
          f"{again_seconds:.2f} s ({len(again_errors)} errors) |")  # fmt: skip
    print(f"| server peak memory (all processes) | {server_mib:,.0f} MiB |")
    print(f"| suggestions: unpatterned items | {suggested['items']:,} |")
    print(f"| suggestions: refresh_suggestions | **{suggested['seconds']:.1f} s**, "
          f"{suggested['patterns']} patterns, {suggested['links']} links proposed |")  # fmt: skip
    print(f"| suggestions: CPU time | {suggested['cpu_seconds']:.1f} s |")
    print(f"| suggestions: peak memory | {suggested['maxrss_mib']:,.0f} MiB |")
    for error in errors[:5]:
        print("error:", error, file=sys.stderr)
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
