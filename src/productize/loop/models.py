"""The loop's tables: channels, feedback, patterns, improvements, milestones, roadmap.

Rows are written only by the loop's services (`productize.loop.services`, intake and
suggestions; ARCHITECTURE rule 1). Statuses come from the framework-free state machines in
`productize.domain.loop.states`; the services move them with `transition()`. Cached numbers
(a pattern's weight, its feedback count) are recomputed by the services whenever the links
behind them change, so that lists sort by them in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from productize.domain.loop.states import ImprovementStatus, PatternStatus


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(m.value, m.value.replace("-", " ")) for m in enum]  # type: ignore[attr-defined]


PATTERN_STATUS_CHOICES = _choices(PatternStatus)
IMPROVEMENT_STATUS_CHOICES = _choices(ImprovementStatus)


class ChannelKind(models.TextChoices):
    """Where a channel's feedback comes from."""

    SUPPORT = "support", "support"
    SALES = "sales", "sales"
    FORUM = "forum", "forum"
    CHAT = "chat", "chat"
    ISSUE_TRACKER = "issue-tracker", "issue tracker"
    SURVEY = "survey", "survey"
    FORM = "form", "form"
    API = "api", "API"
    OTHER = "other", "other"


class FeedbackChannel(models.Model):
    """A way feedback comes in, for one product or one loop, with its routing and notices.

    `routing_rules` is a list of rules (see `productize.domain.loop.routing`): the first rule
    whose keywords, tags or interface hint match routes an item to its product (and
    interface); otherwise `default_product`, else the channel's own product; else the item
    stays unrouted for triage. A channel with neither product nor loop is organisation-wide.
    `inbound_secret` signs the inbound webhook; `webhook_url` + `webhook_secret` receive the
    signed "your feedback was addressed" notices; `notify_email` e-mails the authors.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices, default=ChannelKind.OTHER)
    description = models.TextField(blank=True)
    # SET_NULL: a product leaving the catalog leaves its channels organisation-wide, so what
    # still arrives through them waits in triage instead of being refused (and lost).
    product = models.ForeignKey(
        "catalog.Product",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback_channels",
    )
    loop = models.ForeignKey(
        "catalog.Loop",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="feedback_channels",
    )
    url = models.CharField(max_length=2000, blank=True, help_text="Where people reach it.")
    is_active = models.BooleanField(default=True)
    routing_rules = models.JSONField(default=list, blank=True)
    default_product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inbound_secret = models.CharField(max_length=128, blank=True)
    notify_email = models.BooleanField(default=True)
    webhook_url = models.CharField(max_length=2000, blank=True)
    webhook_secret = models.CharField(max_length=128, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~(Q(product__isnull=False) & Q(loop__isnull=False)),
                name="channel_product_or_loop",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "name"], name="channel_product"),
            models.Index(fields=["loop", "name"], name="channel_loop"),
        ]

    def __str__(self) -> str:
        return self.name


class Feedback(models.Model):
    """One piece of feedback, stored as given; routed to a product (and interface) or not.

    `source_kind` + `source_key` identify the item in the place it came from (an issue
    number, a form submission id, a content hash); together with the channel they are
    unique, which makes imports idempotent. `created_at` is the time the source gives,
    `received_at` when productize got it. `author_person` links a signed-in giver.
    """

    channel = models.ForeignKey(
        FeedbackChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    interface = models.ForeignKey(
        "catalog.Interface",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="feedback",
    )
    source_kind = models.CharField(max_length=32, blank=True, help_text="e.g. form, api, github.")
    source_key = models.CharField(max_length=255, blank=True, help_text="Id in the source.")
    source_url = models.CharField(max_length=2000, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    author_contact = models.CharField(max_length=320, blank=True, help_text="E-mail or handle.")
    author_person = models.ForeignKey(
        "catalog.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="As the source gives it.")
    received_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=500, blank=True)
    text = models.TextField()
    text_hash = models.CharField(max_length=64, blank=True, help_text="sha256 of the text.")
    tags = models.JSONField(default=list, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_kind", "source_key"],
                condition=Q(channel__isnull=False) & ~Q(source_key=""),
                name="feedback_source_per_channel",
            ),
            models.UniqueConstraint(
                fields=["source_kind", "source_key"],
                condition=Q(channel__isnull=True) & ~Q(source_key=""),
                name="feedback_source_no_channel",
            ),
        ]
        indexes = [
            models.Index(fields=["product", "-created_at"], name="feedback_product_time"),
            models.Index(fields=["channel", "-created_at"], name="feedback_channel_time"),
            models.Index(fields=["interface", "-created_at"], name="feedback_interface_time"),
            models.Index(
                fields=["-received_at"],
                condition=Q(product__isnull=True),
                name="feedback_unrouted",
            ),
            models.Index(fields=["-created_at"], name="feedback_time"),
            models.Index(fields=["author_person", "-created_at"], name="feedback_person_time"),
            models.Index(fields=["text_hash"], name="feedback_text_hash"),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:60]


class Pattern(models.Model):
    """A recurring problem statement (not a solution), with a workaround and linked feedback.

    `weight`, `feedback_count`, `distinct_authors` and `last_feedback_at` are a cache of
    `domain.loop.weight.pattern_weight` over the linked feedback, refreshed by the services
    when links change (and by `recompute_weights` as time passes), so lists sort in SQL.
    """

    title = models.CharField(max_length=300, help_text="The problem statement.")
    description = models.TextField(blank=True)
    workaround = models.TextField(blank=True)
    owner = models.ForeignKey(
        "catalog.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="patterns"
    )
    status = models.CharField(
        max_length=32, choices=PATTERN_STATUS_CHOICES, default=PatternStatus.OPEN.value
    )
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="patterns")
    interfaces = models.ManyToManyField("catalog.Interface", blank=True, related_name="patterns")
    related = models.ManyToManyField("self", blank=True, symmetrical=True)
    feedback = models.ManyToManyField(
        Feedback, through="PatternFeedback", blank=True, related_name="patterns"
    )
    weight = models.FloatField(default=0.0)
    feedback_count = models.PositiveIntegerField(default=0)
    distinct_authors = models.PositiveIntegerField(default=0)
    last_feedback_at = models.DateTimeField(null=True, blank=True)
    weight_computed_at = models.DateTimeField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-weight", "-id"]
        indexes = [
            models.Index(fields=["status", "-weight"], name="pattern_status_weight"),
            models.Index(fields=["-weight"], name="pattern_weight"),
            models.Index(fields=["owner", "status"], name="pattern_owner_status"),
        ]

    def __str__(self) -> str:
        return self.title


class PatternFeedback(models.Model):
    """A feedback item linked to a pattern (the evidence behind the pattern's weight)."""

    pattern = models.ForeignKey(Pattern, on_delete=models.CASCADE, related_name="links")
    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="pattern_links")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.CharField(max_length=255, blank=True, help_text="Actor label.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pattern", "feedback"], name="patternfeedback_unique"),
        ]
        indexes = [models.Index(fields=["feedback"], name="patternfeedback_feedback")]

    def __str__(self) -> str:
        return f"{self.feedback_id} -> {self.pattern_id}"


