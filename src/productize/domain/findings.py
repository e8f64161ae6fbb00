"""Findings: the errors and warnings that checks report, each located in a file."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from enum import StrEnum


class Severity(StrEnum):
    """Errors block a descriptor (or fail CI); warnings inform."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, located as precisely as the input allows.

    `line` and `column` are 1-based; 0 means "the whole file". `code` is a stable,
    machine-readable name (e.g. `unknown-field`); `message` says what was expected;
    `hint` suggests the fix when one is known.
    """

    path: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    hint: str | None = None
    field: str | None = None  # dotted path inside the document, e.g. `interfaces.provides[0].kind`
    document: int | None = None  # 0-based index of the YAML document in its file
    extra: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def location(self) -> str:
        """`path:line:column`, the form editors and CI logs understand."""
        return f"{self.path}:{self.line}:{self.column}"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def render(self) -> str:
        """One line for people: `path:line:col: error[code]: message (hint)`."""
        text = f"{self.location}: {self.severity}[{self.code}]: {self.message}"
        return f"{text} — {self.hint}" if self.hint else text
