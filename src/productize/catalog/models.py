"""The catalog's tables: organisation, loops, teams, people, products, interfaces, consumes.

Rows are written only by `productize.catalog.services` (ARCHITECTURE rule 1). References that
come from descriptors (a product's loop, parent product, owners, consumed interfaces) keep the
id as written (`*_ref`) beside a nullable foreign key: a descriptor may name something another
source declares, or something not ingested yet. The services resolve the key whenever the
target appears, and clear it (keeping the written id) when the target goes, so the catalog
never holds a dangling key and never forgets what a descriptor declared.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from productize.domain.descriptors import (
    AlignmentKind,
    InterfaceKind,
    Stability,
    Stage,
)


def _choices(enum: type) -> list[tuple[str, str]]:
    return [(member.value, member.value.replace("-", " ")) for member in enum]  # type: ignore[attr-defined]


STAGE_CHOICES = _choices(Stage)
INTERFACE_KIND_CHOICES = _choices(InterfaceKind)
STABILITY_CHOICES = _choices(Stability)
ALIGNMENT_CHOICES = _choices(AlignmentKind)


class Origin(models.TextChoices):
    """Where an entity's data comes from, and therefore where it is edited."""

    DESCRIPTOR = "descriptor", "descriptor file"
    UI = "ui", "created in productize"


class Described(models.Model):
    """Fields shared by every entity that a descriptor declares."""

    slug = models.SlugField(max_length=63, unique=True, help_text="The descriptor id.")
    name = models.CharField(max_length=500)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.DESCRIPTOR)
    source = models.ForeignKey(
        "ingest.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_path = models.CharField(max_length=1000, blank=True, help_text="File, within source.")
    source_line = models.PositiveIntegerField(default=0)
    descriptor_hash = models.CharField(
        max_length=64, blank=True, help_text="sha256 of the document's canonical JSON."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.slug


class Organization(Described):
    """The organisation: one mission every product serves."""

    mission = models.TextField(blank=True)


class Person(Described):
    """A product builder."""

    email = models.EmailField(max_length=254, blank=True, db_index=True)
    team_refs = models.JSONField(default=list, blank=True, help_text="Team ids as declared.")
    # What an imported Backstage entity said that has no field here (docs/backstage.md).
    annotations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]


class Team(Described):
    """A group of people; a team can own products."""

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    parent_ref = models.SlugField(max_length=63, blank=True)
    member_refs = models.JSONField(default=list, blank=True, help_text="Person ids as declared.")
    members = models.ManyToManyField(Person, through="Membership", related_name="teams")
    # What an imported Backstage entity said that has no field here (docs/backstage.md).
    annotations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]


class Membership(models.Model):
    """A person in a team (declared by the team, the person, or both)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.team_id}"


class Loop(Described):
    """Products grouped around a shared mission and its customers; loops nest."""

    mission = models.TextField(blank=True)
    customers = models.JSONField(default=list, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    parent_ref = models.SlugField(max_length=63, blank=True)
    # What an imported Backstage entity said that has no field here (docs/backstage.md).
    annotations = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]


class Product(Described):
    """A product: anything offered to someone to meet a need."""

    mission = models.TextField(blank=True)
    vision = models.TextField(blank=True)
    does = models.JSONField(default=list, blank=True)
    does_not = models.JSONField(default=list, blank=True)
    stage = models.CharField(max_length=16, choices=STAGE_CHOICES, default=Stage.IDEA.value)
    alignment = models.CharField(max_length=16, choices=ALIGNMENT_CHOICES, blank=True)
    alignment_why = models.CharField(max_length=500, blank=True)
    loop = models.ForeignKey(
        Loop, null=True, blank=True, on_delete=models.SET_NULL, related_name="products"
    )
    loop_ref = models.SlugField(max_length=63, blank=True)
    part_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="parts"
    )
    part_of_ref = models.SlugField(max_length=63, blank=True)
    audience = models.JSONField(default=list, blank=True)
    links = models.JSONField(default=dict, blank=True)
    brand = models.JSONField(default=dict, blank=True)
    resourcing = models.JSONField(default=dict, blank=True)
    steady_state = models.JSONField(default=dict, blank=True)
    tags = models.JSONField(default=list, blank=True)
    annotations = models.JSONField(default=dict, blank=True)
    # Lower-cased name, mission, scope and tags: what search matches (maintained by services).
    search_text = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["stage", "name"], name="product_stage_name"),
            models.Index(fields=["loop", "name"], name="product_loop_name"),
            models.Index(fields=["alignment", "name"], name="product_alignment_name"),
            models.Index(fields=["name"], name="product_name"),
            models.Index(fields=["source", "source_path"], name="product_source_path"),
        ]


class ProductTag(models.Model):
    """One tag of a product, as a row so that filtering by tag uses an index."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=63)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "product"], name="producttag_unique"),
        ]

    def __str__(self) -> str:
        return self.tag


class Ownership(models.Model):
    """A custodian of a product or loop: a person or a team, as the descriptor names it."""

    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships"
    )
    loop = models.ForeignKey(
        Loop, null=True, blank=True, on_delete=models.CASCADE, related_name="ownerships"
    )
    ref = models.CharField(max_length=70, help_text="As written: `alice`, `team:payments`.")
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="ownerships"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="ownerships"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, loop__isnull=True)
                | Q(product__isnull=True, loop__isnull=False),
                name="ownership_of_product_xor_loop",
            ),
            models.CheckConstraint(
                condition=~(Q(person__isnull=False) & Q(team__isnull=False)),
                name="ownership_person_or_team",
            ),
        ]
        indexes = [
            models.Index(fields=["person"], name="ownership_person"),
            models.Index(fields=["team"], name="ownership_team"),
            models.Index(fields=["ref"], name="ownership_ref"),
        ]

    def __str__(self) -> str:
        return self.ref

    @property
    def resolved(self) -> bool:
        """True when the named person or team exists in the catalog."""
        return self.person_id is not None or self.team_id is not None


class Interface(models.Model):
    """A point where a product meets the outside world."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="interfaces")
    name = models.SlugField(max_length=63)
    kind = models.CharField(max_length=16, choices=INTERFACE_KIND_CHOICES)
    description = models.CharField(max_length=500, blank=True)
    stability = models.CharField(
        max_length=16, choices=STABILITY_CHOICES, default=Stability.EXPERIMENTAL.value
    )
    spec_path = models.CharField(max_length=500, blank=True)
    docs_url = models.CharField(max_length=2000, blank=True)
    # `product-slug/interface-name`: how consumers reference it.
    ref = models.CharField(max_length=127, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["product_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["product", "name"], name="interface_unique_name"),
        ]
        indexes = [models.Index(fields=["kind"], name="interface_kind")]

    def __str__(self) -> str:
        return self.ref


class Consumption(models.Model):
    """A product's declared use of an interface (`consumes`), resolved when it exists."""

    consumer = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="consumptions")
    interface_ref = models.CharField(max_length=127)
    interface = models.ForeignKey(
        Interface, null=True, blank=True, on_delete=models.SET_NULL, related_name="consumptions"
    )
    why = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["consumer_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "interface_ref"], name="consumption_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["interface"], name="consumption_interface"),
            models.Index(fields=["interface_ref"], name="consumption_ref"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer_id} consumes {self.interface_ref}"
