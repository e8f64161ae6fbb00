"""Safe YAML loading that remembers where every key and value came from.

PyYAML's C parser (libyaml, through `CSafeLoader`; the pure-Python `SafeLoader` when libyaml
is missing) turns the text into a stream of events; this module builds plain Python values from
that stream itself instead of letting a constructor do it, because it needs to:

- record the 1-based (line, column) of every key and value by path, so that a validation error
  on `interfaces.consumes[2]` can be shown at `product.yaml:31:7`;
- refuse hostile input quickly: files over a size limit are rejected before parsing, nesting
  deeper than a limit stops the parse, and aliases are never copied: each use of an alias adds
  the size of its target to a node budget, so a "billion laughs" bomb is stopped after a few
  thousand events instead of being expanded;
- report duplicate keys (YAML loaders silently keep the last one), non-string keys and unknown
  tags as findings with a stable code;
- keep going after a syntax error by resuming at the next `---` line, so one broken document
  does not hide the others in the same file.

Events rather than `compose()` nodes: the event stream is cheaper to produce (no node objects)
and lets the depth and node budgets act while parsing, before anything large is built.

A file with no document at all (empty, or only comments) gets an `empty-file` *warning*, not
an error: it declares nothing wrong, but it is probably a mistake (a placeholder someone forgot,
or content that was lost), so it is shown and fails only `--strict` builds.

Plain scalars are resolved with the YAML 1.2 core schema (the one editors and
yaml-language-server use): `yes`, `no`, `on`, `off` stay strings (no "Norway problem") and dates
stay strings; only `true`/`false`, `null`/`~` and numbers (`12`, `0o17`, `0x1f`, `1.5`) are
converted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from productize.domain.findings import Finding, Severity
from productize.domain.yamlbuild import (
    Fatal,
    LoadedDocument,
    PathKey,
    Pos,
    PositionIndex,
    StreamLoader,
    describe,
    resolve_plain,
)

__all__ = [
    "CODES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "LoadResult",
    "LoadedDocument",
    "PathKey",
    "Pos",
    "PositionIndex",
    "decode",
    "describe",
    "index_to_pos",
    "load_yaml",
    "offset_to_pos",
    "resolve_plain",
    "too_large",
]

MAX_FILE_BYTES = 1 << 20  # 1 MiB: a hand-written descriptor is a few KiB.
MAX_DEPTH = 64  # descriptors nest 4 levels; 64 leaves room for free-form annotations.
MAX_NODES = 200_000  # scalars + collections per file, each alias use counting its full size.

CODES: dict[str, str] = {
    "file-too-large": "the file is larger than the size limit and was not parsed",
    "binary-file": "the file contains NUL bytes: it is binary, not YAML text",
    "not-utf8": "the file is not valid UTF-8",
    "control-character": "a control character that YAML does not allow",
    "empty-file": "the file holds no YAML document (warning)",
    "yaml-syntax": "the text is not valid YAML",
    "tab-indent": "a tab used for indentation (YAML allows spaces only)",
    "too-deep": "collections nested deeper than the depth limit",
    "too-many-nodes": "more YAML nodes than the node limit",
    "alias-expansion": "aliases expand to more nodes than the limit (a YAML alias bomb)",
    "undefined-alias": "an alias (`*name`) with no matching anchor (`&name`)",
    "recursive-alias": "an alias used inside the node its anchor is on",
    "duplicate-key": "the same key twice in one mapping",
    "non-string-key": "a mapping key that is not a string (a number, boolean, null or list)",
    "merge-key": "a YAML merge key (`<<`), which descriptors do not support",
    "unsupported-tag": "a YAML tag other than the standard str/int/float/bool/null/map/seq",
    "invalid-tagged-value": "a value that does not match its explicit tag (e.g. `!!int abc`)",
}

_DOC_MARKER = re.compile(r"^---(?=[ \t\r\n]|$)", re.MULTILINE)


@dataclass(slots=True)
class LoadResult:
    """The documents of one file and the problems met while loading them."""

    documents: list[LoadedDocument]
    findings: list[Finding]


def offset_to_pos(data: bytes, offset: int) -> Pos:
    """The 1-based line and column (in characters) of a byte offset in UTF-8-ish bytes."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def index_to_pos(text: str, index: int) -> Pos:
    """The 1-based line and column of a character index in `text`."""
    index = max(0, min(index, len(text)))
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def decode(path: str, data: bytes) -> tuple[str | None, list[Finding]]:
    """UTF-8 text without its BOM, or None and the reason the bytes are not descriptor text."""

    def problem(code: str, pos: Pos, message: str, hint: str) -> tuple[None, list[Finding]]:
        finding = Finding(path, pos[0], pos[1], Severity.ERROR, code, message, hint)
        return None, [finding]

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return problem("not-utf8", (1, 1), "the file is UTF-16 or UTF-32", "save it as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        return problem(
            "binary-file",
            offset_to_pos(data, nul),
            f"NUL byte at byte offset {nul}: this is a binary file, not YAML",
            "descriptors are UTF-8 text; check that the right file was named",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 1].hex()
        return problem(
            "not-utf8",
            offset_to_pos(data, exc.start),
            f"invalid UTF-8 byte 0x{bad} at byte offset {exc.start}",
            "save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
        )
    return (text[1:] if text.startswith("\ufeff") else text), []


