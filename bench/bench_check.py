"""Benchmark `productize check` on a large generated catalog.

    python bench/bench_check.py                       # 10,000 products in a temporary directory
    python bench/bench_check.py --dir /tmp/cat10k     # generate once there, reuse afterwards
    python bench/bench_check.py --jobs 1              # without worker processes

Runs `productize check` as a subprocess (its output thrown away), several times, and prints
the wall time of each run and the peak resident memory of the process tree. The target is
under 10 s for 10,000 products on a 2-core machine; figures go in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_products import generate


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_once(command: list[str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS in KiB (largest process) and the exit status.

    CPU time (user + system, the check and its worker processes) is reported because wall time
    swings with whatever else the machine runs.
    """
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if process.stderr is not None:
        process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode


def main() -> None:
    """Generate (or reuse) a catalog and time `productize check` on it."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, help="catalog directory (generated when missing)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, help="passed to `productize check --jobs`")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="productize-bench-") as scratch:
        catalog = args.dir or Path(scratch) / "catalog"
        if not (catalog / "organization.yaml").exists():
            started = time.perf_counter()
            generate(args.products, catalog, args.seed)
            print(f"generated {args.products} products in {time.perf_counter() - started:.1f} s")
        command = [sys.executable, "-m", "productize", "check", str(catalog)]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        print("command:", " ".join(command))
        times = []
        for i in range(args.repeat):
            elapsed, cpu, rss_kib, status = run_once(command)
            times.append(elapsed)
            load = os.getloadavg()[0]
            print(
                f"run {i + 1}: {elapsed:.2f} s wall, {cpu:.2f} s CPU, peak RSS "
                f"{rss_kib / 1024:.0f} MiB, exit {status} (load average {load:.2f})"
            )
        print(
            f"best {min(times):.2f} s, median {statistics.median(times):.2f} s "
            f"({os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()})"
        )


if __name__ == "__main__":
    main()
