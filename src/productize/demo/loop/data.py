"""Reading the demo loop's data files (no database): channels, feedback, patterns,
improvements and roadmaps, each checked enough that a typo fails loudly with its place."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent
FILES = ("channels.yaml", "feedback.jsonl", "patterns.yaml", "improvements.yaml", "roadmaps.yaml")


class DemoDataError(ValueError):
    """A demo data file that does not say what the loader needs; names the file and place."""


@dataclass(frozen=True, slots=True)
class Move:
    """A status move on a given day (days before the load), with its reason."""

    to: str
    days_ago: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ChannelData:
    """A feedback channel of the demo."""

    key: str
    name: str
    kind: str
    product: str | None
    loop: str | None
    notes: str
    routing_rules: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class FeedbackData:
    """One feedback item as the demo's sources gave it."""

    key: str
    channel: str
    days_ago: int
    time: str
    author: str
    text: str
    contact: str = ""
    product: str | None = None
    interface: str | None = None
    title: str = ""
    tags: tuple[str, ...] = ()
    pattern: str | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class PatternData:
    """A recurring problem the owners recognised."""

    key: str
    title: str
    products: list[str]
    opened: int
    owner: str | None = None
    interface: str | None = None
    workaround: str = ""
    history: list[Move] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MilestoneData:
    """A step of an improvement: done some days ago, or due in some days."""

    title: str
    mvp: bool
    done: int | None = None  # days ago
    due: int | None = None  # days ahead (negative: overdue)


@dataclass(frozen=True, slots=True)
class ImprovementData:
    """Work addressing patterns."""

    key: str
    title: str
    products: list[str]
    patterns: list[str]
    proposed: int
    people: dict[str, list[str]]
    spec: dict[str, str]
    effort: float | None
    confidence: float | None
    history: list[Move]
    milestones: list[MilestoneData]


@dataclass(frozen=True, slots=True)
class RoadmapData:
    """One placement on a product's roadmap."""

    product: str
    column: str
    improvement: str
    rationale: str


@dataclass(frozen=True, slots=True)
class DemoLoopData:
    """Everything in the data files."""

    channels: list[ChannelData]
    feedback: list[FeedbackData]
    patterns: list[PatternData]
    improvements: list[ImprovementData]
    roadmap: list[RoadmapData]


def _yaml(name: str, directory: Path) -> Any:
    path = directory / name
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise DemoDataError(f"{path}: {error}") from error


def _moves(raw: Any, where: str) -> list[Move]:
    moves = []
    for i, move in enumerate(raw or []):
        if not isinstance(move, dict) or "to" not in move or "days_ago" not in move:
            raise DemoDataError(f"{where}.history[{i}]: needs `to` and `days_ago`")
        moves.append(Move(str(move["to"]), int(move["days_ago"]), str(move.get("reason") or "")))
    return moves


def _feedback(directory: Path) -> list[FeedbackData]:
    path = directory / "feedback.jsonl"
    items = []
    known = set(FeedbackData.__dataclass_fields__) - {"line"}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as error:
            raise DemoDataError(f"{path}:{number}:{error.colno}: {error.msg}") from error
        unknown = sorted(set(raw) - known)
        if unknown:
            raise DemoDataError(f"{path}:{number}: unknown field `{unknown[0]}`")
        raw["tags"] = tuple(raw.get("tags") or ())
        items.append(FeedbackData(**raw, line=number))
    return items


def read_demo_loop(directory: Path = DATA_DIR) -> DemoLoopData:
    """Read and shape every data file; raise `DemoDataError` naming the place of a problem."""
    channels = [
        ChannelData(
            key=c["key"],
            name=c["name"],
            kind=c["kind"],
            product=c.get("product"),
            loop=c.get("loop"),
            notes=str(c.get("notes") or ""),
            routing_rules=list(c.get("routing_rules") or []),
        )
        for c in _yaml("channels.yaml", directory)
    ]
    patterns = [
        PatternData(
            key=p["key"],
            title=p["title"],
            products=list(p.get("products") or []),
            opened=int(p["opened"]),
            owner=p.get("owner"),
            interface=p.get("interface"),
            workaround=" ".join(str(p.get("workaround") or "").split()),
            history=_moves(p.get("history"), f"patterns.yaml:{p['key']}"),
        )
        for p in _yaml("patterns.yaml", directory)
    ]
    improvements = []
    for raw in _yaml("improvements.yaml", directory):
        where = f"improvements.yaml:{raw['key']}"
        milestones = [
            MilestoneData(m["title"], bool(m.get("mvp", True)), m.get("done"), m.get("due"))
            for m in raw.get("milestones") or []
        ]
        improvements.append(
            ImprovementData(
                key=raw["key"],
                title=raw["title"],
                products=list(raw.get("products") or []),
                patterns=list(raw.get("patterns") or []),
                proposed=int(raw["proposed"]),
                people={role: list(who) for role, who in (raw.get("people") or {}).items()},
                spec={k: " ".join(str(v).split()) for k, v in (raw.get("spec") or {}).items()},
                effort=raw.get("effort"),
                confidence=raw.get("confidence"),
                history=_moves(raw.get("history"), where),
                milestones=milestones,
            )
        )
    roadmap = [
        RoadmapData(product, column, entry["improvement"], " ".join(entry["rationale"].split()))
        for product, columns in (_yaml("roadmaps.yaml", directory) or {}).items()
        for column, entries in columns.items()
        for entry in entries
    ]
    return DemoLoopData(channels, _feedback(directory), patterns, improvements, roadmap)
