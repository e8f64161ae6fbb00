"""Graph policies an organisation can switch on in its catalog file, and checking them.

```yaml
policies:
  no-cycles: true                        # products must not depend on each other in a circle
  no-experimental-from-maintained: true  # maintained products build only on stable ground
  max-fan-out: 8                         # a product depends on at most 8 others
```

The list form `policies: [no-cycles, {max-fan-out: 8}]` is accepted too. Violations are plain
data; turning them into findings (file, line) is the checker's job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

from productize.domain.graph import ProductGraph

NO_CYCLES = "no-cycles"
NO_EXPERIMENTAL_FROM_MAINTAINED = "no-experimental-from-maintained"
MAX_FAN_OUT = "max-fan-out"


class GraphPolicy(BaseModel):
    """Which graph policies apply; all are off unless the catalog file switches them on."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    no_cycles: bool = Field(
        default=False,
        validation_alias=AliasChoices("no_cycles", NO_CYCLES),
        description="Products must not depend on each other.",
    )
    no_experimental_from_maintained: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "no_experimental_from_maintained", NO_EXPERIMENTAL_FROM_MAINTAINED
        ),
        description="A maintained product must not consume an experimental interface.",
    )
    max_fan_out: int | None = Field(
        default=None,
        validation_alias=AliasChoices("max_fan_out", MAX_FAN_OUT),
        ge=1,
        le=10_000,
        description="The most products one product may depend on.",
    )

    @model_validator(mode="before")
    @classmethod
    def _list_form(cls, value: Any) -> Any:
        """Accept `[no-cycles, {max-fan-out: 8}]` as well as a mapping."""
        if value is None:
            return {}
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            merged: dict[str, Any] = {}
            for item in value:
                if isinstance(item, str):
                    merged[item] = True
                elif isinstance(item, dict):
                    merged.update(item)
                else:
                    raise ValueError(f"a policy is a name or a mapping, not {item!r}")
            return merged
        return value

    @property
    def enabled(self) -> list[str]:
        """The names of the policies switched on."""
        names = []
        if self.no_cycles:
            names.append(NO_CYCLES)
        if self.no_experimental_from_maintained:
            names.append(NO_EXPERIMENTAL_FROM_MAINTAINED)
        if self.max_fan_out is not None:
            names.append(MAX_FAN_OUT)
        return names


@dataclass(frozen=True, slots=True)
class Violation:
    """A product breaking a policy, with what to do about it."""

    policy: str
    product: str
    message: str
    hint: str
    interface: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready dictionary."""
        return {
            "policy": self.policy,
            "product": self.product,
            "message": self.message,
            "hint": self.hint,
            "interface": self.interface,
        }


def check_policies(graph: ProductGraph, policy: GraphPolicy) -> list[Violation]:
    """Every violation of the enabled policies, by product then policy."""
    found: list[Violation] = []
    if policy.no_cycles:
        found.extend(_cycles(graph))
    if policy.no_experimental_from_maintained:
        found.extend(_experimental_from_maintained(graph))
    if policy.max_fan_out is not None:
        found.extend(_fan_out(graph, policy.max_fan_out))
    return sorted(found, key=lambda v: (v.product, v.policy, v.interface or ""))


def _cycles(graph: ProductGraph) -> list[Violation]:
    # One violation per member, so each product page shows it.
    result = []
    for cycle in graph.cycles():
        on_path = {hop.id for hop in cycle.path if hop.kind == "product"}
        size = len(cycle.products)
        for slug in cycle.products:
            example = "" if slug in on_path else "one cycle among them: "
            result.append(
                Violation(
                    NO_CYCLES,
                    slug,
                    f"{slug} is part of a dependency cycle of {size} products: "
                    f"{example}{cycle.summary()}",
                    "Break the cycle: move what both sides need into its own product, or let "
                    "one side publish events instead of calling the other.",
                )
            )
    return result


def _experimental_from_maintained(graph: ProductGraph) -> list[Violation]:
    result = []
    for product in graph.products():
        if product.stage != "maintained":
            continue
        for ref in graph.consumed_by(product.slug):
            interface = graph.interface(ref)
            if interface is None or interface.stability != "experimental":
                continue
            if interface.product == product.slug:
                continue
            result.append(
                Violation(
                    NO_EXPERIMENTAL_FROM_MAINTAINED,
                    product.slug,
                    f"{product.slug} is maintained but consumes experimental interface {ref}",
                    f"Ask the owners of {interface.product} to declare {ref} stable, or stop "
                    f"using it from {product.slug}.",
                    ref,
                )
            )
    return result


def _fan_out(graph: ProductGraph, limit: int) -> list[Violation]:
    result = []
    for product in graph.products():
        providers = graph.providers(product.slug)
        if len(providers) > limit:
            result.append(
                Violation(
                    MAX_FAN_OUT,
                    product.slug,
                    f"{product.slug} depends on {len(providers)} products (at most {limit} "
                    f"allowed): {', '.join(providers)}",
                    "Split the product, or let one of its providers offer what several do now.",
                )
            )
    return result
