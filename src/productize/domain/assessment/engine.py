"""Assess one product: each characteristic's status, the level, next steps, score and signals.

How a characteristic's status is combined from its rules:
  rules that are `not-applicable` or `no-data` are set aside; of the rest, all `met` gives
  `met`, all `not-met` gives `not-met`, anything else `partly-met`. With nothing left, the
  characteristic is `no-data` if any rule lacked data, else `not-applicable`. This *observed*
  status is what level and score use. The *shown* status is `not-expected` when the product's
  stage is before the characteristic's `expected_from` and it is not met yet.

Levels are named after the stages (`idea` to `maintained`), plus `none` ("not yet a product").
A product reaches level S when every characteristic expected from S or earlier is `met` or
`not-applicable`; its level is the highest S reached without a gap below it. A `no-data`
characteristic does not block a level (the data does not exist yet, e.g. before the loop
capability), but it is listed in `unverified`, so the level never silently pretends.
The level is not capped by the declared stage: a prototype that meets the `growing`
expectations is shown as such.

Next steps come from rules that are `not-met` or `partly-met`, ranked by the level they
unblock (the lowest blocked level first), then by the characteristic's weight, then by the
order of the characteristics file. Retired products get no next steps.

The score (0 to 100) is the weighted share of observed credit over the characteristics that
could be judged: met = 1, partly-met = 0.5, not-met = 0; `no-data` and `not-applicable`
characteristics are left out of both sides.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from productize.domain.assessment.characteristics import (
    Characteristic,
    CharacteristicSet,
    default_characteristics,
)
from productize.domain.assessment.evidence import (
    CatalogEvidence,
    Evidence,
    LoopEvidence,
    RepoEvidence,
)
from productize.domain.assessment.rules import Status
from productize.domain.descriptors import STAGE_ORDER, ProductDoc, Stage

NEVER_FITS_ANNOTATION = "productize.never-fits"


class Level(StrEnum):
    """How far a product has come, named after the stage whose expectations it meets."""

    NONE = "none"
    IDEA = "idea"
    PROTOTYPE = "prototype"
    ESTABLISHED = "established"
    GROWING = "growing"
    MAINTAINED = "maintained"


LEVEL_ORDER: tuple[Level, ...] = tuple(Level)
LEVEL_TITLES: dict[Level, str] = {
    Level.NONE: "Not yet a product",
    Level.IDEA: "Idea",
    Level.PROTOTYPE: "Prototype",
    Level.ESTABLISHED: "Established",
    Level.GROWING: "Growing",
    Level.MAINTAINED: "Maintained",
}
_STAGE_INDEX = {stage: i for i, stage in enumerate(STAGE_ORDER)}
_CREDIT = {Status.MET: 1.0, Status.PARTLY_MET: 0.5, Status.NOT_MET: 0.0}
_PASSING = frozenset({Status.MET, Status.NOT_APPLICABLE, Status.NO_DATA})
_FAILING = frozenset({Status.NOT_MET, Status.PARTLY_MET})


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """One rule's result inside an assessment."""

    key: str
    title: str
    status: Status
    evidence: tuple[str, ...]
    next_step: str | None


@dataclass(frozen=True, slots=True)
class CharacteristicResult:
    """One characteristic: status shown, status observed, its rules, and whether expected."""

    key: str
    title: str
    weight: float
    expected_from: Stage
    expected: bool
    status: Status
    observed: Status
    rules: tuple[RuleOutcome, ...]

    @property
    def next_steps(self) -> tuple[str, ...]:
        """The next steps of the rules that are not met yet."""
        return tuple(r.next_step for r in self.rules if r.next_step and r.status in _FAILING)


@dataclass(frozen=True, slots=True)
class NextStep:
    """A ranked next step: what to do, for which characteristic, and which level it unblocks."""

    text: str
    characteristic: str
    rule: str
    unblocks: Level
    weight: float


