"""The characteristics of a product, as data: loading, validating and merging their file.

The defaults ship in `default_characteristics.yaml`. An organisation's own file has the same
shape and is merged over the defaults:

- `extends: default` (the default) starts from the built-in set; `extends: none` starts empty.
- An entry whose `key` is already in the set changes only the fields it gives (`title`,
  `meaning`, `weight`, `expected_from`, `rules`, `never_fits`); `rules` replaces the list.
- An entry with a new `key` adds a characteristic; it must give `title`, `meaning`,
  `expected_from` and `rules` (`weight` defaults to 5). New ones come after the defaults.
- `retired: true` removes a characteristic from assessment (it is remembered as retired).
- `rules:` at the top level declares organisation rules (see `declarative.py`); their keys
  may be used in any characteristic's `rules` list next to the built-in rule keys.

Every problem is a `Finding` with line and column; when the file has any error the defaults
are used, so one odd file never stops assessment.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from productize.domain.assessment.declarative import DeclarativeRule, compile_rule
from productize.domain.assessment.rules import RULES, RuleFn
from productize.domain.descriptors import ID_PATTERN, Stage
from productize.domain.findings import Finding, Severity

DEFAULT_PATH = Path(__file__).with_name("default_characteristics.yaml")
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20
DEFAULT_WEIGHT = 5.0

Key = Annotated[str, Field(pattern=ID_PATTERN, max_length=63)]
Weight = Annotated[float, Field(ge=0, le=100)]


class CharacteristicEntry(BaseModel):
    """One entry of a characteristics file: a new characteristic or changes to one."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    title: str | None = Field(default=None, min_length=1, max_length=200)
    meaning: str | None = Field(default=None, min_length=1, max_length=2_000)
    weight: Weight | None = None
    expected_from: Stage | None = None
    rules: list[Key] | None = Field(default=None, min_length=1)
    never_fits: str | None = Field(default=None, max_length=2_000)
    retired: bool | None = None


class CharacteristicsFile(BaseModel):
    """The whole file: which set it extends, organisation rules, characteristic entries."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = 1
    extends: Literal["default", "none"] = "default"
    rules: list[DeclarativeRule] = Field(default_factory=list)
    characteristics: list[CharacteristicEntry] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Characteristic:
    """A characteristic ready for assessment."""

    key: str
    title: str
    meaning: str
    weight: float
    expected_from: Stage
    rules: tuple[str, ...]
    never_fits: str | None = None


@dataclass(frozen=True)
class CharacteristicSet:
    """The active characteristics in order, the retired keys, and every rule they use."""

    characteristics: tuple[Characteristic, ...]
    retired: tuple[str, ...] = ()
    declarative: Mapping[str, Any] = field(default_factory=dict)
    source: str = str(DEFAULT_PATH)

    def __post_init__(self) -> None:
        # Rule lookup once per set, not once per product: assessment runs 100k times.
        fns: dict[str, tuple[str, RuleFn]] = {}
        for key, rule in self.declarative.items():
            fns[key] = (rule.title or key, compile_rule(rule))
        for characteristic in self.characteristics:
            for key in characteristic.rules:
                if key not in fns and key in RULES:
                    fns[key] = (RULES[key].title, RULES[key].fn)
        object.__setattr__(self, "_fns", fns)

    def rule(self, key: str) -> tuple[str, RuleFn]:
        """The title and function of a rule used by this set."""
        fns: dict[str, tuple[str, RuleFn]] = self._fns  # type: ignore[attr-defined]
        return fns[key]

    def get(self, key: str) -> Characteristic | None:
        """The active characteristic with this key, if any."""
        return next((c for c in self.characteristics if c.key == key), None)


def load_characteristics(text: str | None, path: str) -> tuple[CharacteristicSet, list[Finding]]:
    """Parse and merge an organisation's characteristics file (None: the defaults)."""
    if text is None:
        return default_characteristics(), []
    chars, findings = _load(text, path, base=default_characteristics())
    if chars is None or any(f.severity == Severity.ERROR for f in findings):
        return default_characteristics(), findings
    return chars, findings


@cache
def default_characteristics() -> CharacteristicSet:
    """The built-in set (loaded once); a broken built-in file is a bug, so it raises."""
    chars, findings = _load(DEFAULT_PATH.read_text(encoding="utf-8"), str(DEFAULT_PATH), None)
    if chars is None or findings:
        raise RuntimeError("; ".join(f.render() for f in findings))
    return chars


def _load(
    text: str, path: str, base: CharacteristicSet | None
) -> tuple[CharacteristicSet | None, list[Finding]]:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return None, [_finding(path, 0, 0, "too-large", "the file is larger than 1 MB")]
    try:
        shape_problem = _check_shape(text)
        if shape_problem:
            return None, [
                _finding(path, shape_problem[0], shape_problem[1], "unsafe-yaml", shape_problem[2])
            ]
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:  # an empty file changes nothing
            return _merge(CharacteristicsFile(), base, path, yaml.MappingNode("", []))
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        problem_mark = getattr(error, "problem_mark", None)
        line: int = problem_mark.line + 1 if problem_mark else 0
        column: int = problem_mark.column + 1 if problem_mark else 0
        problem = getattr(error, "problem", None) or str(error)
        return None, [_finding(path, line, column, "yaml-syntax", f"YAML syntax error: {problem}")]
    if root is None or not isinstance(data, dict):
        return None, [_finding(path, 1, 1, "not-a-mapping", "the file must be a mapping")]
    try:
        parsed = CharacteristicsFile.model_validate(data)
    except ValidationError as error:
        return None, [_from_pydantic(path, root, err) for err in error.errors()]
    return _merge(parsed, base, path, root)


