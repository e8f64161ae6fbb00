"""docs/descriptors.md documents every field and every allowed value of the descriptor models.

Conventions the reference follows (and this test holds it to):

- each kind has a section `## The `<kind>` document`; in it, every field of that kind's model is
  a table row whose first cell is the field's path in backticks: `` | `scope.does` | ``.
  Nested models are joined with dots, list items with `[]`:
  `` | `interfaces.provides[].stability` | ``. Container fields have their own row too.
- every enum has a table under `## Allowed values`, in a `### <heading>` subsection, one row per
  value: `` | `experimental` | ``.
- every `yaml` example validates against the models, except ones whose first line starts with
  `# wrong`, which must fail; between them, the examples of each kind set every field.

Adding a model field, an enum or an enum value without documenting it fails this test; so does
documenting a field that does not exist.
"""

from __future__ import annotations

import re
import types
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from productize.domain.descriptors import (
    ID_MAX,
    KIND_ALIASES,
    MODEL_BY_KIND,
    AlignmentKind,
    ChannelKind,
    InterfaceKind,
    Stability,
    Stage,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "descriptors.md"

ENUM_HEADINGS: dict[type[Enum], str] = {
    Stage: "Stages",
    AlignmentKind: "Alignment kinds",
    InterfaceKind: "Interface kinds",
    Stability: "Stabilities",
    ChannelKind: "Feedback channel kinds",
}

HEADING = re.compile(r"^(#{1,6}) (.+)$")
KIND_HEADING = re.compile(r"^The `([a-z]+)` document$")
ROW_KEY = re.compile(r"^\|\s*`([^`]+)`\s*\|")
YAML_BLOCK = re.compile(r"^```yaml\n(.*?)^```", re.MULTILINE | re.DOTALL)


# --- walking the models ---------------------------------------------------------------------


def _nested_model(annotation: Any) -> tuple[type[BaseModel], bool] | None:
    """The model inside an annotation, if any, and whether it sits inside a list."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _nested_model(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    if origin in (list, tuple, set, frozenset):
        inner = _nested_model(args[0]) if args else None
        return (inner[0], True) if inner else None
    if origin in (Union, types.UnionType):
        found = [n for n in map(_nested_model, args) if n]
        assert len(found) <= 1, f"no documentation convention for a union of models: {annotation}"
        return found[0] if found else None
    if origin is dict:
        assert _nested_model(args[1]) is None, "no documentation convention for dicts of models"
    return None


def field_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every field of `model`, recursively, in the documented path form."""
    paths = []
    for name, info in model.model_fields.items():
        path = prefix + name
        paths.append(path)
        nested = _nested_model(info.annotation)
        if nested:
            child, in_list = nested
            paths += field_paths(child, path + ("[]." if in_list else "."))
    return paths


def _enums_in(annotation: Any) -> set[type[Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return {annotation}
    found: set[type[Enum]] = set()
    for arg in get_args(annotation):
        found |= _enums_in(arg)
    return found


def enums_used(model: type[BaseModel]) -> set[type[Enum]]:
    """Every enum a model (or a model nested in it) uses for a field."""
    found: set[type[Enum]] = set()
    for info in model.model_fields.values():
        found |= _enums_in(info.annotation)
        nested = _nested_model(info.annotation)
        if nested:
            found |= enums_used(nested[0])
    return found


def set_paths(instance: BaseModel, prefix: str = "") -> set[str]:
    """The paths of the fields an example actually sets."""
    paths: set[str] = set()
    for name in instance.model_fields_set:
        path = prefix + name
        paths.add(path)
        value = getattr(instance, name)
        if isinstance(value, BaseModel):
            paths |= set_paths(value, path + ".")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, BaseModel):
                    paths |= set_paths(item, path + "[].")
    return paths


# --- reading the document -------------------------------------------------------------------


def _sections(text: str, level: int) -> dict[str, str]:
    """Heading text -> body, for the headings of exactly `level` (2 for `## `)."""
    result: dict[str, str] = {}
    heading: str | None = None
    body: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match and len(match.group(1)) <= level:
            if heading is not None:
                result[heading] = "\n".join(body)
            heading = match.group(2).strip() if len(match.group(1)) == level else None
            body = []
        elif heading is not None:
            body.append(line)
    if heading is not None:
        result[heading] = "\n".join(body)
    return result


def _row_keys(body: str) -> list[str]:
    return [m.group(1) for line in body.splitlines() if (m := ROW_KEY.match(line))]


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _kind_sections(doc: str) -> dict[str, str]:
    sections = {}
    for heading, body in _sections(doc, 2).items():
        match = KIND_HEADING.match(heading)
        if match:
            sections[match.group(1)] = body
    return sections


def _examples(doc: str) -> list[str]:
    return [m.group(1) for m in YAML_BLOCK.finditer(doc)]


def _validate(raw: dict[str, Any]) -> BaseModel:
    kind = str(raw.get("kind"))
    kind = KIND_ALIASES.get(kind, kind)
    return MODEL_BY_KIND[kind].model_validate({**raw, "kind": kind})


def _descriptor_documents(example: str) -> list[dict[str, Any]]:
    documents = [d for d in yaml.safe_load_all(example) if d is not None]
    if documents and all(isinstance(d, dict) and "kind" in d for d in documents):
        return documents
    return []


# --- the tests ------------------------------------------------------------------------------


def test_the_walk_sees_nested_fields() -> None:
    # Guards the walker itself: if it stopped descending, the tests below would pass vacuously.
    paths = field_paths(MODEL_BY_KIND["product"])
    for expected in (
        "scope.does_not",
        "interfaces.provides[].stability",
        "interfaces.consumes[].why",
        "links.feedback[].kind",
        "steady_state.open_context",
    ):
        assert expected in paths


def test_every_kind_has_a_section(doc: str) -> None:
    assert set(_kind_sections(doc)) == set(MODEL_BY_KIND)


@pytest.mark.parametrize("kind", sorted(MODEL_BY_KIND))
def test_every_field_is_documented_in_its_kind_section(doc: str, kind: str) -> None:
    documented = _row_keys(_kind_sections(doc)[kind])
    expected = field_paths(MODEL_BY_KIND[kind])
    missing = [path for path in expected if path not in documented]
    assert not missing, f"add a row `| \\`{missing[0]}\\` | ...` to `## The `{kind}` document`"
    unknown = [path for path in documented if path not in expected]
    assert not unknown, f"documented fields that the {kind} model does not have: {unknown}"
    assert len(documented) == len(set(documented)), "a field is documented twice"


def test_every_enum_is_documented() -> None:
    used: set[type[Enum]] = set()
    for model in MODEL_BY_KIND.values():
        used |= enums_used(model)
    assert used == set(ENUM_HEADINGS), "give every enum a table under `## Allowed values`"


@pytest.mark.parametrize("enum", list(ENUM_HEADINGS), ids=lambda e: e.__name__)
def test_every_enum_value_is_documented(doc: str, enum: type[Enum]) -> None:
    allowed = _sections(doc, 2)["Allowed values"]
    table = _sections(allowed, 3)[ENUM_HEADINGS[enum]]
    assert sorted(_row_keys(table)) == sorted(member.value for member in enum)


def test_examples_are_valid_and_together_set_every_field(doc: str) -> None:
    covered: dict[str, set[str]] = {kind: set() for kind in MODEL_BY_KIND}
    for example in _examples(doc):
        if example.startswith("# wrong"):
            continue
        for raw in _descriptor_documents(example):
            model = _validate(raw)
            covered[str(raw["kind"])] |= set_paths(model)
    for kind, model_cls in MODEL_BY_KIND.items():
        missing = set(field_paths(model_cls)) - covered[kind]
        assert not missing, f"no example of `{kind}` sets {sorted(missing)}"


def test_wrong_examples_are_really_wrong(doc: str) -> None:
    wrong = [example for example in _examples(doc) if example.startswith("# wrong")]
    assert wrong
    for example in wrong:
        documents = _descriptor_documents(example)
        assert documents, "a `# wrong` example must still be a descriptor"
        with pytest.raises(ValidationError):
            for raw in documents:
                _validate(raw)


def test_discovery_rules_are_documented(doc: str) -> None:
    discovery = _sections(doc, 2)["Where productize looks for descriptors"]
    for name in (
        "product.yaml",
        "product.yml",
        "organization.yaml",
        "organization.yml",
        "*.productize.yaml",
        "*.productize.yml",
        ".git",
        "node_modules",
        ".venv",
        "vendor",
    ):
        assert f"`{name}`" in discovery, name
    assert "---" in discovery


def test_id_rules_and_editor_and_ci_setup_are_documented(doc: str) -> None:
    sections = _sections(doc, 2)
    assert f"at most {ID_MAX} characters" in sections["Ids and references"]
    editor = sections["Editor set-up"]
    assert "productize schema" in editor
    assert "# yaml-language-server: $schema=" in editor
    assert '"yaml.schemas"' in editor
    assert "productize check --format github" in sections["Checking descriptors in CI"]


def test_table_of_contents_links_every_section(doc: str) -> None:
    headings = list(_sections(doc, 2))
    contents = _sections(doc, 2)["Contents"]
    for heading in headings:
        if heading == "Contents":
            continue
        anchor = re.sub(r"[^a-z0-9 -]", "", heading.lower()).replace(" ", "-")
        assert f"(#{anchor})" in contents, heading
