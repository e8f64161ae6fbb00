"""`productize worker`: refresh registered sources on their schedule."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from productize.commands.django_setup import setup_django

EXAMPLES = """\
examples:
  productize worker                 (run until stopped with Ctrl-C or SIGTERM)
  productize worker --interval 30   (look for due sources every 30 seconds)
  productize worker --once          (one pass, e.g. from cron)

A source is due when its schedule (`productize source add --every MINUTES`) has passed since
its last run, or when a refresh was requested (`productize source refresh --later`, or the
push webhook).
"""


def register(subparsers: Any) -> None:
    """Add the `worker` subcommand."""
    parser = subparsers.add_parser(
        "worker",
        help="refresh registered sources on their schedule (a long-running loop)",
        description="Ingest every registered source when it is due, one after another, "
        "until stopped. Stops cleanly on SIGTERM or SIGINT after the current run.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--once", action="store_true", help="one pass over due sources, then exit")
    parser.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="seconds between passes (default: 60)",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the refresh loop until a signal (or after one pass with --once)."""
    if args.interval <= 0:
        print("productize worker: --interval must be more than 0 seconds", file=sys.stderr)
        return 2
    setup_django()
    from productize.commands.manage import migrate_quietly
    from productize.ingest.models import IngestRun
    from productize.ingest.worker import run_worker

    migrate_quietly()
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        print(f"productize worker: {signal.Signals(signum).name}, stopping", flush=True)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

    failures = 0

    def report(runs: list[IngestRun]) -> None:
        nonlocal failures
        for run in runs:
            name = run.source.name if run.source else run.location
            print(
                f"{run.started_at:%Y-%m-%d %H:%M:%S} {name}: {run.status} — "
                f"{run.files_changed} changed, {run.created} created, {run.updated} updated, "
                f"{run.removed} removed, {run.errors} errors"
                + (f" ({run.message})" if run.message else ""),
                flush=True,
            )
            failures += run.status == "failed"

    if not args.once:
        print(f"productize worker: checking for due sources every {args.interval:g} s", flush=True)
    run_worker(interval=args.interval, once=args.once, stop=stop, on_pass=report)
    return 1 if args.once and failures else 0
