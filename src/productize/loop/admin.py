"""Django admin for operators: the loop's tables, read-only.

Loop rows change only through the services (ARCHITECTURE rule 1: permission checks and the
audit log), so the admin shows them and never edits them.
"""

from __future__ import annotations

from django.contrib import admin

from productize.catalog.admin import ReadOnlyAdmin
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    Notification,
    Pattern,
    RoadmapEntry,
    Suggestion,
)


@admin.register(FeedbackChannel)
class FeedbackChannelAdmin(ReadOnlyAdmin):
    """Channels (secrets are not shown)."""

    list_display = ("name", "kind", "product", "loop", "is_active", "notify_email")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)
    exclude = ("inbound_secret", "webhook_secret")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    """Feedback, newest first."""

    list_display = ("id", "title", "product", "channel", "author_name", "created_at")
    list_filter = ("source_kind",)
    search_fields = ("title", "text", "author_name")
    raw_id_fields = ("channel", "product", "interface", "author_person", "submitted_by")


@admin.register(Pattern)
class PatternAdmin(ReadOnlyAdmin):
    """Patterns by weight."""

    list_display = ("title", "status", "weight", "feedback_count", "owner")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Improvement)
class ImprovementAdmin(ReadOnlyAdmin):
    """Improvements."""

    list_display = ("title", "status", "effort_weeks", "confidence", "completed_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdmin):
    """Milestones."""

    list_display = ("title", "improvement", "kind", "position", "due_date", "done_at")


@admin.register(RoadmapEntry)
class RoadmapEntryAdmin(ReadOnlyAdmin):
    """Roadmap placements."""

    list_display = ("product", "improvement", "column", "position", "priority_override")


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    """Suggestions and remembered dismissals."""

    list_display = ("kind", "status", "proposed_title", "score", "created_at")
    list_filter = ("kind", "status")


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """The delivery log of loop notices."""

    list_display = ("medium", "target", "status", "improvement", "attempts", "created_at")
    list_filter = ("medium", "status")
