"""Plain Python values from a YAML event stream, with the position of every key and value.

This is the inner loop of `yamlload`: see there for the why. It keeps budgets (depth, nodes,
alias expansion) while it builds, so hostile input is stopped before anything large exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from productize.domain.findings import Finding, Severity

try:  # libyaml is ~10x faster; fall back to the pure-Python parser where it is not built.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Pos = tuple[int, int]
"""A 1-based (line, column); (0, 0) stands for "the whole file"."""
PathKey = tuple[str | int, ...]
"""Where a value sits in a document: mapping keys and sequence indexes from the root."""

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_STD + t for t in ("str", "int", "float", "bool", "null"))
_COLLECTION_TAGS = frozenset((_STD + "map", _STD + "seq", "!"))
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {
    **dict.fromkeys(("true", "True", "TRUE"), True),
    **dict.fromkeys(("false", "False", "FALSE"), False),
}
_MAYBE_NOT_STR = frozenset("~nNtTfF0123456789+-.")
_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)")
_NO_VALUE = object()


def resolve_plain(text: str) -> Any:
    """The value of a plain (unquoted, untagged) scalar under the YAML 1.2 core schema."""
    if not text or text[0] not in _MAYBE_NOT_STR:
        return text or None
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text[0] == "-" else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


def describe(value: Any) -> str:
    """What a loaded YAML value is, in words for people."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass(slots=True)
class PositionIndex:
    """Where each key and value of one document starts, by path."""

    values: dict[PathKey, Pos] = field(default_factory=dict)
    keys: dict[PathKey, Pos] = field(default_factory=dict)
    raw: dict[PathKey, str] = field(default_factory=dict)  # source of non-string scalars

    def value(self, path: PathKey) -> Pos:
        """The position of the value at `path`, or of its nearest recorded ancestor."""
        values = self.values
        while path:
            pos = values.get(path)
            if pos is not None:
                return pos
            path = path[:-1]
        return values.get((), (1, 1))

    def key(self, path: PathKey) -> Pos:
        """The position of the key that holds `path` (the value's position for list items)."""
        pos = self.keys.get(path)
        return pos if pos is not None else self.value(path)


@dataclass(slots=True)
class LoadedDocument:
    """One YAML document: its plain value, where it starts, and where everything in it is."""

    index: int
    value: Any
    line: int
    column: int
    positions: PositionIndex
    ok: bool = True  # False when a loading error makes the value unreliable (e.g. duplicate key)


def _matches_tag(value: Any, tag: str) -> bool:
    """Whether a resolved scalar is of the type its explicit `!!tag` names."""
    if tag == "null":
        return value is None
    if tag == "bool" or isinstance(value, bool):
        return tag == "bool" and isinstance(value, bool)
    if tag == "int":
        return isinstance(value, int)
    return isinstance(value, (int, float))  # !!float accepts `1` and makes it 1.0


class Fatal(Exception):
    """A limit was hit: stop loading the file."""


class _Frame:
    """A mapping or sequence being built."""

    __slots__ = ("anchor", "container", "is_map", "key", "key_pos", "path", "pos", "size")

    def __init__(self, container: Any, path: PathKey | None, pos: Pos, anchor: str | None) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path  # None inside keys and discarded values: nothing there is recorded
        self.pos, self.anchor, self.size = pos, anchor, 1
        self.key: Any = _WANT_KEY  # mappings: the key awaiting its value, or a marker
        self.key_pos: dict[str, Pos] = {}  # mappings: where each key was first seen


_WANT_KEY = object()  # the next node of this mapping is a key


