"""`productize manage loop_maintain`: refresh pattern weights as time passes; resend notices.

A pattern's weight decays with the age of its feedback, but the cached value changes only
when its links do; run this daily (cron, or after a bulk import) to keep the sorting true.
It also delivers loop notices still queued (for example after a crash between the commit
and the delivery).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Command(BaseCommand):
    """Recompute cached pattern weights and deliver queued loop notices."""

    help = (
        "Recompute every open pattern's cached weight (recency decays daily) and deliver loop "
        "notices still queued. Example: productize manage loop_maintain --all"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        """--all includes closed patterns; --no-notices skips delivery."""
        parser.add_argument(
            "--all", action="store_true", help="closed patterns too (default: open ones only)"
        )
        parser.add_argument(
            "--no-notices", action="store_true", help="do not deliver queued notices"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Run both chores, with a progress bar for the weights."""
        from productize.loop import notifications
        from productize.loop.models import Pattern
        from productize.loop.selectors import CLOSED
        from productize.loop.services import recompute_weight

        patterns = Pattern.objects.all()
        if not options["all"]:
            patterns = patterns.exclude(status__in=CLOSED)
        ids = list(patterns.values_list("pk", flat=True))
        columns = (
            TextColumn("weights"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, transient=True, disable=not ids) as progress:
            task = progress.add_task("weights", total=len(ids))
            for pattern in Pattern.objects.filter(pk__in=ids).only("pk").iterator():
                recompute_weight(pattern)
                progress.advance(task)
        self.stdout.write(f"recomputed the weight of {len(ids)} patterns")
        if not options["no_notices"]:
            rows = notifications.deliver_pending()
            sent = sum(1 for r in rows if r.status == "sent")
            self.stdout.write(f"delivered {sent} of {len(rows)} queued notices")
