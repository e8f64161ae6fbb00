"""Helpers for the descriptor parser and checker tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from productize.domain.findings import Finding
from productize.domain.parse import ParsedDocument, ParsedFile, parse_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def parse_text(text: str, path: str = "test.productize.yaml") -> ParsedFile:
    """Parse YAML text as if it were a file."""
    return parse_bytes(path, text.encode("utf-8"))


def codes(findings: list[Finding]) -> list[str]:
    """The codes of findings, in order."""
    return [f.code for f in findings]


def only(findings: list[Finding], code: str) -> Finding:
    """The single finding with `code` (fails when there are none or several)."""
    matching = [f for f in findings if f.code == code]
    assert len(matching) == 1, [f.render() for f in findings]
    return matching[0]


def docs(*texts: str) -> list[ParsedDocument]:
    """Valid documents from several YAML texts, each parsed as its own file."""
    result: list[ParsedDocument] = []
    for i, text in enumerate(texts):
        parsed = parse_text(text, f"file{i}.productize.yaml")
        assert parsed.ok, [f.render() for f in parsed.findings]
        result.extend(parsed.documents)
    return result


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under tmp_path (creating directories) and return its path."""

    def _write(relative: str, content: str | bytes) -> Path:
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
