"""Run the benchmarks one after another (slow: builds catalogs of up to 100,000 products).

    python bench/run_all.py [--quick]

`--quick` uses small catalogs to check that every benchmark still runs; the figures in
RESULTS.md come from the full sizes, with the commands recorded there.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    """Run each benchmark script; stop at the first failure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a smoke run")
    args = parser.parse_args()
    runs: list[list[str]] = [
        ["bench_check.py"] + (["--products", "1000"] if args.quick else []),
        ["bench_ingest.py"] + (["--sizes", "1000"] if args.quick else []),
        ["bench_serve.py"] + (["--products", "1000", "--seconds", "3"] if args.quick else []),
        ["graph_timing.py"] + (["--products", "2000"] if args.quick else []),
        ["bench_suggest.py"] + (["--size", "1000"] if args.quick else []),
    ]
    for script, *rest in runs:
        print(f"== {script} {' '.join(rest)}", flush=True)
        result = subprocess.run([sys.executable, str(HERE / script), *rest])
        if result.returncode != 0:
            return result.returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
