"""Descriptor files -> validated documents, with every problem located at file:line:column.

`parse_bytes` is the one entry point for in-memory data (the server's ingest uses it too);
`parse_file` reads a file with the size limit applied before reading. Neither ever raises:
anything unexpected becomes an `internal-error` finding on the file.

Each YAML document is dispatched on its `kind` here rather than through a pydantic
discriminated union, so that errors are located under the document (`stage`) and not under a
union tag (`product.stage`), and so an unknown kind gets its own, helpful message.
"""

from __future__ import annotations

import enum
import hashlib
import os
import stat
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from productize.domain.descriptors import (
    ID_PATTERN,
    INTERFACE_REF_PATTERN,
    KIND_ALIASES,
    KINDS,
    MODEL_BY_KIND,
    OWNER_REF_PATTERN,
    AnyDoc,
)
from productize.domain.findings import Finding, Severity
from productize.domain.suggest import hint_for, one_of, slugify
from productize.domain.yamlload import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NODES,
    PathKey,
    Pos,
    PositionIndex,
    describe,
    load_yaml,
    too_large,
)

CODES: dict[str, str] = {
    "not-a-mapping": "a document that is not a mapping of fields",
    "missing-kind": "a document without `kind`",
    "unknown-kind": "a `kind` that is not organization, loop, team, person or product",
    "missing-id": "a document without `id`",
    "missing-field": "a required field is missing",
    "unknown-field": "a field the format does not define (often a typo)",
    "wrong-type": "a value of the wrong type (text where a list is expected, ...)",
    "invalid-value": "a value outside the allowed set (stage, kind, stability, email, tag, ...)",
    "invalid-id": "an id (or id reference) that is not lower-case letters, digits and hyphens",
    "invalid-reference": "an owner or interface reference that is not well formed",
    "empty-value": "an empty text where a value is required",
    "too-long": "a text or id longer than allowed",
    "unreadable-file": "the file could not be read (permissions, not a regular file, ...)",
    "internal-error": "a bug in productize: the file could not be checked",
}

# Names people reach for, mapped to the field that holds that information.
_SYNONYMS: dict[str, str] = {
    "description": "mission",
    "purpose": "mission",
    "owner": "owners",
    "maintainers": "owners",
    "team": "owners",
    "provides": "interfaces",
    "consumes": "interfaces",
    "depends_on": "interfaces",
    "dependencies": "interfaces",
    "repository": "links",
    "repo": "links",
    "website": "links",
    "parent": "part_of",
    "status": "stage",
    "lifecycle": "stage",
    "labels": "tags",
}
_TYPE_WORDS = {
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "int_type": "a number",
    "float_type": "a number",
    "bool_type": "true or false",
}
_FILE_KINDS = {
    "product": "product",
    "organization": "organization",
    "organisation": "organization",
}


_At = Callable[[PathKey, str, str, str | None, bool], Finding]
"""Makes a finding at a field: (path, code, message, hint, at the key rather than the value)."""


@dataclass(slots=True)
class ParsedDocument:
    """One valid descriptor document, with where it and each of its values came from."""

    model: AnyDoc
    path: str
    index: int
    line: int
    column: int
    positions: PositionIndex = field(repr=False)

    @property
    def kind(self) -> str:
        """The document's kind (`product`, `team`, ...), with aliases resolved."""
        return self.model.kind

    @property
    def id(self) -> str:
        """The document's id."""
        return self.model.id

    def locate(self, field_path: PathKey = (), *, key: bool = False) -> Pos:
        """Line and column of a field (its key with `key=True`), or of its nearest parent."""
        return self.positions.key(field_path) if key else self.positions.value(field_path)

    def finding(
        self,
        field_path: PathKey,
        severity: Severity,
        code: str,
        message: str,
        hint: str | None = None,
        *,
        key: bool = False,
    ) -> Finding:
        """A finding located at a field of this document."""
        line, column = self.locate(field_path, key=key)
        return Finding(
            self.path, line, column, severity, code, message, hint, dotted(field_path), self.index
        )


