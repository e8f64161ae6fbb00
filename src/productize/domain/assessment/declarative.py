"""Rules an organisation writes in its characteristics file, without Python.

Four types, each with a `key` (used in a characteristic's `rules` list), an optional `title`
and an optional `next_step` (a default one is written for each type):

```yaml
rules:
  - {key: has-docs-link, type: field-present, path: links.docs}
  - {key: two-audiences, type: count-at-least, path: audience, n: 2}
  - {key: short-vision, type: text-length-at-most, path: vision, n: 40}   # words
  - {key: has-runbook, type: file-exists, glob: "docs/runbook*.md"}
```

`path` is a dotted path into the product descriptor (`links.docs`, `annotations.tier`); it
is checked against the descriptor model when the file is loaded, so a typo is an error with
a did-you-mean, not a rule that silently never passes. `file-exists` matches the glob
against the repository's files (relative to the repository root or to the descriptor's
folder); without a repository it reports `no-data`.
"""

from __future__ import annotations

import difflib
from fnmatch import fnmatchcase
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, field_validator

from productize.domain.assessment.evidence import Evidence
from productize.domain.assessment.rules import RuleFn, RuleResult, Status
from productize.domain.descriptors import ID_PATTERN, ProductDoc

PathStr = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*(\.[A-Za-z0-9_-]+)*$", max_length=200)]


class _RuleBase(BaseModel):
    """Fields every declarative rule shares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: Annotated[str, Field(pattern=ID_PATTERN, max_length=63)]
    title: str | None = Field(default=None, max_length=200)
    next_step: str | None = Field(default=None, max_length=500)


class _PathRule(_RuleBase):
    path: PathStr

    @field_validator("path")
    @classmethod
    def _path_exists(cls, value: str) -> str:
        problem = check_path(value)
        if problem:
            raise ValueError(problem)
        return value


class FieldPresentRule(_PathRule):
    """Met when the descriptor field at `path` has a non-empty value."""

    type: Literal["field-present"]


class CountAtLeastRule(_PathRule):
    """Met when the list at `path` has at least `n` items."""

    type: Literal["count-at-least"]
    n: int = Field(ge=1, le=10_000)


class TextLengthAtMostRule(_PathRule):
    """Met when the text at `path` is at most `n` words (or characters); absent text passes."""

    type: Literal["text-length-at-most"]
    n: int = Field(ge=1, le=100_000)
    unit: Literal["words", "characters"] = "words"


class FileExistsRule(_RuleBase):
    """Met when a file matching `glob` exists in the product's repository."""

    type: Literal["file-exists"]
    glob: str = Field(min_length=1, max_length=300)

    @field_validator("glob")
    @classmethod
    def _relative(cls, value: str) -> str:
        if value.startswith("/") or ".." in value.split("/"):
            raise ValueError("the glob must be relative to the repository and stay inside it")
        return value


DeclarativeRule = Annotated[
    FieldPresentRule | CountAtLeastRule | TextLengthAtMostRule | FileExistsRule,
    Field(discriminator="type"),
]
RULE_TYPES = ("field-present", "count-at-least", "text-length-at-most", "file-exists")


def check_path(path: str) -> str | None:
    """Why a dotted path does not name a descriptor field, or None when it does."""
    model: Any = ProductDoc
    for i, part in enumerate(path.split(".")):
        if model is dict:
            return None  # free-form keys (annotations) cannot be checked
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            done = ".".join(path.split(".")[:i])
            return f"`{done}` has no fields; `{path}` cannot be followed"
        fields = model.model_fields
        if part not in fields:
            close = difflib.get_close_matches(part, list(fields), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            return f"unknown field `{part}` in path `{path}`{hint}"
        model = _container(fields[part].annotation)
    return None


def _container(annotation: Any) -> Any:
    """The model (or `dict`) a field leads to; lists and optionals are looked through."""
    origin = get_origin(annotation)
    if origin is dict:
        return dict
    if origin is list:
        return None
    if origin is Annotated:
        return _container(get_args(annotation)[0])
    if origin is not None:  # a union such as `Alignment | None`
        for arg in get_args(annotation):
            found = _container(arg)
            if found is not None and found is not type(None):
                return found
        return None
    return annotation


def resolve(product: ProductDoc, path: str) -> Any:
    """The value at a dotted path in the descriptor, or None when any step is missing."""
    value: Any = product
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def _step(rule: _RuleBase, default: str) -> str:
    return rule.next_step or default


def compile_rule(rule: _RuleBase) -> RuleFn:
    """A rule function with the same contract as the built-in rules."""
    if isinstance(rule, FieldPresentRule):
        return lambda ev: _field_present(rule, ev)
    if isinstance(rule, CountAtLeastRule):
        return lambda ev: _count_at_least(rule, ev)
    if isinstance(rule, TextLengthAtMostRule):
        return lambda ev: _text_length_at_most(rule, ev)
    if isinstance(rule, FileExistsRule):
        return lambda ev: _file_exists(rule, ev)
    raise TypeError(f"unknown declarative rule {rule!r}")


def _field_present(rule: FieldPresentRule, ev: Evidence) -> RuleResult:
    value = resolve(ev.product, rule.path)
    if value is None or value == "" or value == [] or value == {}:
        return RuleResult(
            Status.NOT_MET, (f"`{rule.path}` is empty",), _step(rule, f"Fill in `{rule.path}`.")
        )
    return RuleResult(Status.MET, (f"`{rule.path}` is filled in",))


def _count_at_least(rule: CountAtLeastRule, ev: Evidence) -> RuleResult:
    value = resolve(ev.product, rule.path)
    count = len(value) if isinstance(value, list | dict | tuple) else 0
    evidence = (f"`{rule.path}` has {count} item(s); at least {rule.n} expected",)
    if count >= rule.n:
        return RuleResult(Status.MET, evidence)
    step = _step(rule, f"Add {rule.n - count} more item(s) to `{rule.path}`.")
    status = Status.PARTLY_MET if count else Status.NOT_MET
    return RuleResult(status, evidence, step)


def _text_length_at_most(rule: TextLengthAtMostRule, ev: Evidence) -> RuleResult:
    value = resolve(ev.product, rule.path)
    if not isinstance(value, str) or not value:
        return RuleResult(Status.NOT_APPLICABLE, (f"`{rule.path}` is empty",))
    length = len(value.split()) if rule.unit == "words" else len(value)
    evidence = (f"`{rule.path}` has {length} {rule.unit}; at most {rule.n} expected",)
    if length <= rule.n:
        return RuleResult(Status.MET, evidence)
    return RuleResult(
        Status.NOT_MET,
        evidence,
        _step(rule, f"Shorten `{rule.path}` to {rule.n} {rule.unit} or fewer."),
    )


def _file_exists(rule: FileExistsRule, ev: Evidence) -> RuleResult:
    repo = ev.repo
    if repo is None or not repo.readable:
        return RuleResult(Status.NO_DATA, ("no repository evidence",))
    for path in sorted(repo.files):
        if fnmatchcase(path, rule.glob):
            return RuleResult(Status.MET, (f"found `{path}`",))
    return RuleResult(
        Status.NOT_MET,
        (f"no file matches `{rule.glob}`",),
        _step(rule, f"Add a file matching `{rule.glob}` to the repository."),
    )
