"""Compare two OpenAPI 3.x documents and classify every change as breaking or not."""

from __future__ import annotations

from typing import Any

from productize.domain.openapi_diff.kinds import KINDS, Change
from productize.domain.openapi_diff.schemas import SchemaDiffer, resolve

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def pointer(*parts: str) -> str:
    """A JSON pointer from raw segments (`~` and `/` escaped)."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from `old` to `new`, breaking first, then by location and kind."""
    differ = _Differ(old, new)
    differ.run()
    return sorted(differ.changes.values(), key=lambda c: (not c.breaking, c.location, c.kind))


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Only the changes that break existing clients."""
    return [change for change in compare(old, new) if change.breaking]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class _Differ:
    """Walks paths → operations → parameters, bodies, responses and security."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old = old
        self.new = new
        self.changes: dict[tuple[str, str, str], Change] = {}
        self.operation: str | None = None
        self.schemas = SchemaDiffer(old, new, self.add)

    def add(self, kind: str, location: str, message: str) -> None:
        """Record a change once per kind, location and message."""
        breaking, _ = KINDS[kind]  # a KeyError here is a bug: every emitted kind is documented
        key = (kind, location, message)
        if key not in self.changes:
            self.changes[key] = Change(kind, breaking, location, message, self.operation)

    def run(self) -> None:
        """Compare every path and operation."""
        old_paths = _mapping(self.old.get("paths"))
        new_paths = _mapping(self.new.get("paths"))
        for path in sorted(old_paths.keys() - new_paths.keys()):
            self.operation = path
            self.add("path-removed", pointer("paths", path), f"path {path} was removed")
        for path in sorted(new_paths.keys() - old_paths.keys()):
            self.operation = path
            self.add("path-added", pointer("paths", path), f"path {path} was added")
        for path in sorted(old_paths.keys() & new_paths.keys()):
            self._path(path, _mapping(old_paths[path]), _mapping(new_paths[path]))
        self.operation = None

    def _path(self, path: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old, _, _ = resolve(self.old, old, pointer("paths", path))
        new, _, _ = resolve(self.new, new, pointer("paths", path))
        for method in METHODS:
            here = pointer("paths", path, method)
            self.operation = f"{method.upper()} {path}"
            if method in old and method not in new:
                self.add("operation-removed", here, f"{self.operation} was removed")
            elif method in new and method not in old:
                self.add("operation-added", here, f"{self.operation} was added")
            elif method in old and method in new:
                self._operation(path, method, old, new)

    def _operation(self, path: str, method: str, old_item: dict, new_item: dict) -> None:
        old, new = _mapping(old_item[method]), _mapping(new_item[method])
        here = pointer("paths", path, method)
        if new.get("deprecated") and not old.get("deprecated"):
            self.add("operation-deprecated", here, f"{self.operation} is now deprecated")
        if old.get("operationId") and old.get("operationId") != new.get("operationId"):
            self.add(
                "operation-id-changed",
                here + "/operationId",
                f"operationId {old.get('operationId')} became {new.get('operationId')}",
            )
        for field in ("summary", "description"):
            if old.get(field) != new.get(field):
                self.add("description-changed", f"{here}/{field}", f"the {field} changed")
        self._parameters(path, method, old_item, new_item)
        self._request_body(here, old.get("requestBody"), new.get("requestBody"))
        self._responses(here, _mapping(old.get("responses")), _mapping(new.get("responses")))
        self._security(here, old, new)

    # -- parameters -------------------------------------------------------------------------

    def _effective_parameters(
        self, spec: dict[str, Any], path: str, method: str, item: dict[str, Any]
    ) -> dict[tuple[str, str], tuple[dict[str, Any], str]]:
        """(name, in) → (parameter, its pointer); operation parameters override path ones."""
        result: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        sources = (
            (item.get("parameters"), pointer("paths", path, "parameters")),
            (_mapping(item.get(method)).get("parameters"), pointer("paths", path, method)),
        )
        for parameters, base in sources:
            if not isinstance(parameters, list):
                continue
            if not base.endswith("/parameters"):
                base += "/parameters"
            for index, raw in enumerate(parameters):
                parameter, where, _ = resolve(spec, raw, f"{base}/{index}")
                name, location = parameter.get("name"), parameter.get("in")
                if isinstance(name, str) and isinstance(location, str):
                    # Header names are case-insensitive (RFC 9110).
                    key = name.lower() if location == "header" else name
                    result[(key, location)] = (parameter, where)
        return result

    def _parameters(self, path: str, method: str, old_item: dict, new_item: dict) -> None:
        old = self._effective_parameters(self.old, path, method, old_item)
        new = self._effective_parameters(self.new, path, method, new_item)
        moved = set()
        for name, location in sorted(old.keys() - new.keys()):
            elsewhere = [k for k in new.keys() - old.keys() if k[0].lower() == name.lower()]
            parameter, where = old[(name, location)]
            if elsewhere:
                moved.add(elsewhere[0])
                self.add(
                    "parameter-location-changed",
                    new[elsewhere[0]][1],
                    f"parameter {name} moved from {location} to {elsewhere[0][1]}",
                )
            else:
                self.add("parameter-removed", where, f"{location} parameter {name} was removed")
        for key in sorted(new.keys() - old.keys() - moved):
            parameter, where = new[key]
            if parameter.get("required"):
                self.add(
                    "parameter-added-required",
                    where,
                    f"new required {key[1]} parameter {key[0]}",
                )
            else:
                self.add("parameter-added-optional", where, f"new {key[1]} parameter {key[0]}")
        for key in sorted(old.keys() & new.keys()):
            (before, old_where), (after, where) = old[key], new[key]
            label = f"{key[1]} parameter {key[0]}"
            if after.get("required") and not before.get("required"):
                self.add("parameter-became-required", where, f"{label} became required")
            elif before.get("required") and not after.get("required"):
                self.add("parameter-became-optional", where, f"{label} became optional")
            if after.get("deprecated") and not before.get("deprecated"):
                self.add("parameter-deprecated", where, f"{label} is now deprecated")
            if before.get("description") != after.get("description"):
                self.add("description-changed", where + "/description", f"{label}: description")
            if "schema" in before or "schema" in after:
                self.schemas.compare(
                    before.get("schema"),
                    old_where + "/schema",
                    after.get("schema"),
                    where + "/schema",
                    "parameter",
                    label,
                )

    # -- request bodies -----------------------------------------------------------------------

    def _request_body(self, here: str, old_raw: Any, new_raw: Any) -> None:
        where = here + "/requestBody"
        if old_raw is None and new_raw is None:
            return
        if new_raw is None:
            self.add("request-body-removed", where, "the request body was removed")
            return
        new, new_where, _ = resolve(self.new, new_raw, where)
        if old_raw is None:
            if new.get("required"):
                self.add("request-body-added-required", new_where, "a required request body")
            else:
                self.add("request-body-added-optional", new_where, "an optional request body")
            return
        old, old_where, _ = resolve(self.old, old_raw, where)
        if new.get("required") and not old.get("required"):
            self.add("request-body-became-required", new_where, "the request body is required")
        elif old.get("required") and not new.get("required"):
            self.add("request-body-became-optional", new_where, "the request body is optional")
        self._content(old, old_where, new, new_where, "request", "request body")

    def _content(
        self,
        old: dict[str, Any],
        old_where: str,
        new: dict[str, Any],
        new_where: str,
        prefix: str,
        label: str,
    ) -> None:
        old_content, new_content = _mapping(old.get("content")), _mapping(new.get("content"))
        for media in sorted(old_content.keys() - new_content.keys()):
            self.add(
                f"{prefix}-media-type-removed",
                pointer(*_split(old_where), "content", media),
                f"{label} no longer offers {media}",
            )
        for media in sorted(new_content.keys() - old_content.keys()):
            self.add(
                f"{prefix}-media-type-added",
                pointer(*_split(new_where), "content", media),
                f"{label} now offers {media}",
            )
        for media in sorted(old_content.keys() & new_content.keys()):
            before, after = _mapping(old_content[media]), _mapping(new_content[media])
            if "schema" in before or "schema" in after:
                self.schemas.compare(
                    before.get("schema"),
                    pointer(*_split(old_where), "content", media, "schema"),
                    after.get("schema"),
                    pointer(*_split(new_where), "content", media, "schema"),
                    prefix,
                    label,
                )

    # -- responses ----------------------------------------------------------------------------

    def _responses(self, here: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        base = here + "/responses"
        for status in sorted(old.keys() - new.keys()):
            self.add(
                "response-status-removed",
                pointer(*_split(base), status),
                f"response {status} was removed",
            )
        for status in sorted(new.keys() - old.keys()):
            self.add(
                "response-status-added", pointer(*_split(base), status), f"new response {status}"
            )
        for status in sorted(old.keys() & new.keys()):
            where = pointer(*_split(base), status)
            before, old_where, _ = resolve(self.old, old[status], where)
            after, new_where, _ = resolve(self.new, new[status], where)
            if before.get("description") != after.get("description"):
                self.add("description-changed", new_where + "/description", f"{status}: text")
            self._content(before, old_where, after, new_where, "response", f"response {status}")

    # -- security -----------------------------------------------------------------------------

    def _effective_security(self, spec: dict[str, Any], operation: dict[str, Any]) -> list[dict]:
        raw = operation.get("security", spec.get("security"))
        if not isinstance(raw, list) or not raw:
            return [{}]  # no requirement: anonymous calls work
        return [_mapping(requirement) for requirement in raw]

    def _security(self, here: str, old_op: dict[str, Any], new_op: dict[str, Any]) -> None:
        """Alternatives are ORed, schemes within one alternative ANDed (OpenAPI semantics)."""
        where = here + "/security"
        old = self._effective_security(self.old, old_op)
        new = self._effective_security(self.new, new_op)
        old_sets = {frozenset(r): r for r in old}
        new_sets = {frozenset(r): r for r in new}
        for schemes in sorted(old_sets.keys() & new_sets.keys(), key=sorted):
            for scheme in sorted(schemes):
                before = set(old_sets[schemes].get(scheme) or [])
                after = set(new_sets[schemes].get(scheme) or [])
                if after - before:
                    scopes = ", ".join(sorted(after - before))
                    self.add("security-scope-added", where, f"{scheme} now needs scope {scopes}")
                if before - after:
                    scopes = ", ".join(sorted(before - after))
                    self.add("security-scope-removed", where, f"{scheme} no longer needs {scopes}")
        added = new_sets.keys() - old_sets.keys()
        for schemes in sorted(old_sets.keys() - new_sets.keys(), key=sorted):
            stricter = [n for n in added if n > schemes]
            was = " + ".join(sorted(schemes)) or "anonymous access"
            if stricter:
                extra = " + ".join(sorted(min(stricter, key=len) - schemes))
                message = (
                    f"{was} now also needs {extra}"
                    if schemes
                    else f"anonymous calls end: {extra} is now required"
                )
                self.add("security-requirement-added", where, message)
                added -= set(stricter)
            else:
                self.add("security-alternative-removed", where, f"{was} is no longer accepted")
        for schemes in sorted(added, key=sorted):
            label = " + ".join(sorted(schemes)) or "anonymous access"
            self.add("security-alternative-added", where, f"{label} is now accepted")


def _split(location: str) -> list[str]:
    """Raw segments of a JSON pointer (the inverse of `pointer`)."""
    return [p.replace("~1", "/").replace("~0", "~") for p in location.split("/")[1:]]
