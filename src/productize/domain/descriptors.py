"""Descriptor format, version 1: the pydantic models behind every YAML document.

Each YAML document has a `kind` and an `id`. The models are strict about what would mislead
(unknown fields, bad stages, malformed ids) and forgiving about what is merely awkward to type
(a single string where a list is expected, `organisation` spelled the British way).

This module imports no framework: it is used by `productize check` without Django.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
)

from productize.domain.graph_policy import GraphPolicy

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_MAX = 63
INTERFACE_REF_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$"
OWNER_REF_PATTERN = r"^(?:(?:person|team):)?[a-z0-9]+(?:-[a-z0-9]+)*$"

FORMAT_VERSION = 1


class Stage(StrEnum):
    """Where a product is in its life; the characteristics expected grow with the stage."""

    IDEA = "idea"
    PROTOTYPE = "prototype"
    ESTABLISHED = "established"
    GROWING = "growing"
    MAINTAINED = "maintained"
    RETIRED = "retired"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)


class AlignmentKind(StrEnum):
    """How a product serves the organisation's mission."""

    DIRECT = "direct"
    INDIRECT = "indirect"


class InterfaceKind(StrEnum):
    """Where a product meets the outside world."""

    API = "api"
    UI = "ui"
    CLI = "cli"
    LIBRARY = "library"
    EVENT = "event"
    DATA = "data"
    DOCUMENT = "document"
    PROCESS = "process"
    HARDWARE = "hardware"
    OTHER = "other"


class Stability(StrEnum):
    """How much consumers may rely on an interface staying as it is."""

    EXPERIMENTAL = "experimental"
    STABLE = "stable"
    DEPRECATED = "deprecated"


class ChannelKind(StrEnum):
    """Where feedback about a product comes from."""

    SUPPORT = "support"
    SALES = "sales"
    FORUM = "forum"
    CHAT = "chat"
    ISSUE_TRACKER = "issue-tracker"
    SURVEY = "survey"
    FORM = "form"
    API = "api"
    OTHER = "other"


def _one_or_many(value: Any) -> Any:
    """Let people write `x` where a list of one `x` is meant (and nothing for an empty list)."""
    if value is None:
        return []
    if isinstance(value, str | dict):
        return [value]
    return value


def _none_is_empty(value: Any) -> Any:
    """An empty section (`scope:` with nothing under it) means the section's defaults."""
    return {} if value is None else value


def _strip_text(value: Any) -> Any:
    """Trim surrounding whitespace (YAML block scalars keep a trailing newline)."""
    return value.strip() if isinstance(value, str) else value


Id = Annotated[str, Field(pattern=ID_PATTERN, min_length=1, max_length=ID_MAX)]
Text = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=20_000)]
ShortText = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=500)]
TextList = Annotated[
    list[ShortText], BeforeValidator(_one_or_many, json_schema_input_type=str | list[str])
]
IdList = Annotated[list[Id], BeforeValidator(_one_or_many, json_schema_input_type=str | list[str])]


def _owner_id_length(value: str) -> str:
    """The id after an optional `person:`/`team:` prefix obeys the id length limit."""
    if len(value.partition(":")[2] or value) > ID_MAX:
        raise ValueError(f"an owner id has at most {ID_MAX} characters")
    return value


OwnerRef = Annotated[
    str, Field(pattern=OWNER_REF_PATTERN, max_length=ID_MAX + 7), AfterValidator(_owner_id_length)
]
OwnerList = Annotated[
    list[OwnerRef], BeforeValidator(_one_or_many, json_schema_input_type=str | list[str])
]
InterfaceRef = Annotated[str, Field(pattern=INTERFACE_REF_PATTERN, max_length=2 * ID_MAX + 1)]
Url = Annotated[str, BeforeValidator(_strip_text), Field(min_length=1, max_length=2_000)]
Tag_ = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.+_-]*$", max_length=63)]


