"""Output formats of `productize check --assess`: text, json, github, junit, sarif."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from productize.commands.check_assess import GAPS, dumps, to_json

if TYPE_CHECKING:
    from productize.commands.check_assess import AssessReport, Scored

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _gaps(scored: Scored) -> list[tuple[str, str, str, str]]:
    """(characteristic key, title, status, first next step) for each expected gap."""
    out = []
    for c in scored.result.characteristics:
        if str(c.status) in GAPS:
            step = next(iter(c.next_steps), "")
            out.append((c.key, c.title, str(c.status), step))
    return out


def _headline(scored: Scored) -> str:
    r = scored.result
    return f"{r.product_id}: {r.level_title} (score {r.score}, stage {r.stage})"


def text(report: AssessReport, out: IO[str]) -> None:
    """A scorecard per product, for people."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(file=out, highlight=False, soft_wrap=True)
    for finding in report.findings:
        console.print(
            Text(finding.render(), style="red" if finding.severity == "error" else "yellow")
        )
    for scored in report.scored:
        r = scored.result
        console.print(Text(_headline(scored), style="bold"))
        if r.not_yet_a_product:
            for reason in r.not_yet_reasons:
                console.print(Text(f"  not yet a product: {reason}", style="bold red"))
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("characteristic")
        table.add_column("status")
        table.add_column("evidence / next step")
        for c in r.characteristics:
            status = str(c.status)
            style = {"met": "green", "not-met": "red", "partly-met": "yellow"}.get(status, "dim")
            steps = list(c.next_steps)
            evidence = "; ".join(e for rule in c.rules for e in rule.evidence[:1])
            table.add_row(c.key, Text(status, style=style), steps[0] if steps else evidence)
        console.print(table)
        for step in r.next_steps[:2]:
            console.print(Text(f"  next: {step.text} (unblocks {step.unblocks})", style="cyan"))
        console.print()
    below = report.below
    summary = f"{len(report.scored)} product(s) assessed"
    if report.min_level is not None:
        summary += f"; {len(below)} below {report.min_level}"
        if below:
            summary += ": " + ", ".join(s.result.product_id for s in below)
    console.print(Text(summary, style="bold red" if not report.ok else "bold green"))


def as_json(report: AssessReport, out: IO[str]) -> None:
    """Every scorecard as JSON."""
    out.write(dumps(to_json(report)) + "\n")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _escape(text).replace(":", "%3A").replace(",", "%2C")


def github(report: AssessReport, out: IO[str]) -> None:
    """Workflow annotations: an error per product below the minimum, a notice per gap."""
    below = {s.result.product_id for s in report.below}
    for finding in report.findings:
        out.write(f"::error file={_prop(finding.path)},line={max(finding.line, 1)}::"
                  f"{_escape(finding.message)}\n")  # fmt: skip
    for scored in report.scored:
        place = f"file={_prop(scored.path)},line={max(scored.line, 1)}"
        if scored.result.product_id in below:
            out.write(f"::error {place},title={_prop('productize assess')}::"
                      f"{_escape(_headline(scored))} is below {report.min_level}\n")  # fmt: skip
        for key, title, status, step in _gaps(scored):
            message = f"{scored.result.product_id}: {title} is {status}. {step}".strip()
            out.write(f"::notice {place},title={_prop(f'assess: {key}')}::{_escape(message)}\n")
    out.write(f"{len(report.scored)} product(s) assessed, {len(below)} below the minimum\n")


def junit(report: AssessReport, out: IO[str]) -> None:
    """JUnit XML: a suite per product, a case per characteristic; expected gaps fail."""
    suites = []
    total = failures = 0
    for scored in report.scored:
        cases = []
        gaps = {key: (status, step) for key, _, status, step in _gaps(scored)}
        for c in scored.result.characteristics:
            total += 1
            name = quoteattr(c.key)
            if c.key in gaps and c.expected:
                failures += 1
                status, step = gaps[c.key]
                body = f"<failure message={quoteattr(f'{c.title}: {status}. {step}')}/>"
                cases.append(f'    <testcase classname={quoteattr(scored.result.product_id)} '
                             f"name={name}>{body}</testcase>")  # fmt: skip
            elif str(c.status) in ("not-expected", "no-data", "not-applicable"):
                reason = quoteattr(str(c.status))
                cases.append(f"    <testcase classname={quoteattr(scored.result.product_id)} "
                             f"name={name}><skipped message={reason}/></testcase>")  # fmt: skip
            else:
                cases.append(f"    <testcase classname={quoteattr(scored.result.product_id)} "
                             f"name={name}/>")  # fmt: skip
        count = len(scored.result.characteristics)
        failed = sum(1 for c in scored.result.characteristics if c.key in gaps and c.expected)
        suites.append(
            f'  <testsuite name={quoteattr(_headline(scored))} tests="{count}" '
            f'failures="{failed}">\n' + "\n".join(cases) + "\n  </testsuite>"
        )
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<testsuites name="productize assess" tests="{total}" failures="{failures}">\n')
    out.write("\n".join(suites) + ("\n" if suites else ""))
    out.write("</testsuites>\n")


def sarif(report: AssessReport, out: IO[str]) -> None:
    """SARIF 2.1.0: one result per characteristic gap, at the product's descriptor."""
    rules: dict[str, dict[str, Any]] = {}
    results = []
    below = {s.result.product_id for s in report.below}
    for scored in report.scored:
        location = {
            "physicalLocation": {
                "artifactLocation": {"uri": scored.path},
                "region": {"startLine": max(scored.line, 1)},
            }
        }
        for key, title, status, step in _gaps(scored):
            rules.setdefault(key, {"id": key, "name": title, "shortDescription": {"text": title}})
            level = "error" if scored.result.product_id in below else "note"
            results.append(
                {
                    "ruleId": key,
                    "level": level,
                    "message": {"text": f"{scored.result.product_id}: {title} is {status}. {step}"},
                    "locations": [location],
                }
            )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "productize assess", "rules": list(rules.values())}},
                "results": results,
            }
        ],
    }
    out.write(dumps(document) + "\n")