class Improvement(models.Model):
    """Work that addresses patterns: a specification, a status, milestones and people.

    `specification` is Markdown, pre-filled from the patterns by
    `domain.loop.spec_template.prefilled_specification`. `effort_weeks` (person-weeks) and
    `confidence` (0-1) are the owner's estimates that feed the roadmap priority.
    """

    title = models.CharField(max_length=300)
    specification = models.TextField(blank=True)
    status = models.CharField(
        max_length=32, choices=IMPROVEMENT_STATUS_CHOICES, default=ImprovementStatus.PROPOSED.value
    )
    patterns = models.ManyToManyField(Pattern, blank=True, related_name="improvements")
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="improvements")
    effort_weeks = models.FloatField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="improvement_status")]

    def __str__(self) -> str:
        return self.title


class ImprovementRole(models.TextChoices):
    """The part a person plays in an improvement."""

    OWNER = "owner", "owner"
    GUIDE = "guide", "guide"
    DEDICATED = "dedicated", "dedicated"
    CONTRIBUTOR = "contributor", "contributor"
    OBSERVER = "observer", "observer"


class ImprovementPerson(models.Model):
    """A person in a role on an improvement."""

    improvement = models.ForeignKey(Improvement, on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        "catalog.Person", on_delete=models.CASCADE, related_name="improvement_roles"
    )
    role = models.CharField(max_length=16, choices=ImprovementRole.choices)

    class Meta:
        ordering = ["improvement_id", "role", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["improvement", "person", "role"], name="improvementperson_unique"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"], name="improvementperson_person")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.role} of {self.improvement_id}"


class MilestoneKind(models.TextChoices):
    """Whether a milestone belongs to the minimum viable set or is a stretch goal."""

    MVP = "mvp", "MVP"
    STRETCH = "stretch", "stretch"


class Milestone(models.Model):
    """An ordered step of an improvement; progress is the share of milestones done."""

    improvement = models.ForeignKey(
        Improvement, on_delete=models.CASCADE, related_name="milestones"
    )
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=8, choices=MilestoneKind.choices, default=MilestoneKind.MVP)
    depends_on = models.ManyToManyField(
        "self", blank=True, symmetrical=False, related_name="dependents"
    )
    due_date = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["improvement_id", "position", "id"]
        indexes = [
            models.Index(fields=["improvement", "position"], name="milestone_order"),
            models.Index(fields=["due_date"], condition=Q(done_at__isnull=True), name="ms_due"),
        ]

    def __str__(self) -> str:
        return self.title


