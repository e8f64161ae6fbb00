"""Assessment tables: the current result per product, its history, gaps and org findings.

`ProductAssessment` holds one row per product (the current result), so "the current result
of every product" is a plain table scan or index lookup at 100,000 products. History is
append-only and only grows when a result changed. `AssessmentGap` holds one row per product
and characteristic that is not met (or partly met), so the catalog filter "failing X" and the
"worst gaps" count use an index instead of reading JSON.
"""

from __future__ import annotations

from django.db import models

from productize.catalog.models import Product


class ProductAssessment(models.Model):
    """The current assessment of one product, with the digests of the inputs it used."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="assessment")
    assessed_at = models.DateTimeField()
    changed_at = models.DateTimeField(help_text="When the result last changed.")
    level = models.CharField(max_length=16)
    level_rank = models.PositiveSmallIntegerField(help_text="0 = none ... 5 = maintained.")
    score = models.PositiveSmallIntegerField()
    not_yet_a_product = models.BooleanField(default=False)
    result = models.JSONField(help_text="`Assessment.as_dict()`.")
    # The inputs, by digest: what changed is what caused a new result.
    descriptor_digest = models.CharField(max_length=64, blank=True)
    repository_digest = models.CharField(max_length=64, blank=True)
    catalog_digest = models.CharField(max_length=64, blank=True)
    loop_digest = models.CharField(max_length=64, blank=True)
    characteristics_digest = models.CharField(max_length=64, blank=True)
    # The last repository evidence seen, reused when re-assessing without a working tree.
    repository = models.JSONField(null=True, blank=True)
    # Provider product ids it consumed, so that dropping a consumption re-assesses them too.
    provider_refs = models.JSONField(default=list, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["level_rank", "product"], name="assessment_level"),
            models.Index(fields=["not_yet_a_product"], name="assessment_not_yet"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.level}"


class AssessmentHistory(models.Model):
    """One change of a product's result: level, score, statuses, and why it changed."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    level = models.CharField(max_length=16)
    score = models.PositiveSmallIntegerField()
    not_yet_a_product = models.BooleanField(default=False)
    statuses = models.JSONField(help_text="Characteristic key -> status shown.")
    why = models.JSONField(default=list, help_text="Inputs that changed: descriptor, ...")
    changes = models.JSONField(default=list, help_text="Characteristics whose status changed.")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["product", "-at"], name="assessment_history")]

    def __str__(self) -> str:
        return f"{self.product_id} {self.at:%Y-%m-%d %H:%M}: {self.level}"


class AssessmentGap(models.Model):
    """A characteristic a product does not meet (yet): `not-met` or `partly-met`."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    characteristic = models.CharField(max_length=63)
    status = models.CharField(max_length=16)
    expected = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["characteristic", "product"], name="assessment_gap_unique"
            ),
        ]
        indexes = [models.Index(fields=["product"], name="assessment_gap_product")]

    def __str__(self) -> str:
        return f"{self.product_id} lacks {self.characteristic}"


class CharacteristicsFile(models.Model):
    """An organisation's characteristics file found by ingest, and its problems."""

    source = models.OneToOneField(
        "ingest.Source", on_delete=models.CASCADE, related_name="characteristics_file"
    )
    path = models.CharField(max_length=1000)
    text = models.TextField()
    digest = models.CharField(max_length=64)
    valid = models.BooleanField(default=True)
    findings = models.JSONField(default=list, help_text="Problems, as `Finding.as_dict()`.")
    loaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.path
