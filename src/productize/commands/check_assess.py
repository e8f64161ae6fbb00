"""`productize check --assess`: the scorecard of every product found offline (no Django).

Evidence comes from what is on disk: the descriptor, the repository files next to it (the
product's folder is its repository when several products share a tree), and catalog evidence
from the documents found together (who consumes whose interfaces, owners that exist).
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from productize.domain.assessment import (
    LEVEL_ORDER,
    Assessment,
    CatalogEvidence,
    CharacteristicSet,
    Level,
    assess,
    load_characteristics,
    scan_repository,
)
from productize.domain.descriptors import PersonDoc, ProductDoc, TeamDoc
from productize.domain.findings import Finding, Severity

GAPS = ("not-met", "partly-met")


@dataclass(slots=True)
class Scored:
    """One product's assessment and where its descriptor is."""

    path: str
    line: int
    result: Assessment


@dataclass(slots=True)
class AssessReport:
    """Every scorecard, the characteristics file problems, and the products below the bar."""

    scored: list[Scored]
    findings: list[Finding]
    min_level: Level | None

    @property
    def below(self) -> list[Scored]:
        """Products below `--min-level` (none when no minimum is set)."""
        if self.min_level is None:
            return []
        floor = LEVEL_ORDER.index(self.min_level)
        return [s for s in self.scored if LEVEL_ORDER.index(s.result.level) < floor]

    @property
    def ok(self) -> bool:
        """No product below the minimum and no error in a characteristics file."""
        return not self.below and not any(f.severity is Severity.ERROR for f in self.findings)


def characteristics_for(paths: Sequence[str]) -> tuple[CharacteristicSet, list[Finding]]:
    """The characteristics file at the root of the first directory path that has one."""
    for raw in paths:
        root = Path(raw)
        if not root.is_dir():
            continue
        for name in sorted(os.listdir(root)):
            if name in ("characteristics.yaml", "characteristics.yml") or name.endswith(
                (".characteristics.yaml", ".characteristics.yml")
            ):
                file = root / name
                try:
                    text = file.read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as error:
                    problem = Finding(str(file), 0, 0, Severity.ERROR, "characteristics-unreadable",
                                      f"cannot read the characteristics file: {error}")  # fmt: skip
                    return load_characteristics(None, "default")[0], [problem]
                return load_characteristics(text, str(file))
    return load_characteristics(None, "default")


def assess_paths(paths: Sequence[str], min_level: Level | None) -> AssessReport:
    """Parse every descriptor under `paths` and assess each product found."""
    from productize.domain.discovery import discover
    from productize.domain.parse import parse_file

    chars, findings = characteristics_for(paths)
    products: list[tuple[ProductDoc, str, int]] = []
    people: set[str] = set()
    teams: set[str] = set()
    for file in discover(paths):
        for doc in parse_file(file).documents:
            if isinstance(doc.model, ProductDoc):
                products.append((doc.model, doc.path, doc.line))
            elif isinstance(doc.model, PersonDoc):
                people.add(doc.model.id)
            elif isinstance(doc.model, TeamDoc):
                teams.add(doc.model.id)
    catalog = offline_catalog([p for p, _, _ in products], people, teams)
    scored = []
    for product, path, line in products:
        folder = Path(path).parent
        repo = scan_repository(folder, product, folder)
        result = assess(product, chars, repo=repo, catalog=catalog[product.id])
        scored.append(Scored(path, line, result))
    scored.sort(key=lambda s: s.result.product_id)
    return AssessReport(scored, findings, min_level)


def offline_catalog(
    products: Iterable[ProductDoc], people: set[str], teams: set[str]
) -> dict[str, CatalogEvidence]:
    """Catalog evidence from the documents found together."""
    items = list(products)
    declared = {(p.id, i.name) for p in items for i in p.interfaces.provides}
    consumers: dict[str, set[str]] = defaultdict(set)
    edges: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    undeclared: dict[str, list[str]] = defaultdict(list)
    ids = {p.id for p in items}
    for product in items:
        for item in product.interfaces.consumes:
            provider, _, name = item.interface.partition("/")
            if (provider, name) in declared:
                if provider != product.id:
                    consumers[provider].add(product.id)
                edges[provider][name] += 1
            elif provider in ids:
                undeclared[provider].append(f"{product.id} uses {item.interface}")
    known = people or teams  # without people or team files, owners cannot be checked

    def unknown(owners: Sequence[str]) -> tuple[str, ...]:
        if not known:
            return ()
        missing = []
        for owner in owners:
            if owner.startswith("team:"):
                if owner[5:] not in teams:
                    missing.append(owner)
            elif owner.removeprefix("person:") not in people:
                missing.append(owner)
        return tuple(missing)

    return {
        p.id: CatalogEvidence(
            unknown_owners=unknown(p.owners),
            consumer_products=tuple(sorted(consumers.get(p.id, ()))),
            consumption_count=sum(edges.get(p.id, {}).values()),
            consumers_by_interface=dict(edges.get(p.id, {})),
            undeclared_consumption=tuple(undeclared.get(p.id, ())),
        )
        for p in items
    }


def write_report(report: AssessReport, fmt: str, out: IO[str]) -> None:
    """Print the report in one of text, json, github, junit, sarif."""
    from productize.commands import assess_formats

    writers = {
        "text": assess_formats.text,
        "json": assess_formats.as_json,
        "github": assess_formats.github,
        "junit": assess_formats.junit,
        "sarif": assess_formats.sarif,
    }
    writers[fmt](report, out)


def to_json(report: AssessReport) -> dict[str, Any]:
    """The JSON document of `--format json`."""
    return {
        "products": [{"path": s.path, "line": s.line, **s.result.as_dict()} for s in report.scored],
        "characteristics_findings": [f.as_dict() for f in report.findings],
        "min_level": str(report.min_level) if report.min_level else None,
        "below_min_level": [s.result.product_id for s in report.below],
        "ok": report.ok,
    }


def dumps(data: Any) -> str:
    """Indented JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False)
