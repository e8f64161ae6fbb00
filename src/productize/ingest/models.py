"""Ingest bookkeeping: registered sources, their runs, the files seen and the problems found."""

from __future__ import annotations

from django.db import models


class SourceKind(models.TextChoices):
    """Where descriptors are read from."""

    DIRECTORY = "directory", "directory"
    GIT = "git", "git repository"


class SourceFormat(models.TextChoices):
    """Which files of a source are read, and as what (docs/backstage.md)."""

    AUTO = "auto", "productize descriptors and Backstage catalog-info files"
    BACKSTAGE = "backstage", "every YAML file as a Backstage catalog file"


class Source(models.Model):
    """A directory or git repository whose descriptors feed the catalog."""

    name = models.SlugField(max_length=63, unique=True)
    kind = models.CharField(max_length=16, choices=SourceKind.choices)
    location = models.CharField(
        max_length=2000, help_text="A directory path, or a git URL (credentials never shown)."
    )
    branch = models.CharField(max_length=255, blank=True)
    subpath = models.CharField(max_length=1000, blank=True)
    format = models.CharField(
        max_length=16, choices=SourceFormat.choices, default=SourceFormat.AUTO
    )
    backstage_names = models.CharField(
        max_length=500,
        blank=True,
        help_text="Comma-separated names (or glob patterns) of Backstage files; blank: the "
        "PRODUCTIZE_BACKSTAGE_FILE_NAMES setting.",
    )
    schedule_minutes = models.PositiveIntegerField(
        default=60, help_text="How often `productize worker` refreshes it; 0 = never."
    )
    enabled = models.BooleanField(default=True)
    # sha256 of the webhook secret; the secret itself is shown once, at creation.
    webhook_secret_hash = models.CharField(max_length=64, blank=True)
    last_commit = models.CharField(max_length=64, blank=True)
    # Set by a webhook (or `productize source refresh --later`); the worker runs it next.
    refresh_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    """How an ingest run ended."""

    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    PARTIAL = "partial", "succeeded with errors"
    FAILED = "failed", "failed"


class IngestRun(models.Model):
    """One pass over a source: what was seen, changed and found wrong."""

    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="runs"
    )
    location = models.CharField(max_length=2000, help_text="As given, credentials removed.")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    commit_message = models.TextField(blank=True)
    files_seen = models.PositiveIntegerField(default=0)
    files_changed = models.PositiveIntegerField(default=0)
    files_skipped = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why a run failed as a whole.")

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="run_source_started")]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.source or self.location}"


class SourceFile(models.Model):
    """A descriptor file last seen in a source, with its content hash (for incremental runs)."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64)
    # Size and modification time when the hash was taken: when both are unchanged the file
    # is not read again (as git does). 0 = unknown, always read (git checkouts, recent files).
    size = models.BigIntegerField(default=0)
    mtime_ns = models.BigIntegerField(default=0)
    product_slugs = models.JSONField(default=list, blank=True)
    # Re-read on the next run even if unchanged: its documents were refused for reasons that
    # may go away without the file changing (an id claimed elsewhere, a missing reference).
    recheck = models.BooleanField(default=False)
    last_run = models.ForeignKey(IngestRun, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "path"], name="sourcefile_unique"),
        ]

    def __str__(self) -> str:
        return self.path


class IngestProblem(models.Model):
    """A finding from an ingest run, located in a file, and tied to a product when known."""

    run = models.ForeignKey(IngestRun, on_delete=models.CASCADE, related_name="problems")
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="problems"
    )
    path = models.CharField(max_length=1000)
    line = models.PositiveIntegerField(default=0)
    column = models.PositiveIntegerField(default=0)
    severity = models.CharField(max_length=8)
    code = models.CharField(max_length=64)
    message = models.TextField()
    hint = models.TextField(blank=True)
    field = models.CharField(max_length=500, blank=True)
    product_slug = models.SlugField(max_length=63, blank=True, db_index=True)
    # For a clash between sources: the other source, whose runs keep this problem up to date.
    related_source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # True while it is the latest word on that file: cleared when a later run re-reads the file.
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["path", "line", "column"]
        indexes = [
            models.Index(fields=["source", "current"], name="problem_source_current"),
            models.Index(fields=["product_slug", "current"], name="problem_product_current"),
        ]

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"