def _check_shape(text: str) -> tuple[int, int, str] | None:
    """Refuse aliases (they can multiply a small file) and deep nesting, before building."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            return (*_mark(event), "anchors and aliases are not allowed in a characteristics file")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return (*_mark(event), f"the file nests deeper than {MAX_DEPTH} levels")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _mark(event: yaml.Event) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)


def _merge(
    parsed: CharacteristicsFile, base: CharacteristicSet | None, path: str, root: yaml.Node
) -> tuple[CharacteristicSet | None, list[Finding]]:
    findings: list[Finding] = []

    def error(loc: tuple[str | int, ...], code: str, message: str, hint: str | None = None) -> None:
        node = _node_at(root, loc)
        findings.append(_finding(path, *_pos(node), code, message, hint, _dotted(loc)))

    declarative: dict[str, Any] = {}
    for i, rule in enumerate(parsed.rules):
        if rule.key in RULES:
            error(("rules", i, "key"), "rule-key-taken", f"`{rule.key}` is a built-in rule key")
        elif rule.key in declarative:
            error(("rules", i, "key"), "duplicate-key", f"rule `{rule.key}` is declared twice")
        else:
            declarative[rule.key] = rule
    start = base if base is not None and parsed.extends == "default" else None
    merged: dict[str, Characteristic] = {c.key: c for c in start.characteristics} if start else {}
    retired: list[str] = list(start.retired) if start else []
    if start:
        declarative = {**start.declarative, **declarative}
    seen: set[str] = set()
    for i, entry in enumerate(parsed.characteristics):
        if entry.key in seen:
            error(("characteristics", i, "key"), "duplicate-key", f"`{entry.key}` appears twice")
            continue
        seen.add(entry.key)
        changes = entry.model_dump(exclude_none=True, exclude={"key", "retired"})
        if "rules" in changes:
            changes["rules"] = tuple(changes["rules"])
        if entry.expected_from == Stage.RETIRED:
            error(
                ("characteristics", i, "expected_from"),
                "bad-stage",
                "`expected_from` cannot be `retired`",
                "use `retired: true` to retire a characteristic",
            )
            continue
        if entry.key in merged:
            current = merged[entry.key]
            merged[entry.key] = Characteristic(**{**_as_dict(current), **changes})
        else:
            missing = [
                f for f in ("title", "meaning", "expected_from", "rules") if f not in changes
            ]
            if missing and not entry.retired:
                error(
                    ("characteristics", i),
                    "missing-field",
                    f"new characteristic `{entry.key}` needs {', '.join(missing)}",
                )
                continue
            if not entry.retired:
                merged[entry.key] = Characteristic(
                    key=entry.key, weight=changes.pop("weight", DEFAULT_WEIGHT), **changes
                )
        if entry.retired:
            merged.pop(entry.key, None)
            retired.append(entry.key)
        elif entry.retired is False and entry.key in retired:
            retired.remove(entry.key)
        for j, key in enumerate(entry.rules or ()):
            if key not in RULES and key not in declarative:
                close = difflib.get_close_matches(key, [*RULES, *declarative], n=1)
                error(
                    ("characteristics", i, "rules", j),
                    "unknown-rule",
                    f"unknown rule `{key}`",
                    f"did you mean `{close[0]}`?" if close else None,
                )
    if findings:
        return None, findings
    used = {key for c in merged.values() for key in c.rules}
    chars = CharacteristicSet(
        characteristics=tuple(merged.values()),
        retired=tuple(dict.fromkeys(retired)),
        declarative={k: v for k, v in declarative.items() if k in used},
        source=path,
    )
    return chars, findings


def _as_dict(characteristic: Characteristic) -> dict[str, Any]:
    return {name: getattr(characteristic, name) for name in Characteristic.__slots__}


_FIELDS = {
    "characteristics": set(CharacteristicEntry.model_fields),
    "rules": {"key", "type", "title", "next_step", "path", "n", "unit", "glob"},
    "": set(CharacteristicsFile.model_fields),
}


def _from_pydantic(path: str, root: yaml.Node, err: Any) -> Finding:
    loc = tuple(err["loc"])
    node = _node_at(root, loc, at_key=err["type"] == "extra_forbidden")
    if err["type"] == "extra_forbidden":
        name = str(loc[-1])
        allowed = _FIELDS.get(str(loc[0]) if len(loc) > 1 else "", set())
        close = difflib.get_close_matches(name, sorted(allowed), n=1)
        hint = f"did you mean `{close[0]}`?" if close else None
        return _finding(
            path, *_pos(node), "unknown-field", f"unknown field `{name}`", hint, _dotted(loc)
        )
    message = err["msg"].removeprefix("Value error, ")
    code = "missing-field" if err["type"] == "missing" else "invalid-value"
    return _finding(path, *_pos(node), code, message, None, _dotted(loc))


def _node_at(root: yaml.Node, loc: tuple[Any, ...], *, at_key: bool = False) -> yaml.Node:
    """The deepest node a pydantic location reaches; unknown steps (union tags) are skipped."""
    node = root
    for i, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for key, value in node.value:
                if key.value == part:
                    # An unknown field is best shown at its key, not at its value.
                    node = key if at_key and i == len(loc) - 1 else value
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            node = node.value[part]
    return node


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _finding(
    path: str,
    line: int,
    column: int,
    code: str,
    message: str,
    hint: str | None = None,
    field_: str | None = None,
) -> Finding:
    return Finding(path, line, column, Severity.ERROR, code, message, hint, field_)
