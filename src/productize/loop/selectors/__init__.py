"""Reads about the loop that the pages and the API share: summaries, details, my loop, org view.

Counts and trends are aggregated in SQL and lists are paged, so a product with tens of
thousands of feedback items reads as fast as one with ten. The domain modules explain the
numbers (weight, priority, verification); these functions gather what they need.
"""

from productize.loop.selectors.base import (
    CLOSED,
    DUE_SOON_DAYS,
    ENDED,
    LIVE_STAGES,
    OPEN_PATTERNS,
    QUIET_DAYS,
    RECENT,
    TOP_PATTERNS,
    TREND_WEEKS,
    unpatterned,
)
from productize.loop.selectors.feedback import (
    channel_page,
    channels_for,
    feedback_get,
    feedback_page,
    feedback_totals,
    loop_chain,
    weekly_counts,
)
from productize.loop.selectors.views import (
    LoopSummary,
    MyLoop,
    OrgLoop,
    loop_summary,
    my_loop,
    org_loop,
    owned_products,
)
from productize.loop.selectors.work import (
    PATTERN_ORDER,
    ImprovementDetail,
    PatternDetail,
    Progress,
    RoadmapItem,
    improvement_detail,
    improvement_get,
    improvement_page,
    improvements_by_status,
    pattern_detail,
    pattern_page,
    pattern_weight_total,
    priority_of,
    progress_of,
    reach_of,
    roadmap,
    roadmap_entry_get,
)

__all__ = [
    "CLOSED", "DUE_SOON_DAYS", "ENDED", "LIVE_STAGES", "OPEN_PATTERNS", "PATTERN_ORDER",
    "QUIET_DAYS", "RECENT", "TOP_PATTERNS", "TREND_WEEKS", "ImprovementDetail", "LoopSummary",
    "MyLoop", "OrgLoop", "PatternDetail", "Progress", "RoadmapItem", "channel_page",
    "channels_for", "feedback_get", "feedback_page", "feedback_totals", "improvement_detail",
    "improvement_get", "improvement_page", "improvements_by_status", "loop_chain", "loop_summary",
    "my_loop", "org_loop", "owned_products", "pattern_detail", "pattern_page",
    "pattern_weight_total", "priority_of", "progress_of", "reach_of", "roadmap",
    "roadmap_entry_get", "unpatterned", "weekly_counts",
]  # fmt: skip