class Strict(BaseModel):
    """Base for every descriptor part: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=False)


class Scope(Strict):
    """What the product does, and — just as important — what it does not do."""

    does: TextList = Field(default_factory=list, description="Jobs the product does.")
    does_not: TextList = Field(
        default_factory=list,
        description="Jobs people might expect of it that it deliberately does not do.",
    )


class Alignment(Strict):
    """How the product serves the organisation's mission, with the chain of reasoning."""

    kind: AlignmentKind = Field(description="`direct` or `indirect`.")
    why: ShortText = Field(description="One line: how it serves the organisation's mission.")


class ProvidedInterface(Strict):
    """An interface the product offers to others."""

    name: Id = Field(description="Unique within the product; referenced as `product/name`.")
    kind: InterfaceKind = Field(description="api, ui, cli, library, event, data, ...")
    description: ShortText | None = Field(default=None, description="What it is for.")
    stability: Stability = Field(
        default=Stability.EXPERIMENTAL, description="experimental, stable or deprecated."
    )
    spec: ShortText | None = Field(
        default=None,
        description="Path of a specification file (OpenAPI, AsyncAPI, ...), relative to the "
        "descriptor.",
    )
    docs: Url | None = Field(default=None, description="Link to its documentation.")


class ConsumedInterface(Strict):
    """An interface of another product that this product uses (long form)."""

    interface: InterfaceRef = Field(description="`product-id/interface-name`.")
    why: ShortText | None = Field(default=None, description="What it is used for.")


def _consumed_long_form(value: Any) -> Any:
    """Accept `product/interface` strings and turn them into the long form."""
    value = _one_or_many(value)
    if isinstance(value, list):
        return [{"interface": item} if isinstance(item, str) else item for item in value]
    return value


class Interfaces(Strict):
    """The interfaces the product provides and the ones it consumes."""

    provides: Annotated[
        list[ProvidedInterface],
        BeforeValidator(
            _one_or_many,
            json_schema_input_type=ProvidedInterface | list[ProvidedInterface] | None,
        ),
    ] = Field(default_factory=list)
    consumes: Annotated[
        list[ConsumedInterface],
        BeforeValidator(
            _consumed_long_form,
            json_schema_input_type=str | ConsumedInterface | list[str | ConsumedInterface],
        ),
    ] = Field(
        default_factory=list,
        description="References `product-id/interface-name`; a plain string or "
        "`{interface: ..., why: ...}`.",
    )


class FeedbackChannel(Strict):
    """A place where feedback about the product arrives."""

    kind: ChannelKind = Field(description="support, sales, forum, chat, issue-tracker, ...")
    url: Url | None = Field(default=None, description="Where to give feedback.")
    name: ShortText | None = Field(default=None, description="A label for people.")


class Links(Strict):
    """Where to find the product and talk to its people."""

    repository: Url | None = None
    docs: Url | None = None
    website: Url | None = None
    community: Url | None = None
    chat: Url | None = None
    feedback: Annotated[
        list[FeedbackChannel],
        BeforeValidator(
            _one_or_many, json_schema_input_type=FeedbackChannel | list[FeedbackChannel] | None
        ),
    ] = Field(default_factory=list)


class Brand(Strict):
    """The product's identity."""

    display_name: ShortText | None = None
    logo: ShortText | None = Field(default=None, description="Path of a logo file.")


class Resourcing(Strict):
    """What it takes to keep the product alive."""

    infrastructure: Text | None = None
    cost: Text | None = None
    maintenance: Text | None = Field(default=None, description="Maintenance effort.")


class SteadyState(Strict):
    """What makes it safe to put the product down and hand it over."""

    handover_guide: Url | None = Field(default=None, description="Link or path to the guide.")
    open_context: TextList = Field(
        default_factory=list,
        description="Context that still lives only in someone's head (should be empty).",
    )


class _Document(Strict):
    """Fields every document shares."""

    id: Id = Field(description="Lower-case letters, digits and hyphens; unique per kind.")