class RoadmapColumn(models.TextChoices):
    """Where on a product's roadmap an improvement sits."""

    NOW = "now", "now"
    NEXT = "next", "next"
    LATER = "later", "later"


class RoadmapEntry(models.Model):
    """An improvement placed on a product's roadmap, with a rationale and an optional override.

    The priority is computed from pattern weights, the product's reach and the improvement's
    estimates (`domain.loop.priority`); `priority_override` replaces it when the owner says
    so, with `override_reason` kept beside it.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="roadmap_entries"
    )
    improvement = models.ForeignKey(
        Improvement, on_delete=models.CASCADE, related_name="roadmap_entries"
    )
    column = models.CharField(max_length=8, choices=RoadmapColumn.choices, default="later")
    position = models.PositiveIntegerField(default=0)
    rationale = models.TextField(blank=True)
    priority_override = models.FloatField(null=True, blank=True)
    override_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product_id", "column", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "improvement"], name="roadmap_unique"),
        ]
        indexes = [
            models.Index(fields=["product", "column", "position"], name="roadmap_order"),
        ]

    def __str__(self) -> str:
        return f"{self.improvement_id} {self.column} on {self.product_id}"


class SuggestionKind(models.TextChoices):
    """A proposed new pattern, or a proposed link of feedback to an existing pattern."""

    NEW_PATTERN = "new-pattern", "new pattern"
    LINK = "link", "link to pattern"


class SuggestionStatus(models.TextChoices):
    """What a person decided about a suggestion."""

    OPEN = "open", "open"
    ACCEPTED = "accepted", "accepted"
    DISMISSED = "dismissed", "dismissed"


class Suggestion(models.Model):
    """A system proposal for people to accept, edit or dismiss; dismissals are remembered.

    `member_ids` keeps the feedback ids as proposed (they outlive deleted feedback, so the
    dismissal memory still compares member sets with `domain.loop.suggest.filter_dismissed`);
    `fingerprint` is the sha256 of the sorted ids (plus the pattern for a link), so the
    exact same proposal is found with one indexed query.
    """

    kind = models.CharField(max_length=16, choices=SuggestionKind.choices)
    status = models.CharField(
        max_length=16, choices=SuggestionStatus.choices, default=SuggestionStatus.OPEN
    )
    product = models.ForeignKey(
        "catalog.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    pattern = models.ForeignKey(
        Pattern, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    members = models.ManyToManyField(Feedback, blank=True, related_name="suggestions")
    member_ids = models.JSONField(default=list, blank=True)
    proposed_title = models.CharField(max_length=300, blank=True)
    terms = models.JSONField(default=list, blank=True)
    score = models.FloatField(default=0.0, help_text="Confidence or similarity, 0-1.")
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=255, blank=True, help_text="Actor label.")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-score", "-id"]
        indexes = [
            models.Index(fields=["status", "kind", "-score"], name="suggestion_status"),
            models.Index(fields=["fingerprint"], name="suggestion_fingerprint"),
            models.Index(fields=["product", "status"], name="suggestion_product"),
        ]

    def __str__(self) -> str:
        return self.proposed_title or f"{self.kind} suggestion"


class NotificationMedium(models.TextChoices):
    """How a notice was sent."""

    EMAIL = "email", "e-mail"
    WEBHOOK = "webhook", "webhook"


class NotificationStatus(models.TextChoices):
    """Where a notice's delivery stands."""

    QUEUED = "queued", "queued"
    SENT = "sent", "sent"
    FAILED = "failed", "failed"
    SKIPPED = "skipped", "skipped"


class Notification(models.Model):
    """One delivery of a loop notice (e-mail or webhook), with its outcome: the delivery log."""

    medium = models.CharField(max_length=8, choices=NotificationMedium.choices)
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    event = models.CharField(max_length=64, default="improvement.completed")
    target = models.CharField(max_length=2000, help_text="Address or URL.")
    channel = models.ForeignKey(
        FeedbackChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.ForeignKey(
        Feedback, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    person = models.ForeignKey(
        "catalog.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    improvement = models.ForeignKey(
        Improvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    payload = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="notification_status"),
            models.Index(fields=["improvement", "-created_at"], name="notification_improvement"),
        ]

    def __str__(self) -> str:
        return f"{self.medium} to {self.target}: {self.status}"
