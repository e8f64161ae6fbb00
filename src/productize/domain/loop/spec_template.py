"""The improvement specification template (CONCEPT.md, "The loop"), pre-filled from patterns.

What the system knows — the problem statements, how many people raised them, the workarounds
people use today — is written in; what only the owner knows is left as a prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Section:
    """One heading of the template, with the question it answers."""

    key: str
    heading: str
    prompt: str


SECTIONS: tuple[Section, ...] = (
    Section("problem", "Problem and who has it", "Who has the problem, how often, what it costs."),
    Section("today", "How it is solved today", "The workarounds people use now, and their cost."),
    Section(
        "solution",
        "The new solution, as the user sees it",
        "What the user will see and do differently; not how it is built.",
    ),
    Section("implementation", "Implementation", "How it will be built, and what it touches."),
    Section(
        "migration", "Migration", "What existing users, data and consumers must change, and how."
    ),
    Section("release", "Release plan", "MVP first, then stretch goals; who is told, and when."),
    Section("resources", "Resources", "People, time, infrastructure and money needed."),
    Section("risks", "Risks", "What could go wrong, and what we do if it does."),
)


@dataclass(frozen=True, slots=True)
class PatternBrief:
    """What the template needs from one linked pattern."""

    id: str
    statement: str
    feedback_count: int = 0
    distinct_authors: int = 0
    workaround: str | None = None
    products: tuple[str, ...] = ()
    quotes: tuple[str, ...] = ()  # a few feedback texts, in the words people used


@dataclass(slots=True)
class Specification:
    """An improvement specification: section key -> text (empty: not written yet)."""

    title: str
    sections: dict[str, str] = field(default_factory=dict)

    def missing(self) -> list[str]:
        """Keys of the sections still empty."""
        return [s.key for s in SECTIONS if not self.sections.get(s.key, "").strip()]

    def to_markdown(self) -> str:
        """The specification as Markdown; empty sections show their prompt in italics."""
        parts = [f"# {self.title}"]
        for section in SECTIONS:
            body = self.sections.get(section.key, "").strip() or f"_{section.prompt}_"
            parts.append(f"## {section.heading}\n\n{body}")
        return "\n\n".join(parts) + "\n"


def _quote(text: str, limit: int = 280) -> str:
    flat = " ".join(text.split())
    flat = flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
    return "> " + flat


def _people(brief: PatternBrief) -> str:
    items = f"{brief.feedback_count} feedback item{'s' if brief.feedback_count != 1 else ''}"
    if brief.distinct_authors:
        plural = "people" if brief.distinct_authors != 1 else "person"
        items += f" from {brief.distinct_authors} {plural}"
    return items


def prefilled_specification(
    patterns: Sequence[PatternBrief], *, title: str | None = None, max_quotes: int = 3
) -> Specification:
    """A specification with the problem and today's workarounds written from the patterns."""
    heading = title or (patterns[0].statement if len(patterns) == 1 else "Improvement")
    problem: list[str] = []
    today: list[str] = []
    for brief in patterns:
        products = f" (products: {', '.join(brief.products)})" if brief.products else ""
        problem.append(f"- **{brief.statement}** — {_people(brief)}{products}.")
        # A bare `>` line between quotes keeps each quote its own paragraph when rendered.
        quotes = [f"  {_quote(q)}" for q in brief.quotes[:max_quotes]]
        if quotes:
            problem.append("\n  >\n".join(quotes))
        if brief.workaround and brief.workaround.strip():
            today.append(f"- {brief.statement}: {' '.join(brief.workaround.split())}")
        else:
            today.append(f"- {brief.statement}: no workaround is known.")
    total = sum(b.feedback_count for b in patterns)
    if len(patterns) > 1:
        problem.append(f"\n{len(patterns)} patterns, {total} feedback items in all.")
    return Specification(
        heading,
        {"problem": "\n".join(problem), "today": "\n".join(today)},
    )