@dataclass(frozen=True, slots=True)
class Assessment:
    """The result of assessing one product."""

    product_id: str
    stage: Stage
    level: Level
    score: int
    characteristics: tuple[CharacteristicResult, ...]
    next_steps: tuple[NextStep, ...]
    not_yet_a_product: bool
    not_yet_reasons: tuple[str, ...]
    unverified: tuple[str, ...]  # characteristics counted as not blocking for lack of data

    @property
    def level_title(self) -> str:
        """The level for people ("Not yet a product", "Established", ...)."""
        return LEVEL_TITLES[self.level]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary (the shape the API and `check --format json` use)."""
        return {
            "product": self.product_id,
            "stage": str(self.stage),
            "level": str(self.level),
            "level_title": self.level_title,
            "score": self.score,
            "not_yet_a_product": self.not_yet_a_product,
            "not_yet_reasons": list(self.not_yet_reasons),
            "unverified": list(self.unverified),
            "characteristics": [
                {
                    "key": c.key,
                    "title": c.title,
                    "weight": c.weight,
                    "expected_from": str(c.expected_from),
                    "expected": c.expected,
                    "status": str(c.status),
                    "observed": str(c.observed),
                    "rules": [
                        {
                            "key": r.key,
                            "title": r.title,
                            "status": str(r.status),
                            "evidence": list(r.evidence),
                            "next_step": r.next_step,
                        }
                        for r in c.rules
                    ],
                }
                for c in self.characteristics
            ],
            "next_steps": [
                {
                    "text": s.text,
                    "characteristic": s.characteristic,
                    "rule": s.rule,
                    "unblocks": str(s.unblocks),
                }
                for s in self.next_steps
            ],
        }


def combine(statuses: Collection[Status]) -> Status:
    """A characteristic's status from its rules' statuses (see the module docstring)."""
    return _combine(tuple(statuses))


@cache
def _combine(statuses: tuple[Status, ...]) -> Status:
    # Few distinct combinations, asked for every characteristic of every product: remembered.
    judged = [s for s in statuses if s is not Status.NOT_APPLICABLE and s is not Status.NO_DATA]
    if not judged:
        return Status.NO_DATA if Status.NO_DATA in statuses else Status.NOT_APPLICABLE
    if all(s is Status.MET for s in judged):
        return Status.MET
    if all(s is Status.NOT_MET for s in judged):
        return Status.NOT_MET
    return Status.PARTLY_MET


def assess(
    product: ProductDoc,
    characteristics: CharacteristicSet | None = None,
    *,
    repo: RepoEvidence | None = None,
    catalog: CatalogEvidence | None = None,
    loop: LoopEvidence | None = None,
    never_fits: Collection[str] = (),
    known_acronyms: frozenset[str] = frozenset(),
) -> Assessment:
    """Assess one product against a characteristic set with whatever evidence is available."""
    chars = characteristics or default_characteristics()
    evidence = Evidence(product, repo, catalog, loop, known_acronyms)
    stage_index = _STAGE_INDEX[product.stage]
    results: list[CharacteristicResult] = []
    for characteristic in chars.characteristics:
        outcomes = []
        for key in characteristic.rules:
            title, fn = chars.rule(key)
            result = fn(evidence)
            outcomes.append(
                RuleOutcome(key, title, result.status, result.evidence, result.next_step)
            )
        observed = _combine(tuple([o.status for o in outcomes]))
        expected = _STAGE_INDEX[characteristic.expected_from] <= stage_index
        shown = observed if expected or observed in _PASSING else Status.NOT_EXPECTED
        results.append(
            CharacteristicResult(
                characteristic.key,
                characteristic.title,
                characteristic.weight,
                characteristic.expected_from,
                expected,
                shown,
                observed,
                tuple(outcomes),
            )
        )
    level, unverified = _level(results)
    marked = _never_fits(product, never_fits, chars)
    reasons = _not_yet_reasons(results, marked, chars)
    steps = () if product.stage == Stage.RETIRED else _next_steps(results, chars)
    return Assessment(
        product_id=product.id,
        stage=product.stage,
        level=level,
        score=_score(results),
        characteristics=tuple(results),
        next_steps=steps,
        not_yet_a_product=bool(reasons),
        not_yet_reasons=reasons,
        unverified=unverified,
    )


def _level(results: list[CharacteristicResult]) -> tuple[Level, tuple[str, ...]]:
    """The highest level whose cumulative expectations pass, and what it took on trust."""
    reached = Level.NONE
    unverified: list[str] = []
    for level in LEVEL_ORDER[1:]:
        index = _LEVEL_STAGE_INDEX[level]
        due = [r for r in results if _STAGE_INDEX[r.expected_from] <= index]
        if not due or any(r.observed in _FAILING for r in due):
            break
        reached = level
        unverified = [r.key for r in due if r.observed is Status.NO_DATA]
    return reached, tuple(unverified)


def _score(results: list[CharacteristicResult]) -> int:
    total = sum(r.weight for r in results if r.observed in _CREDIT)
    if not total:
        return 0
    earned = sum(r.weight * _CREDIT[r.observed] for r in results if r.observed in _CREDIT)
    return round(100 * earned / total)


def _level_of(stage: Stage) -> Level:
    return _LEVEL_OF[stage]


# The level named after each stage (retired products stay at `maintained`), and each level's
# rank: looked up for every next step instead of building enum members each time.
_LEVEL_OF = {
    stage: Level(stage.value) if stage != Stage.RETIRED else Level.MAINTAINED for stage in Stage
}
_LEVEL_RANK = {level: i for i, level in enumerate(LEVEL_ORDER)}
_LEVEL_STAGE_INDEX = {level: _STAGE_INDEX[Stage(level.value)] for level in LEVEL_ORDER[1:]}


def _next_steps(
    results: list[CharacteristicResult], chars: CharacteristicSet
) -> tuple[NextStep, ...]:
    order = {c.key: i for i, c in enumerate(chars.characteristics)}
    steps = [
        NextStep(outcome.next_step, r.key, outcome.key, _level_of(r.expected_from), r.weight)
        for r in results
        if r.observed in _FAILING
        for outcome in r.rules
        if outcome.next_step and outcome.status in _FAILING
    ]
    steps.sort(
        key=lambda s: (
            _LEVEL_RANK[s.unblocks],
            -s.weight,
            order[s.characteristic],
        )
    )
    return tuple(steps)


def _never_fits(
    product: ProductDoc, never_fits: Collection[str], chars: CharacteristicSet
) -> list[Characteristic]:
    """Characteristics marked as never fitting, by the caller or in the descriptor."""
    keys = set(never_fits)
    note = product.annotations.get(NEVER_FITS_ANNOTATION)
    if note:
        keys.update(part.strip() for part in note.split(","))
    return [c for c in chars.characteristics if c.key in keys]


def _not_yet_reasons(
    results: list[CharacteristicResult], marked: list[Characteristic], chars: CharacteristicSet
) -> tuple[str, ...]:
    reasons = [
        f"`{c.key}` is marked as never fitting. {c.never_fits or 'Rethink what this is.'}"
        for c in marked
    ]
    for result in results:
        for outcome in result.rules:
            if outcome.key == "mission-single-job" and outcome.status is Status.NOT_MET:
                hint = chars.get(result.key)
                advice = hint.never_fits if hint and hint.never_fits else "Consider a split."
                reasons.append(f"The mission {outcome.evidence[0]}. {advice}")
    return tuple(reasons)
