"""Replay the demo organisation's loop through the loop services, each step on its own day.

Every channel, feedback item, pattern, link, status move, improvement, milestone and roadmap
placement is written by the same services the web, the API and the CLI use, as the system
actor `demo`, with the clock set to the day it happened (see clock.py). Days in the data
count back from the moment of loading, so the demo always looks current: feedback arriving
this week, milestones due next week, an improvement that shipped two months ago and the
reports on its pattern falling since.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from productize.audit.services import Actor
from productize.catalog.models import Loop, Person, Product
from productize.demo.loop.clock import DemoClock
from productize.demo.loop.data import (
    DATA_DIR,
    ChannelData,
    DemoDataError,
    DemoLoopData,
    FeedbackData,
    ImprovementData,
    PatternData,
    read_demo_loop,
)
from productize.domain.loop.spec_template import SECTIONS
from productize.loop.intake import FeedbackRejected, bulk_give_feedback
from productize.loop.models import (
    Feedback,
    FeedbackChannel,
    Improvement,
    Milestone,
    MilestoneKind,
    Pattern,
    RoadmapEntry,
    Suggestion,
    SuggestionStatus,
)
from productize.loop.services import (
    add_milestone,
    complete_milestone,
    create_channel,
    create_improvement,
    create_pattern,
    link_feedback,
    move_improvement,
    move_pattern,
    place_on_roadmap,
    recompute_weights,
    set_improvement_people,
)
from productize.loop.suggestions import dismiss_suggestion, refresh_suggestions

ACTOR_LABEL = "demo"
WORKDAY = time(10, 0)  # owners' decisions are made at ten in the morning
# One suggestion the owners looked at and turned down, so the dismissal memory shows.
DISMISS_TERMS = ("dark", "mode")
SUGGESTED_FOR = ("farm-portal", "event-bus", "rota", "shop-app", "orders")
DISMISS_REASON = "Not now: the design system has no dark palette yet. Ask again in spring."

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LoopSummary:
    """What the demo loop load wrote."""

    channels: int
    feedback: int
    patterns: int
    improvements: int
    milestones: int
    roadmap_entries: int
    suggestions: int

    def line(self) -> str:
        """One line for the demo's summary."""
        return (
            f"{self.feedback} feedback items in {self.channels} channels, {self.patterns} "
            f"patterns, {self.improvements} improvements ({self.milestones} milestones), "
            f"{self.roadmap_entries} roadmap entries, {self.suggestions} open suggestions"
        )


class _Replay:
    """The steps of the history, ordered by when they happened."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.today = now.date()
        self.steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def at_day(self, days_ago: int, at: time = WORKDAY, minutes: int = 0) -> datetime:
        """A moment `days_ago` days before the load (never later than a minute ago)."""
        day = self.today - timedelta(days=days_ago)
        moment = datetime.combine(day, at, tzinfo=UTC) + timedelta(minutes=minutes)
        return min(moment, self.now - timedelta(minutes=1))

    def add(self, at: datetime, step: Callable[[], None]) -> None:
        """Do `step` at `at` (steps at the same moment keep the order they were added in);
        nothing happens later than just before the load."""
        self.steps.append((min(at, self.now - timedelta(seconds=30)), next(self._seq), step))

    def run(self, clock: DemoClock, progress: Progress | None) -> None:
        """Do every step in time order with the clock set to its moment."""
        self.steps.sort(key=lambda s: (s[0], s[1]))
        total = len(self.steps)
        for done, (at, _, step) in enumerate(self.steps, start=1):
            clock.set(at)
            step()
            if progress is not None and (done % 25 == 0 or done == total):
                progress(done, total)


def _feedback_time(item: FeedbackData, replay: _Replay) -> datetime:
    hours, _, minutes = item.time.partition(":")
    return replay.at_day(item.days_ago, time(int(hours), int(minutes or 0)))


def _with_owner_text(markdown: str, spec: dict[str, str]) -> str:
    """The pre-filled specification with the owner's own words put in their sections."""
    for section in SECTIONS:
        words = spec.get(section.key)
        if not words:
            continue
        head = f"## {section.heading}\n\n"
        prompt = f"{head}_{section.prompt}_"
        if prompt in markdown:
            markdown = markdown.replace(prompt, head + words, 1)
        elif head in markdown:
            markdown = markdown.replace(head, f"{head}{words}\n\n", 1)
    return markdown


