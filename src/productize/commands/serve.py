"""`productize serve`: apply migrations, collect static files, and serve with granian."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from typing import Any

from productize.commands.django_setup import setup_django

DEFAULT_THREADS = 4
EXAMPLES = """\
examples:
  productize serve                          (http://127.0.0.1:8000)
  productize serve --port 8080 --workers 4
  PRODUCTIZE_ALLOWED_HOSTS=catalog.example.com productize serve --host 0.0.0.0

Serves the WSGI application with granian: --workers processes (or PRODUCTIZE_WORKERS; a
good start is one per CPU core), each with --threads request threads. Static files are
collected into PRODUCTIZE_DATA_DIR/static and served by granian itself.
"""


def register(subparsers: Any) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="apply migrations and serve the catalog (web UI, API, admin)",
        description="Apply database migrations, collect static files, then serve the catalog "
        "with granian. Binds to 127.0.0.1 unless told otherwise.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_server_arguments(parser)
    parser.set_defaults(handler=handle)


def add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """--host, --port and --workers (defaults from PRODUCTIZE_HOST/PORT/WORKERS)."""
    parser.add_argument(
        "--host", default=None, help="address to bind (default: PRODUCTIZE_HOST or 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=None, help="port (default: PRODUCTIZE_PORT or 8000)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes (default: PRODUCTIZE_WORKERS or 2)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        metavar="N",
        help=f"request threads per worker (default: {DEFAULT_THREADS}); each holds its own "
        "database connection",
    )


def granian_command(host: str, port: int, workers: int, threads: int = 4) -> list[str]:
    """The granian command line that serves `productize.wsgi:application`."""
    from django.conf import settings

    executable = shutil.which("granian", path=os.path.dirname(sys.executable)) or shutil.which(
        "granian"
    )
    base = [executable] if executable else [sys.executable, "-m", "granian"]
    return [
        *base,
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # Granian's WSGI default is hundreds of threads per worker: with the GIL that only adds
        # contention, and each thread would hold a database connection of its own.
        "--blocking-threads",
        str(threads),
        "--backpressure",
        str(threads * 2),
        "--static-path-route",
        "/" + settings.STATIC_URL.strip("/"),
        "--static-path-mount",
        str(settings.STATIC_ROOT),
        "--no-ws",
        # SIGTERM waits for requests in flight, but not forever.
        "--workers-kill-timeout",
        "15",
        "productize.wsgi:application",
    ]


def prepare_and_serve(args: argparse.Namespace) -> int:
    """Migrate, collect static files, then replace this process with granian."""
    from django.conf import settings
    from django.core.management import call_command

    from productize.commands.manage import migrate_quietly

    host = args.host or settings.SERVE_HOST
    port = args.port or settings.SERVE_PORT
    workers = args.workers or settings.SERVE_WORKERS
    threads = args.threads
    if not 1 <= port <= 65535 or workers < 1 or threads < 1:
        print(
            "productize serve: --port must be 1-65535, --workers and --threads at least 1",
            file=sys.stderr,
        )
        return 2
    migrate_quietly()
    call_command("collectstatic", interactive=False, verbosity=0)
    from productize.accounts.bootstrap import first_admin_hint

    hint = first_admin_hint()
    if hint:
        print(hint, flush=True)
    command = granian_command(host, port, workers, threads)
    shown = f"[{host}]" if ":" in host else host
    print(f"serving on http://{shown}:{port}/ with {workers} worker(s); Ctrl-C stops", flush=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "productize.settings")
    sys.stdout.flush()
    sys.stderr.flush()
    # exec: granian becomes this process, so signals (Ctrl-C, SIGTERM) reach it directly.
    os.execv(command[0], command)  # noqa: S606 - a fixed program with our own arguments
    return 0  # pragma: no cover - execv does not return


def handle(args: argparse.Namespace) -> int:
    """`productize serve`."""
    setup_django()
    return prepare_and_serve(args)