def _tab_position(text: str, index: int, line_offset: int) -> Pos | None:
    """Where a tab indents the line holding `index`, if one does."""
    start = text.rfind("\n", 0, index) + 1
    end = len(text) if (nl := text.find("\n", start)) < 0 else nl
    line = text[start:end]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    col = indent.find("\t")
    if col < 0:
        return None
    return text.count("\n", 0, start) + line_offset + 1, col + 1


def _syntax_finding(path: str, text: str, exc: yaml.YAMLError, line_offset: int) -> Finding:
    """A finding for a YAML error raised by the parser, located in the whole file."""
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = index_to_pos(text, exc.position)
        return Finding(
            path,
            line + line_offset,
            col,
            Severity.ERROR,
            "control-character",
            f"control character U+{exc.character:04X} is not allowed in YAML",
            "remove it, or write it as an escape inside double quotes",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = str(problem)
    context_mark = getattr(exc, "context_mark", None)
    if (
        context
        and context_mark is not None
        and (context_mark.line, context_mark.column)
        != (
            mark.line if mark else -1,
            mark.column if mark else -1,
        )
    ):
        where = f"line {context_mark.line + line_offset + 1}, column {context_mark.column + 1}"
        message = f"{problem} ({context} started at {where})"
    elif context:
        message = f"{problem} ({context})"
    if mark is None:
        return Finding(path, 0, 0, Severity.ERROR, "yaml-syntax", message)
    tab = _tab_position(text, mark.index, line_offset)
    if tab is not None:
        return Finding(
            path,
            *tab,
            Severity.ERROR,
            "tab-indent",
            "a tab is used for indentation; YAML allows only spaces there",
            "replace the tabs at the start of the line with spaces",
        )
    if "maximum nesting depth" in message:
        code, hint = "too-deep", "descriptors need only a few levels of nesting"
    else:
        code, hint = "yaml-syntax", "check the indentation, quotes and colons around this place"
    return Finding(
        path, mark.line + line_offset + 1, mark.column + 1, Severity.ERROR, code, message, hint
    )


def load_yaml(
    path: str,
    data: bytes,
    *,
    max_bytes: int = MAX_FILE_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_NODES,
) -> LoadResult:
    """Load every YAML document of a file with positions; problems become findings."""
    if len(data) > max_bytes:
        return LoadResult([], [too_large(path, len(data), max_bytes)])
    text, findings = decode(path, data)
    if text is None:
        return LoadResult([], findings)
    documents: list[LoadedDocument] = []
    line_offset, first_index, nodes = 0, 0, 0
    while text:
        loader = StreamLoader(path, text, line_offset, first_index, (max_depth, max_nodes))
        loader.nodes = nodes
        try:
            loader.run()
            text = ""
        except Fatal:
            text = ""
        except yaml.YAMLError as exc:
            # Resume at the next `---` line: the documents after a broken one still count.
            loader.findings.append(_syntax_finding(path, text, exc, line_offset))
            text, skipped = _after_broken_document(text, loader.doc_start_line - line_offset)
            line_offset += skipped
            first_index = max(loader.index, first_index) + 1
        documents.extend(loader.documents)
        findings.extend(loader.findings)
        nodes = loader.nodes
    if not any(doc.value is not None for doc in documents) and not findings:
        findings.append(
            Finding(
                path,
                0,
                0,
                Severity.WARNING,
                "empty-file",
                "the file holds no descriptor: it is empty or only comments",
                "add a document (`kind: product`, `id: ...`) or delete the file",
            )
        )
    return LoadResult(documents, findings)


def _after_broken_document(text: str, doc_start_line: int) -> tuple[str, int]:
    """The text from the first `---` line after the broken document's start, and lines skipped."""
    start = 0
    for _ in range(doc_start_line + 1):
        nl = text.find("\n", start)
        if nl < 0:
            return "", 0
        start = nl + 1
    match = _DOC_MARKER.search(text, start)
    if match is None:
        return "", 0
    return text[match.start() :], text.count("\n", 0, match.start())


def too_large(path: str, size: int, limit: int) -> Finding:
    """The finding for a file over the size limit."""
    return Finding(
        path,
        0,
        0,
        Severity.ERROR,
        "file-too-large",
        f"the file is {size:,} bytes; descriptors are limited to {limit:,} bytes",
        "split it into several files, or check that it really is a descriptor",
    )