class _Loader:
    """Builds the replay from the data, resolving keys to rows as the steps run."""

    def __init__(self, data: DemoLoopData, actor: Actor, replay: _Replay) -> None:
        self.data = data
        self.actor = actor
        self.replay = replay
        self.channels: dict[str, FeedbackChannel] = {}
        self.feedback: dict[str, Feedback] = {}
        self.patterns: dict[str, Pattern] = {}
        self.improvements: dict[str, Improvement] = {}
        self.products = {p.slug: p for p in Product.objects.select_related("loop")}
        self.loops = {loop.slug: loop for loop in Loop.objects.all()}
        self.people = set(Person.objects.values_list("slug", flat=True))

    def product(self, slug: str | None, where: str) -> Product | None:
        if not slug:
            return None
        found = self.products.get(slug)
        if found is None:
            raise DemoDataError(f"{where}: no product `{slug}` in the demo catalog")
        return found

    def plan(self) -> None:
        start = self.replay.at_day(max(i.days_ago for i in self.data.feedback) + 1)
        for channel in self.data.channels:
            self.replay.add(start, partial(self._channel, channel))
        opened = {p.key: self.replay.at_day(p.opened) for p in self.data.patterns}
        # A channel's items of one day arrive together (one bulk intake), after the last.
        days: dict[tuple[str, int], list[tuple[FeedbackData, datetime]]] = {}
        for item in self.data.feedback:
            days.setdefault((item.channel, item.days_ago), []).append(
                (item, _feedback_time(item, self.replay))
            )
        for (key, _), entries in days.items():
            arrived = max(at for _, at in entries) + timedelta(minutes=3)
            self.replay.add(arrived, partial(self._give, key, entries))
        for item in self.data.feedback:
            if item.pattern:
                if item.pattern not in opened:
                    raise DemoDataError(
                        f"feedback.jsonl:{item.line}: no pattern `{item.pattern}` in patterns.yaml"
                    )
                at = _feedback_time(item, self.replay)
                link_at = max(at + timedelta(hours=20), opened[item.pattern] + timedelta(hours=1))
                self.replay.add(link_at, partial(self._link, item))
        for pattern in self.data.patterns:
            self.replay.add(opened[pattern.key], partial(self._pattern, pattern))
            for move in pattern.history:
                self.replay.add(
                    self.replay.at_day(move.days_ago, minutes=30),
                    partial(self._move_pattern, pattern.key, move.to, move.reason),
                )
        for improvement in self.data.improvements:
            self._plan_improvement(improvement)
        placed = self.replay.at_day(6)
        for entry in self.data.roadmap:
            self.replay.add(placed, partial(self._place, entry))
        self.replay.add(self.replay.at_day(1, time(6, 0)), self._suggest)

    def _plan_improvement(self, data: ImprovementData) -> None:
        replay = self.replay
        replay.add(replay.at_day(data.proposed, minutes=45), partial(self._improvement, data))
        for move in data.history:
            replay.add(
                replay.at_day(move.days_ago, minutes=15),
                partial(self._move_improvement, data.key, move.to, move.reason),
            )
        for position, milestone in enumerate(data.milestones):
            if milestone.done is not None:
                replay.add(
                    replay.at_day(milestone.done, time(16, 0)),
                    partial(self._complete, data.key, position),
                )

    # --- the steps ---------------------------------------------------------------------------

    def _channel(self, data: ChannelData) -> None:
        where = f"channels.yaml:{data.key}"
        loop = self.loops.get(data.loop) if data.loop else None
        if data.loop and loop is None:
            raise DemoDataError(f"{where}: no loop `{data.loop}` in the demo catalog")
        self.channels[data.key] = create_channel(
            self.actor,
            name=data.name,
            kind=data.kind,
            product=self.product(data.product, where),
            loop=loop,
            description=data.notes,
            routing_rules=data.routing_rules,
            reason="demo: the channels Harvestlane listens on",
        )

    def _give(self, channel: str, entries: list[tuple[FeedbackData, datetime]]) -> None:
        raws = [
            {
                "text": item.text,
                "title": item.title,
                "product": item.product or "",
                "interface": item.interface or "",
                "author": item.author,
                "author_contact": item.contact,
                "created_at": at,
                "external_id": item.key,
                "tags": list(item.tags),
            }
            for item, at in entries
        ]
        try:
            outcome = bulk_give_feedback(self.actor, raws, channel=self.channels[channel])
        except FeedbackRejected as error:
            problem = error.problems[0]
            line = entries[problem.index][0].line
            raise DemoDataError(
                f"feedback.jsonl:{line}: {problem.field}: {problem.message}"
            ) from error
        rows = Feedback.objects.in_bulk([pk for _, pk in outcome.created])
        for index, pk in outcome.created:
            self.feedback[entries[index][0].key] = rows[pk]

    def _pattern(self, data: PatternData) -> None:
        where = f"patterns.yaml:{data.key}"
        if data.owner and data.owner not in self.people:
            raise DemoDataError(f"{where}: no person `{data.owner}` in the demo catalog")
        self.patterns[data.key] = create_pattern(
            self.actor,
            title=data.title,
            workaround=data.workaround,
            owner=data.owner,
            products=[p for slug in data.products if (p := self.product(slug, where))],
            interfaces=[data.interface] if data.interface else [],
            reason="demo: recurring feedback recognised",
        )

    def _link(self, item: FeedbackData) -> None:
        assert item.pattern is not None
        link_feedback(self.actor, self.feedback[item.key], self.patterns[item.pattern])

    def _move_pattern(self, key: str, status: str, reason: str) -> None:
        pattern = Pattern.objects.get(pk=self.patterns[key].pk)
        if pattern.status == status:
            return  # an improvement's start or completion moved it already
        self.patterns[key] = move_pattern(self.actor, pattern, status, reason=reason or None)

    def _improvement(self, data: ImprovementData) -> None:
        from productize.loop.services import specification_for

        where = f"improvements.yaml:{data.key}"
        patterns = [self.patterns[key] for key in data.patterns]
        spec = _with_owner_text(specification_for(patterns, title=data.title), data.spec)
        improvement = create_improvement(
            self.actor,
            title=data.title,
            patterns=patterns,
            products=[p for slug in data.products if (p := self.product(slug, where))],
            specification=spec,
            effort_weeks=data.effort,
            confidence=data.confidence,
            reason="demo: proposed",
        )
        self.improvements[data.key] = improvement
        people = [(who, role) for role, names in data.people.items() for who in names]
        if people:
            set_improvement_people(self.actor, improvement, people)
        for milestone in data.milestones:
            due = milestone.due if milestone.due is not None else None
            due_date: date | None = None
            if due is not None:
                due_date = self.replay.today + timedelta(days=due)
            elif milestone.done is not None:
                due_date = self.replay.today - timedelta(days=milestone.done - 2)
            add_milestone(
                self.actor,
                improvement,
                title=milestone.title,
                kind=MilestoneKind.MVP if milestone.mvp else MilestoneKind.STRETCH,
                due_date=due_date,
            )

    def _move_improvement(self, key: str, status: str, reason: str) -> None:
        improvement = Improvement.objects.get(pk=self.improvements[key].pk)
        self.improvements[key] = move_improvement(
            self.actor, improvement, status, reason=reason or None
        )

    def _complete(self, key: str, position: int) -> None:
        milestones = list(Milestone.objects.filter(improvement=self.improvements[key]))
        complete_milestone(self.actor, milestones[position])

    def _place(self, entry: Any) -> None:
        product = self.product(entry.product, f"roadmaps.yaml:{entry.product}")
        assert product is not None
        place_on_roadmap(
            self.actor,
            product,
            self.improvements[entry.improvement],
            entry.column,
            rationale=entry.rationale,
        )

    def _suggest(self) -> None:
        # The owners of these products asked for suggestions this morning; the rest of the
        # unpatterned feedback waits for someone to press "refresh" on the suggestions page.
        for slug in SUGGESTED_FOR:
            refresh_suggestions(self.actor, product=self.product(slug, "SUGGESTED_FOR"))
        for suggestion in Suggestion.objects.filter(status=SuggestionStatus.OPEN):
            if all(term in suggestion.proposed_title.lower() for term in DISMISS_TERMS):
                dismiss_suggestion(self.actor, suggestion, reason=DISMISS_REASON)
                break