class OrganizationDoc(_Document):
    """The organisation: one per catalog."""

    kind: Literal["organization"]
    name: ShortText
    mission: Text
    policies: GraphPolicy | None = Field(
        default=None, description="Graph policies `productize check` and the server enforce."
    )


class LoopDoc(_Document):
    """A group of products around a shared mission and its customers; loops nest."""

    kind: Literal["loop"]
    name: ShortText
    mission: Text | None = None
    customers: TextList = Field(default_factory=list)
    parent: Id | None = Field(default=None, description="The enclosing loop.")
    owners: OwnerList = Field(default_factory=list)


class TeamDoc(_Document):
    """A group of people; a team can own products."""

    kind: Literal["team"]
    name: ShortText
    members: IdList = Field(default_factory=list, description="Person ids.")
    parent: Id | None = Field(default=None, description="The enclosing team.")


class PersonDoc(_Document):
    """A product builder."""

    kind: Literal["person"]
    name: ShortText
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$", max_length=254)] | None = None
    teams: IdList = Field(default_factory=list, description="Team ids.")


class ProductDoc(_Document):
    """A product: anything offered to someone to meet a need."""

    kind: Literal["product"]
    name: ShortText
    mission: Text | None = Field(default=None, description="Plain enough for a five-year-old.")
    vision: Text | None = None
    scope: Annotated[Scope, BeforeValidator(_none_is_empty)] = Field(default_factory=Scope)
    stage: Stage = Stage.IDEA
    alignment: Alignment | None = None
    loop: Id | None = None
    owners: OwnerList = Field(
        default_factory=list, description="Person or team ids; `person:x`/`team:x` to be explicit."
    )
    part_of: Id | None = Field(default=None, description="Parent product after a split.")
    audience: TextList = Field(default_factory=list, description="Who it serves.")
    interfaces: Annotated[Interfaces, BeforeValidator(_none_is_empty)] = Field(
        default_factory=Interfaces
    )
    links: Annotated[Links, BeforeValidator(_none_is_empty)] = Field(default_factory=Links)
    brand: Annotated[Brand, BeforeValidator(_none_is_empty)] = Field(default_factory=Brand)
    resourcing: Annotated[Resourcing, BeforeValidator(_none_is_empty)] = Field(
        default_factory=Resourcing
    )
    steady_state: Annotated[SteadyState, BeforeValidator(_none_is_empty)] = Field(
        default_factory=SteadyState
    )
    tags: Annotated[
        list[Tag_], BeforeValidator(_one_or_many, json_schema_input_type=str | list[str])
    ] = Field(default_factory=list)
    annotations: dict[Annotated[str, Field(max_length=200)], Text] = Field(
        default_factory=dict, description="Free-form key/value notes."
    )

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, value: list[str]) -> list[str]:
        """Keep tags unique, first occurrence first."""
        return list(dict.fromkeys(value))


DescriptorKind = Literal["organization", "loop", "team", "person", "product"]
KIND_ALIASES: dict[str, str] = {"organisation": "organization"}
KINDS: tuple[str, ...] = ("organization", "loop", "team", "person", "product")


def _kind_of(value: Any) -> str | None:
    if isinstance(value, dict):
        kind = value.get("kind")
        return kind if isinstance(kind, str) else None
    return getattr(value, "kind", None)


Descriptor = Annotated[
    Annotated[OrganizationDoc, Tag("organization")]
    | Annotated[LoopDoc, Tag("loop")]
    | Annotated[TeamDoc, Tag("team")]
    | Annotated[PersonDoc, Tag("person")]
    | Annotated[ProductDoc, Tag("product")],
    Discriminator(_kind_of),
]

MODEL_BY_KIND: dict[str, type[_Document]] = {
    "organization": OrganizationDoc,
    "loop": LoopDoc,
    "team": TeamDoc,
    "person": PersonDoc,
    "product": ProductDoc,
}

AnyDoc = OrganizationDoc | LoopDoc | TeamDoc | PersonDoc | ProductDoc
