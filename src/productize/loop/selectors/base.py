"""Constants and small helpers the loop selectors share."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from productize.domain.loop.states import (
    IMPROVEMENT_ENDED,
    PATTERN_CLOSED,
    PatternStatus,
)
from productize.loop.models import (
    Feedback,
    PatternFeedback,
)

RECENT = 10
TOP_PATTERNS = 10
TREND_WEEKS = 12
RECENT_DAYS = 30  # "feedback, last 30 days"
QUIET_DAYS = 30  # a live product's loop that heard nothing for this long has gone quiet
DUE_SOON_DAYS = 14
ENDED = [str(s) for s in IMPROVEMENT_ENDED]
CLOSED = [str(s) for s in PATTERN_CLOSED]
OPEN_PATTERNS = [str(s) for s in PatternStatus if s not in PATTERN_CLOSED]
LIVE_STAGES = ("established", "growing", "maintained")


def unpatterned(queryset: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """Only the items linked to no pattern."""
    return queryset.filter(~Exists(PatternFeedback.objects.filter(feedback_id=OuterRef("pk"))))