def load_demo_loop(
    *,
    directory: Path = DATA_DIR,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> LoopSummary:
    """Write the demo loop (the demo catalog must be loaded) and say what it holds."""
    data = read_demo_loop(directory)
    now = now or timezone.now()
    actor = Actor.system(ACTOR_LABEL)
    replay = _Replay(now)
    _Loader(data, actor, replay).plan()
    clock = DemoClock(now)
    # Closing the loop mails the people behind the feedback; the demo's people are made up.
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        clock.running(),
        transaction.atomic(),
    ):
        replay.run(clock, progress)
        clock.set(now)
        # Weights decay with time: the ones cached at each link are as of that day.
        recompute_weights(now=now)
    return LoopSummary(
        channels=FeedbackChannel.objects.count(),
        feedback=Feedback.objects.count(),
        patterns=Pattern.objects.count(),
        improvements=Improvement.objects.count(),
        milestones=Milestone.objects.count(),
        roadmap_entries=RoadmapEntry.objects.count(),
        suggestions=Suggestion.objects.filter(status=SuggestionStatus.OPEN).count(),
    )


def load_with_progress() -> LoopSummary:
    """`load_demo_loop` with a progress bar on the terminal (for `productize demo`)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("replaying the demo loop"), BarColumn(), MofNCompleteColumn(), transient=True
    ) as bar:
        task = bar.add_task("loop", total=None)
        return load_demo_loop(
            progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