class StreamLoader:
    """Builds documents from one chunk of text (a whole file, or what follows a broken part)."""

    def __init__(
        self, path: str, text: str, line_offset: int, first_index: int, limits: tuple[int, int]
    ) -> None:
        self.path, self.text, self.line_offset = path, text, line_offset
        self.max_depth, self.max_nodes = limits
        self.nodes = 0
        self.documents: list[LoadedDocument] = []
        self.findings: list[Finding] = []
        self.index = first_index - 1  # index of the document being built
        self.doc_start_line = line_offset  # 0-based line of the current document's start
        self._new_document()

    def _new_document(self) -> None:
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.positions = PositionIndex()
        self.root: Any = _NO_VALUE
        self.root_pos: Pos = (1, 1)
        self.ok = True
        self.skip = False  # after a document-level error: ignore events up to its end

    def error(self, pos: Pos, code: str, message: str, hint: str | None = None) -> None:
        """Record an error in the current document."""
        self.findings.append(_finding(self.path, pos, code, message, hint, self.index))
        self.ok = False

    def run(self) -> None:
        """Consume the event stream; YAML errors propagate to the caller."""
        parser = _Loader(self.text)
        try:
            self._loop(parser.get_event)
        finally:
            parser.dispose()

    def _loop(self, get_event: Any) -> None:
        # The hot path: one pass per event, scalars handled inline (they are ~2/3 of events).
        offset = self.line_offset + 1
        scalar, alias, maybe = yaml.ScalarEvent, yaml.AliasEvent, _MAYBE_NOT_STR
        starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
        ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
        stack = self.stack
        while (event := get_event()) is not None:
            cls = event.__class__
            if cls is scalar:
                if self.skip:
                    continue
                self.nodes += 1
                mark = event.start_mark
                pos = (mark.line + offset, mark.column + 1)
                if self.nodes > self.max_nodes:
                    self._over_budget(pos, alias=False)
                text = event.value
                if event.tag is not None:
                    value = self._tagged(event.tag, text, pos)
                elif event.implicit[0] and (not text or text[0] in maybe):
                    value = resolve_plain(text)
                else:
                    value = text
                if event.anchor is not None:
                    self.anchors[event.anchor] = (value, 1)
                frame = stack[-1] if stack else None
                if frame is not None and frame.is_map and frame.key is _WANT_KEY:
                    self._key(frame, text, value, pos, event.implicit[0] and event.tag is None)
                    continue
                path = self._path(frame, pos)
                if path is not None and value is not None and value.__class__ is not str:
                    self.positions.raw[path] = text
                self._attach(frame, value, 1)
            elif cls in starts:
                if self.skip:
                    continue
                mark = event.start_mark
                self._start(event, (mark.line + offset, mark.column + 1), cls is starts[0])
            elif cls in ends:
                if self.skip:
                    continue
                done = stack.pop()
                if done.anchor is not None:
                    self.open_anchors.discard(done.anchor)
                    self.anchors[done.anchor] = (done.container, done.size)
                parent = stack[-1] if stack else None
                if parent is not None and parent.is_map and parent.key is _WANT_KEY:
                    parent.key = _NO_VALUE
                    self.error(
                        done.pos,
                        "non-string-key",
                        "mapping keys must be strings, found a list or mapping",
                        "use a plain text key",
                    )
                else:
                    self._attach(parent, done.container, done.size)
            elif cls is alias:
                if not self.skip:
                    mark = event.start_mark
                    self._alias(event.anchor, (mark.line + offset, mark.column + 1))
            elif cls is yaml.DocumentStartEvent:
                self.index += 1
                self.doc_start_line = event.start_mark.line + self.line_offset
                self._new_document()
                stack = self.stack
            elif cls is yaml.DocumentEndEvent and self.root is not _NO_VALUE:
                doc = LoadedDocument(self.index, self.root, *self.root_pos, self.positions, self.ok)
                self.documents.append(doc)

    def _path(self, frame: _Frame | None, pos: Pos) -> PathKey | None:
        """The path of a value node that starts now, recording its position."""
        path: PathKey
        if frame is None:
            self.root_pos = pos
            path = ()
        elif frame.path is None:
            return None
        elif frame.is_map:
            if frame.key is _NO_VALUE:
                return None
            path = (*frame.path, frame.key)
        else:
            path = (*frame.path, len(frame.container))
        self.positions.values[path] = pos
        return path

    def _attach(self, frame: _Frame | None, value: Any, size: int) -> None:
        """Put a finished value into its parent (or make it the document's root)."""
        if frame is None:
            self.root = value
            return
        frame.size += size
        if not frame.is_map:
            frame.container.append(value)
            return
        if frame.key is not _NO_VALUE:
            frame.container[frame.key] = value
        frame.key = _WANT_KEY

    def _key(self, frame: _Frame, text: str, key: Any, pos: Pos, plain: bool) -> None:
        """A scalar key: check it and remember where it is."""
        frame.key = _NO_VALUE  # the value that follows is dropped unless the key is good
        if plain and text == "<<":
            self.error(
                pos,
                "merge-key",
                "YAML merge keys (`<<: *anchor`) are not supported in descriptors",
                "write the fields out in full",
            )
        elif key.__class__ is not str:
            shown = f"`{text}`" if text else "an empty key"
            self.error(
                pos,
                "non-string-key",
                f"mapping keys must be strings, found {shown} (read as {describe(key)})",
                f'put the key in quotes: `"{text}":`' if text else "give the key a name",
            )
        elif (first := frame.key_pos.get(key)) is not None:
            self.error(
                pos,
                "duplicate-key",
                f"duplicate key `{key}` (first at line {first[0]}, column {first[1]})",
                "remove one; YAML would silently keep the last",
            )
        else:
            frame.key_pos[key] = pos
            frame.key = key
            if frame.path is not None:
                self.positions.keys[(*frame.path, key)] = pos

    def _tagged(self, tag: str, text: str, pos: Pos) -> Any:
        """The value of an explicitly tagged scalar; unknown tags are errors."""
        if tag == "!" or tag == _STD + "str":
            return text
        if tag not in _SCALAR_TAGS:
            self.error(
                pos,
                "unsupported-tag",
                f"unsupported YAML tag `{tag}`",
                "remove the tag; descriptors use plain YAML values",
            )
            return text
        value = resolve_plain(text)
        wanted = tag[len(_STD) :]
        if not _matches_tag(value, wanted):
            self.error(pos, "invalid-tagged-value", f"`{text}` is not a valid !!{wanted}")
            return text
        return float(value) if wanted == "float" else value

    def _over_budget(self, pos: Pos, *, alias: bool) -> None:
        if alias:
            self.error(
                pos,
                "alias-expansion",
                f"aliases expand to more than {self.max_nodes} YAML nodes; loading stopped",
                "repeat the data instead of nesting aliases",
            )
        else:
            self.error(
                pos,
                "too-many-nodes",
                f"the file has more than {self.max_nodes} YAML nodes; loading stopped",
                "split the descriptors into several files",
            )
        raise Fatal

    def _start(self, event: Any, pos: Pos, is_map: bool) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            self._over_budget(pos, alias=False)
        tag = event.tag
        if tag is not None and tag not in _COLLECTION_TAGS:
            self.error(
                pos,
                "unsupported-tag",
                f"unsupported YAML tag `{tag}`",
                "remove the tag; descriptors use plain mappings and lists",
            )
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and parent.key is _WANT_KEY:
            path = None  # a list or mapping used as a key: reported when it ends
        else:
            path = self._path(parent, pos)
        self.stack.append(_Frame({} if is_map else [], path, pos, event.anchor))
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
        if len(self.stack) > self.max_depth:
            self.error(
                pos,
                "too-deep",
                f"collections nested more than {self.max_depth} levels deep; loading stopped",
                "descriptors need only a few levels of nesting",
            )
            raise Fatal

    def _alias(self, name: str, pos: Pos) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and parent.key is _WANT_KEY:
            parent.key = _NO_VALUE
            self.error(
                pos,
                "non-string-key",
                f"an alias (`*{name}`) cannot be a key",
                "use a plain text key",
            )
            return
        if name in self.open_anchors:
            self.error(
                pos,
                "recursive-alias",
                f"alias `*{name}` is used inside its own anchor `&{name}`",
                "an anchor cannot contain itself",
            )
            self.skip = True
            return
        self._path(parent, pos)
        target = self.anchors.get(name)
        if target is None:
            self.error(
                pos,
                "undefined-alias",
                f"alias `*{name}` has no anchor `&{name}` before it in this document",
                f"add `&{name}` to the value it stands for",
            )
            self._attach(parent, None, 1)
            return
        self.nodes += target[1]
        if self.nodes > self.max_nodes:
            self._over_budget(pos, alias=True)
        self._attach(parent, target[0], target[1])


def _finding(
    path: str,
    pos: Pos,
    code: str,
    message: str,
    hint: str | None = None,
    document: int | None = None,
    severity: Severity = Severity.ERROR,
) -> Finding:
    return Finding(path, pos[0], pos[1], severity, code, message, hint, None, document)
