"""What the Backstage mapping can be told, and the shape of what it hands back."""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from productize.domain.backstage.packed import unpack
from productize.domain.descriptors import AnyDoc, Stability, Stage

if TYPE_CHECKING:
    from productize.domain.setchecks import DocFacts

# Backstage lifecycles -> stages. Only the three well-known values are canonical (they are
# what export writes back); the others are spellings seen in real catalogs.
LIFECYCLE_STAGES: dict[str, Stage] = {
    "experimental": Stage.PROTOTYPE,
    "production": Stage.ESTABLISHED,
    "deprecated": Stage.RETIRED,
    "alpha": Stage.PROTOTYPE,
    "beta": Stage.PROTOTYPE,
    "development": Stage.PROTOTYPE,
    "ga": Stage.ESTABLISHED,
    "live": Stage.ESTABLISHED,
    "stable": Stage.ESTABLISHED,
    "maintenance": Stage.MAINTAINED,
    "retired": Stage.RETIRED,
    "sunset": Stage.RETIRED,
}
STAGE_LIFECYCLES: dict[Stage, str] = {
    Stage.IDEA: "experimental",
    Stage.PROTOTYPE: "experimental",
    Stage.ESTABLISHED: "production",
    Stage.GROWING: "production",
    Stage.MAINTAINED: "production",
    Stage.RETIRED: "deprecated",
}
LIFECYCLE_STABILITY: dict[str, Stability] = {
    "experimental": Stability.EXPERIMENTAL,
    "production": Stability.STABLE,
    "deprecated": Stability.DEPRECATED,
}
STABILITY_LIFECYCLES: dict[Stability, str] = {v: k for k, v in LIFECYCLE_STABILITY.items()}


@dataclass(frozen=True, slots=True)
class MappingOptions:
    """How Backstage entities become descriptor documents."""

    # "component": each Component is a product, Systems are loops nested in their Domain.
    # "system": each System is a product (in its Domain's loop), Components its sub-products.
    product_from: Literal["component", "system"] = "component"
    file_names: tuple[str, ...] = ("catalog-info.yaml", "catalog-info.yml")
    lifecycle_stages: dict[str, Stage] = field(default_factory=lambda: dict(LIFECYCLE_STAGES))
    unknown_lifecycle_stage: Stage = Stage.ESTABLISHED  # it is in a catalog: it exists
    max_file_bytes: int = 8 << 20  # generated catalogs put 500 entities in one file
    max_substitution_bytes: int = 1 << 20
    url_roots: dict[str, Path] = field(default_factory=dict)  # URL prefix -> local directory


@dataclass(slots=True)
class MappedDocument:
    """A descriptor document made from one Backstage entity, with where it came from.

    The validated document is held packed (`packed.pack`, a fifth of its size as objects):
    `model` unpacks a new copy on each call, so a caller that looks at it often keeps the
    copy. `kind`, `id`, `facts` (what the set checks need) and `digest` (given by the
    caller's `digest` function, e.g. the sync's hash) are kept beside it, made from the
    document when it was validated. `extras` holds what the entity said that the document
    has no field for (for products the same keys are the model's `annotations`).
    """

    packed: bytes
    kind: str
    id: str
    entity: str  # the Backstage reference, e.g. `component:default/checkout`
    path: str
    line: int
    column: int
    index: int
    own_extras: dict[str, str] | None = None  # None: the model's annotations (products)
    # Where the fields the set checks report on came from (`model.places_index` reads it).
    places: array[int] | None = field(default=None, repr=False)
    facts: DocFacts | None = field(default=None, repr=False)
    digest: str | None = None

    @property
    def model(self) -> AnyDoc:
        """The validated document (a new copy, unpacked)."""
        return cast(AnyDoc, unpack(self.packed))

    @property
    def extras(self) -> dict[str, str]:
        """What the entity said that the document has no field for."""
        if self.own_extras is None:
            return dict(getattr(self.model, "annotations", {}))
        return self.own_extras