@dataclass(slots=True)
class ParsedFile:
    """The outcome of parsing one file: its valid documents and every problem found."""

    path: str
    sha256: str  # of the bytes read; empty when the file could not be read
    documents: list[ParsedDocument]
    findings: list[Finding]

    @property
    def ok(self) -> bool:
        """True when the file has no errors (warnings allowed)."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


def dotted(path: PathKey) -> str | None:
    """`interfaces.consumes[2]` from ('interfaces', 'consumes', 2)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or None


def parse_bytes(
    path: str,
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> ParsedFile:
    """Parse and validate every descriptor document in `data`; never raises."""
    digest = hashlib.sha256(data).hexdigest()
    try:
        loaded = load_yaml(
            path, data, max_bytes=max_bytes, max_depth=max_depth, max_nodes=max_nodes
        )
        findings = list(loaded.findings)
        documents: list[ParsedDocument] = []
        for doc in loaded.documents:
            if doc.value is None:
                continue  # an empty document, e.g. after a trailing `---`
            parsed, problems = _validate(path, doc.value, doc.positions, doc.index)
            if not doc.ok:  # don't report a loading error twice (e.g. an undefined alias as null)
                seen = {(f.line, f.column) for f in loaded.findings if f.document == doc.index}
                problems = [p for p in problems if (p.line, p.column) not in seen]
            findings.extend(problems)
            if parsed is not None and doc.ok:
                documents.append(
                    ParsedDocument(parsed, path, doc.index, doc.line, doc.column, doc.positions)
                )
        return ParsedFile(path, digest, documents, _sorted_unique(findings))
    except Exception as exc:  # never let one file stop the check: report it as our bug
        return ParsedFile(path, digest, [], [internal_error(path, exc)])


def parse_file(
    path: str | os.PathLike[str],
    *,
    display_path: str | None = None,
    max_bytes: int = MAX_FILE_BYTES,
) -> ParsedFile:
    """Read and parse one descriptor file; a file over the size limit is never read whole."""
    shown = display_path if display_path is not None else os.fspath(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return _unreadable(shown, "not a regular file")
        if info.st_size > max_bytes:
            return ParsedFile(shown, "", [], [too_large(shown, info.st_size, max_bytes)])
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)  # +1: notice a file that grew since stat()
    except OSError as exc:
        return _unreadable(shown, exc.strerror or str(exc))
    except Exception as exc:
        return ParsedFile(shown, "", [], [internal_error(shown, exc)])
    return parse_bytes(shown, data, max_bytes=max_bytes)


def internal_error(path: str, exc: BaseException) -> Finding:
    """The finding that stands for a bug in productize, located at the file."""
    return Finding(
        path,
        0,
        0,
        Severity.ERROR,
        "internal-error",
        f"productize could not check this file: {type(exc).__name__}: {exc}",
        "this is a bug in productize; please report it with the file",
    )


def _unreadable(path: str, reason: str) -> ParsedFile:
    finding = Finding(
        path, 0, 0, Severity.ERROR, "unreadable-file", f"cannot read the file: {reason}"
    )
    return ParsedFile(path, "", [], [finding])


def _sorted_unique(findings: list[Finding]) -> list[Finding]:
    # Unions in the models can report one mistake once per member: keep the first of each.
    seen: set[tuple[object, ...]] = set()
    unique = []
    for finding in findings:
        key = (finding.line, finding.column, finding.code, finding.field)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return sorted(unique, key=lambda f: (f.line, f.column))


def _validate(
    path: str, value: Any, positions: PositionIndex, index: int
) -> tuple[AnyDoc | None, list[Finding]]:
    """Dispatch on `kind` and validate one document."""

    def at(field_path: PathKey, code: str, message: str, hint: str | None, key: bool) -> Finding:
        line, column = positions.key(field_path) if key else positions.value(field_path)
        return Finding(
            path, line, column, Severity.ERROR, code, message, hint, dotted(field_path), index
        )

    if not isinstance(value, dict):
        return None, [
            at(
                (),
                "not-a-mapping",
                f"a descriptor is a mapping of fields, but this document is {describe(value)}",
                "start the document with `kind: product` and `id: ...` lines",
                False,
            )
        ]
    kind = value.get("kind")
    if kind is None:
        guess = _FILE_KINDS.get(Path(path).stem.split(".")[0].lower())
        hint = f"add `kind: {guess}`" if guess else f"add `kind:` with one of {one_of(KINDS)}"
        return None, [at((), "missing-kind", "the document has no `kind`", hint, False)]
    canonical = KIND_ALIASES.get(kind, kind) if isinstance(kind, str) else None
    model = MODEL_BY_KIND.get(canonical) if canonical is not None else None
    if model is None:
        shown = kind if isinstance(kind, str) else describe(kind)
        return None, [
            at(
                ("kind",),
                "unknown-kind",
                f"unknown kind `{shown}`: expected one of {one_of(KINDS)}",
                hint_for(shown, KINDS),
                False,
            )
        ]
    data = value if canonical == kind else {**value, "kind": canonical}
    try:
        return model.model_validate(data), []  # type: ignore[return-value]
    except ValidationError as exc:
        findings = [
            _translate(error, data, model, positions, at) for error in exc.errors(include_url=False)
        ]
        return None, findings


def _walk(data: Any, loc: tuple[Any, ...]) -> tuple[PathKey, tuple[Any, ...]]:
    """Split a pydantic `loc` into the part present in the data and the rest."""
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        in_dict = isinstance(current, dict) and isinstance(part, str) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if not (in_dict or in_list):
            return tuple(path), loc[i:]
        current = current[part]
        path.append(part)
    return tuple(path), ()


def _model_at(model: type[BaseModel], path: PathKey) -> type[BaseModel] | None:
    """The model class of the value at `path` (None when it is not a model)."""
    current: type[BaseModel] | None = model
    for part in path:
        if isinstance(part, int):
            continue  # list items have the list's item model
        if current is None or part not in current.model_fields:
            return None
        current = _find_in_type(current.model_fields[part].annotation, BaseModel)
    return current


def _annotation_at(model: type[BaseModel], path: PathKey) -> Any:
    """The annotation of the last named field of `path`, or None."""
    names = [i for i, part in enumerate(path) if isinstance(part, str)]
    if not names:
        return None
    last = names[-1]
    holder = _model_at(model, path[:last])
    if holder is None or path[last] not in holder.model_fields:
        return None
    return holder.model_fields[str(path[last])].annotation


def _find_in_type(annotation: Any, base: type) -> Any:
    """The first class deriving from `base` inside a type (through lists, unions, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, base):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_in_type(arg, base)
        if found is not None:
            return found
    return None


def _translate(
    error: Any, data: Any, model: type[BaseModel], positions: PositionIndex, at: _At
) -> Finding:
    """One pydantic error -> one located finding with what was expected and a hint."""
    kind: str = error["type"]
    path, rest = _walk(data, tuple(error["loc"]))
    given = error.get("input")
    name = dotted(path) or "document"
    if kind == "extra_forbidden":
        holder = _model_at(model, path[:-1])
        allowed = list(holder.model_fields) if holder else []
        key = path[-1] if path else ""
        hint = hint_for(str(key), allowed, synonyms=_SYNONYMS if holder is model else None)
        if hint is None and allowed:
            hint = f"allowed fields here: {', '.join(allowed)}"
        return at(path, "unknown-field", f"unknown field `{key}`", hint, True)
    if kind == "missing":
        missing = str(rest[0]) if rest else "?"
        if not path and missing == "id":
            name_value = data.get("name") if isinstance(data, dict) else None
            slug = slugify(name_value) if isinstance(name_value, str) else ""
            hint = f"add `id: {slug}`" if slug else "add `id:` (lower-case letters, digits, -)"
            return at((), "missing-id", "the document has no `id`", hint, False)
        where = f" in `{name}`" if path else ""
        return at(
            path,
            "missing-field",
            f"missing required field `{missing}`{where}",
            f"add `{missing}: ...`",
            bool(path),
        )
    shown = positions.raw.get(path, given if isinstance(given, str) else None)
    if kind in ("enum", "literal_error"):
        enum_cls = _find_in_type(_annotation_at(model, path), enum.Enum)
        choices = [str(m.value) for m in enum_cls] if enum_cls else _quoted(error)
        return at(
            path,
            "invalid-value",
            f"`{name}` must be one of {one_of(choices)}; got `{_show(given, shown)}`",
            hint_for(str(given), choices) if isinstance(given, str) else None,
            False,
        )
    if kind == "string_pattern_mismatch":
        return _pattern_finding(path, name, str(given), error.get("ctx", {}).get("pattern"), at)
    if kind in _TYPE_WORDS:
        wanted = _TYPE_WORDS[kind]
        hint = None
        if kind == "string_type" and shown is not None:
            hint = f'put it in quotes: `"{shown}"`'
        elif wanted == "a list" and isinstance(given, dict):
            hint = "write each item on its own line starting with `- `"
        return at(
            path,
            "wrong-type",
            f"`{name}` should be {wanted}, got {describe(given)}",
            hint,
            False,
        )
    if kind in ("string_too_short", "too_short"):
        return at(
            path,
            "empty-value",
            f"`{name}` must not be empty",
            "write a value or remove the field",
            False,
        )
    if kind in ("string_too_long", "too_long"):
        limit = error.get("ctx", {}).get("max_length")
        return at(
            path, "too-long", f"`{name}` is longer than {limit} characters", "shorten it", False
        )
    message = str(error["msg"]).removeprefix("Value error, ")
    return at(path, "invalid-value", f"`{name}`: {message}", None, False)


def _show(given: Any, raw: str | None) -> str:
    return raw if raw is not None else (given if isinstance(given, str) else describe(given))


def _quoted(error: Any) -> list[str]:
    expected = str(error.get("ctx", {}).get("expected", ""))
    return [part.strip(" '") for part in expected.replace(" or ", ", ").split(",") if part.strip()]


def _pattern_finding(path: PathKey, name: str, given: str, pattern: Any, at: _At) -> Finding:
    """A finding for a value that does not match its pattern (ids, references, tags, email)."""
    if pattern == ID_PATTERN:
        slug = slugify(given)
        hint = f"did you mean `{slug}`?" if slug else None
        return at(
            path,
            "invalid-id",
            f"`{given}` is not a valid id{'' if name == 'id' else f' in `{name}`'}: use "
            "lower-case letters, digits and single hyphens",
            hint,
            False,
        )
    pattern = str(pattern)
    if pattern == INTERFACE_REF_PATTERN or "/" in pattern:
        product, _, interface = given.partition("/")
        fixed = f"{slugify(product)}/{slugify(interface)}" if interface else ""
        hint = (
            f"did you mean `{fixed}`?"
            if fixed and "/" in fixed.strip("/")
            else ("name the providing product's id, a slash, then the interface name")
        )
        return at(
            path,
            "invalid-reference",
            f"`{given}` in `{name}` is not an interface reference: expected "
            "`product-id/interface-name`",
            hint,
            False,
        )
    if pattern == OWNER_REF_PATTERN or "person|team" in pattern:
        prefix, sep, rest = given.partition(":")
        if sep and prefix.strip().lower() in ("person", "team"):
            fixed = f"{prefix.strip().lower()}:{slugify(rest)}"
        else:
            fixed = slugify(given)
        return at(
            path,
            "invalid-reference",
            f"`{given}` in `{name}` is not an owner: expected a person or team id, optionally "
            "written `person:id` or `team:id`",
            f"did you mean `{fixed}`?" if fixed and fixed != given else None,
            False,
        )
    if "@" in str(pattern):
        return at(
            path,
            "invalid-value",
            f"`{given}` in `{name}` is not an email address",
            "write it like `name@example.com`",
            False,
        )
    slug = slugify(given)
    rule = (
        "tags use lower-case letters, digits and `.+_-`"
        if "tags" in path
        else f"it must match `{pattern}`"
    )
    return at(
        path,
        "invalid-value",
        f"`{given}` is not a valid value for `{name}`: {rule}",
        f"did you mean `{slug}`?" if slug and slug != given else None,
        False,
    )
