"""The built-in rules: plain functions over `Evidence`, registered by key.

A rule answers one small question and returns a `RuleResult`: a status, the evidence it used
(short sentences people can check) and, when not met, one concrete next step. Rules never
guess: when the evidence they need is missing (no repository, no catalog, no loop yet) they
return `no-data`. Whether a characteristic is *expected* at the product's stage is the
engine's business, not the rule's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from productize.domain.assessment.evidence import Evidence
from productize.domain.descriptors import InterfaceKind, Stability


class Status(StrEnum):
    """The outcome of a rule or a characteristic."""

    MET = "met"
    PARTLY_MET = "partly-met"
    NOT_MET = "not-met"
    NOT_EXPECTED = "not-expected"  # before the stage from which it is expected
    NOT_APPLICABLE = "not-applicable"
    NO_DATA = "no-data"


@dataclass(frozen=True, slots=True)
class RuleResult:
    """What a rule found: status, the evidence it used, and the next step when not met."""

    status: Status
    evidence: tuple[str, ...] = ()
    next_step: str | None = None


RuleFn = Callable[[Evidence], RuleResult]


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """A registered rule: key, a short title for people, and the function."""

    key: str
    title: str
    fn: RuleFn


RULES: dict[str, RuleSpec] = {}


def rule(key: str, title: str) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under `key` (keys are unique)."""

    def register(fn: RuleFn) -> RuleFn:
        if key in RULES:
            raise ValueError(f"rule {key!r} is registered twice")
        RULES[key] = RuleSpec(key, title, fn)
        return fn

    return register


def met(*evidence: str) -> RuleResult:
    """The rule is satisfied."""
    return RuleResult(Status.MET, evidence)


def partly(step: str, *evidence: str) -> RuleResult:
    """Half-way there; `step` finishes the job."""
    return RuleResult(Status.PARTLY_MET, evidence, step)


def not_met(step: str, *evidence: str) -> RuleResult:
    """Not satisfied; `step` is the one thing to do."""
    return RuleResult(Status.NOT_MET, evidence, step)


def no_data(*evidence: str) -> RuleResult:
    """The evidence this rule needs is not available."""
    return RuleResult(Status.NO_DATA, evidence)


def not_applicable(*evidence: str) -> RuleResult:
    """The question does not arise for this product."""
    return RuleResult(Status.NOT_APPLICABLE, evidence)


def _quote(words: tuple[str, ...]) -> str:
    return ", ".join(f"“{w}”" for w in words)


NO_REPO = "no repository evidence (no working tree was scanned)"
NO_CATALOG = "no catalog evidence"
NO_LOOP = "no feedback-loop data yet"


# --- well-defined ----------------------------------------------------------------------------


@rule("mission-present", "A mission statement")
def _mission_present(ev: Evidence) -> RuleResult:
    if ev.product.mission:
        return met("mission is written down")
    return not_met(
        "Add a `mission` to the descriptor: one sentence saying who it is for and what it does.",
        "no `mission`",
    )


_TWO_JOBS = "mission-two-jobs"


@rule("mission-plain", "The mission is plain")
def _mission_plain(ev: Evidence) -> RuleResult:
    if not ev.product.mission:
        return not_applicable("no mission to read")
    findings = [f for f in ev.mission_findings if f.code != _TWO_JOBS]
    if not findings:
        return met("mission is short, readable and free of jargon")
    evidence = tuple(f"{f.message} {_quote(f.quote)}".strip() for f in findings)
    step = f"Rewrite the mission: {findings[0].suggestion[0].lower()}{findings[0].suggestion[1:]}"
    return (partly if len(findings) <= 2 else not_met)(step, *evidence)


@rule("mission-single-job", "The mission names one job")
def _mission_single_job(ev: Evidence) -> RuleResult:
    if not ev.product.mission:
        return not_applicable("no mission to read")
    for finding in ev.mission_findings:
        if finding.code == _TWO_JOBS:
            return not_met(
                "Keep one job in the mission; consider making the second job its own product.",
                f"joins two jobs: {_quote(finding.quote)}",
            )
    return met("mission names one job")


@rule("does-listed", "A `does` list")
def _does_listed(ev: Evidence) -> RuleResult:
    n = len(ev.product.scope.does)
    if n:
        return met(f"`does` lists {n} item(s)")
    return not_met(
        "Add a `does` list to the scope: the 2-5 jobs the product does.", "no `does` list"
    )


@rule("does-not-listed", "A `does_not` list")
def _does_not_listed(ev: Evidence) -> RuleResult:
    n = len(ev.product.scope.does_not)
    if n:
        return met(f"`does_not` lists {n} item(s)")
    return not_met(
        "Add a `does_not` list to product.yaml: name 2-3 things people might expect that "
        "this product deliberately does not do.",
        "no `does_not` list",
    )


@rule("scope-distinct", "No item is listed twice")
def _scope_distinct(ev: Evidence) -> RuleResult:
    scope = ev.product.scope
    if not scope.does and not scope.does_not:
        return not_applicable("no scope lists")
    clashes = [f for f in ev.scope_findings if f.code in {"scope-contradiction", "scope-duplicate"}]
    if not clashes:
        return met("no item appears twice in the scope")
    return not_met(
        f"Keep each scope item in one list only: {_quote(clashes[0].quote)}.",
        *(f"{f.message} {_quote(f.quote)}" for f in clashes),
    )


# --- clear-interfaces ------------------------------------------------------------------------


@rule("interfaces-declared", "At least one interface")
def _interfaces_declared(ev: Evidence) -> RuleResult:
    provides = ev.product.interfaces.provides
    if provides:
        names = ", ".join(f"{i.name} ({i.kind})" for i in provides)
        return met(f"provides {names}")
    return not_met(
        "Declare under `interfaces.provides` how people or products use it (a UI, an API, "
        "a contact point, ...).",
        "no interfaces declared",
    )


@rule("interfaces-described", "Each interface has a description")
def _interfaces_described(ev: Evidence) -> RuleResult:
    provides = ev.product.interfaces.provides
    if not provides:
        return not_applicable("no interfaces")
    missing = [i.name for i in provides if not i.description]
    if not missing:
        return met("every interface has a description")
    step = f"Add a one-line `description` to interface `{missing[0]}`."
    evidence = f"no description: {', '.join(missing)}"
    return (partly if len(missing) < len(provides) else not_met)(step, evidence)


@rule("stable-interfaces-documented", "Stable interfaces have a spec or docs")
def _stable_interfaces_documented(ev: Evidence) -> RuleResult:
    stable = [i for i in ev.product.interfaces.provides if i.stability == Stability.STABLE]
    if not stable:
        return not_applicable("no stable interfaces")
    # A screen or a contact point is explained by the product's docs; machine interfaces
    # need their own spec or page, because other products build against them.
    product_docs = ev.product.links.docs
    covered = [i.name for i in stable if not (i.spec or i.docs) and product_docs and
               i.kind in _HUMAN_KINDS]  # fmt: skip
    missing = [i.name for i in stable if not (i.spec or i.docs) and i.name not in covered]
    extra = (f"covered by the product docs: {', '.join(covered)}",) if covered else ()
    if not missing:
        return met(f"{len(stable)} stable interface(s), each with a spec or docs", *extra)
    step = f"Link a `spec` file or `docs` page for the stable interface `{missing[0]}`."
    evidence = f"stable without spec or docs: {', '.join(missing)}"
    return (partly if len(missing) < len(stable) else not_met)(step, evidence, *extra)


_HUMAN_KINDS = frozenset(
    {InterfaceKind.UI, InterfaceKind.PROCESS, InterfaceKind.DOCUMENT, InterfaceKind.HARDWARE}
)


@rule("interface-specs-valid", "Named spec files exist and parse")
def _interface_specs_valid(ev: Evidence) -> RuleResult:
    named = [i for i in ev.product.interfaces.provides if i.spec]
    if not named:
        return not_applicable("no spec files named")
    if ev.repo is None or not ev.repo.readable:
        return no_data(NO_REPO if ev.repo is None else "; ".join(ev.repo.problems))
    bad = [s for s in ev.repo.specs if not s.exists or s.parses is False or s.problem]
    good = [s for s in ev.repo.specs if s not in bad]
    evidence = tuple(f"{s.interface}: `{s.path}` {s.spec_kind or 'file'} ok" for s in good) + tuple(
        f"{s.interface}: `{s.path}` {s.problem}" for s in bad
    )
    if not bad:
        return met(*evidence)
    first = bad[0]
    step = f"Fix the spec of `{first.interface}`: `{first.path}` {first.problem}."
    return (partly if good else not_met)(step, *evidence)


@rule("consumed-through-declared", "Others use it only through declared interfaces")
def _consumed_through_declared(ev: Evidence) -> RuleResult:
    if ev.catalog is None:
        return no_data(NO_CATALOG)
    undeclared = ev.catalog.undeclared_consumption
    if not undeclared:
        return met("every consumer uses a declared interface")
    return not_met(
        "Declare the interfaces others already use, or ask them to move to a declared one: "
        f"{undeclared[0]}.",
        *(f"undeclared use: {u}" for u in undeclared),
    )


# --- owned, mission-aligned ------------------------------------------------------------------


@rule("owner-declared", "An owner is named")
def _owner_declared(ev: Evidence) -> RuleResult:
    owners = ev.product.owners
    if owners:
        return met(f"owners: {', '.join(owners)}")
    return not_met("Name a custodian under `owners` (a person or a team id).", "no owners")


@rule("owners-resolve", "Owners exist and are current")
def _owners_resolve(ev: Evidence) -> RuleResult:
    owners = ev.product.owners
    if not owners:
        return not_applicable("no owners named")
    if ev.catalog is None:
        return no_data(NO_CATALOG)
    unknown, former = ev.catalog.unknown_owners, ev.catalog.former_owners
    if not unknown and not former:
        return met(f"all {len(owners)} owner(s) exist and are current")
    evidence = tuple(f"unknown owner: {o}" for o in unknown) + tuple(
        f"no longer current: {o}" for o in former
    )
    bad = (*unknown, *former)
    step = f"Replace `{bad[0]}` in `owners` with a current person or team."
    return (partly if len(bad) < len(owners) else not_met)(step, *evidence)


@rule("alignment-declared", "Alignment with the organisation's mission")
def _alignment_declared(ev: Evidence) -> RuleResult:
    alignment = ev.product.alignment
    if alignment is None:
        return not_met(
            "Add `alignment` with `kind: direct|indirect` and a one-line `why` linking it to "
            "the organisation's mission.",
            "no `alignment`",
        )
    if len(alignment.why.split()) < 4:
        return partly(
            "Expand `alignment.why` into a sentence saying how this serves the mission.",
            f"alignment {alignment.kind}, but the reason is only “{alignment.why}”",
        )
    return met(f"alignment {alignment.kind}: {alignment.why}")


# --- vision-and-roadmap, feedback-loop -------------------------------------------------------


@rule("vision-present", "A vision")
def _vision_present(ev: Evidence) -> RuleResult:
    if ev.product.vision:
        return met("vision is written down")
    return not_met(
        "Add a `vision`: what the world looks like when this product has done its job.",
        "no `vision`",
    )


@rule("roadmap-present", "A roadmap")
def _roadmap_present(ev: Evidence) -> RuleResult:
    if ev.loop is None:
        return no_data(NO_LOOP)
    loop = ev.loop
    counts = f"now {loop.roadmap_now}, next {loop.roadmap_next}, later {loop.roadmap_later}"
    if loop.roadmap_now:
        return met(f"roadmap: {counts}")
    if loop.roadmap_items:
        return partly("Move the most important roadmap item into `now`.", f"roadmap: {counts}")
    return not_met(
        "Put at least one improvement on the roadmap under `now`, with its reason.",
        "the roadmap is empty",
    )


@rule("feedback-channel-declared", "A feedback channel")
def _feedback_channel_declared(ev: Evidence) -> RuleResult:
    declared = ev.product.links.feedback
    connected = ev.loop.channels if ev.loop else 0
    if declared or connected:
        kinds = ", ".join(str(c.kind) for c in declared)
        return met(
            *([f"declared channels: {kinds}"] if declared else []),
            *([f"{connected} connected channel(s)"] if connected else []),
        )
    return not_met(
        "Add a feedback channel under `links.feedback` (an issue tracker, a chat channel or a "
        "form) so users can reach you.",
        "no feedback channel",
    )


@rule("feedback-recent", "Recent feedback")
def _feedback_recent(ev: Evidence) -> RuleResult:
    if ev.loop is None:
        return no_data(NO_LOOP)
    n, days = ev.loop.recent_feedback, ev.loop.recent_days
    if n:
        return met(f"{n} feedback item(s) in the last {days} days")
    return not_met(
        "Ask three users for feedback through your channel this month.",
        f"no feedback in the last {days} days",
    )


@rule("feedback-triaged", "Feedback becomes patterns")
def _feedback_triaged(ev: Evidence) -> RuleResult:
    if ev.loop is None:
        return no_data(NO_LOOP)
    loop = ev.loop
    if not loop.patterns:
        return not_met(
            "Triage your feedback: group recurring items into a first pattern.",
            f"{loop.recent_feedback} recent feedback item(s), no patterns",
        )
    if loop.days_since_triage is not None and loop.days_since_triage > 30:
        return partly(
            "Triage the feedback that arrived since the last triage.",
            f"{loop.patterns} pattern(s); last triage {loop.days_since_triage} days ago",
        )
    return met(f"{loop.patterns} pattern(s), {loop.open_patterns} open")


# --- standalone-value, general ---------------------------------------------------------------


@rule("has-users", "It has users or consuming products")
def _has_users(ev: Evidence) -> RuleResult:
    audience = ev.product.audience
    consumers = ev.catalog.consumer_products if ev.catalog else ()
    evidence = [f"audience: {'; '.join(audience)}"] if audience else []
    if consumers:
        evidence.append(f"consumed by {len(consumers)} product(s)")
    if evidence:
        return met(*evidence)
    return not_met(
        "Name who it serves under `audience` (people, teams or products).",
        "no audience and no consuming products",
    )


@rule("consumers-beyond-first", "Consumers beyond the first")
def _consumers_beyond_first(ev: Evidence) -> RuleResult:
    if ev.catalog is None:
        return no_data(NO_CATALOG)
    consumers = ev.catalog.consumer_products
    reach = ev.catalog.transitive_reach
    extra = (f"a change reaches {reach} product(s)",) if reach is not None else ()
    if len(consumers) >= 2:
        return met(f"consumed by {', '.join(consumers)}", *extra)
    step = "Find a second consumer: offer its interface to another product with the same need."
    if consumers:
        return partly(step, f"only {consumers[0]} consumes it", *extra)
    return not_met(step, "no product consumes it")


# --- testable (and the other repository rules) ----------------------------------------------


# Repository rules differ only in the flag they read; a table keeps them in one place.
_REPO_RULES: tuple[tuple[str, str, str, str, str], ...] = (
    ("repo-tests", "Tests in its repository", "tests", "tests",
     "Add a `tests/` folder with one test of its main job."),
    ("repo-ci", "Continuous integration", "ci", "CI configuration",
     "Add a CI pipeline that runs the tests on every change."),
    ("repo-releases", "A release record", "changelog", "a changelog",
     "Add a CHANGELOG.md and record each release in it."),
    ("repo-readme", "A README", "readme", "a README",
     "Add a README.md that starts with the mission."),
    ("repo-licence", "A licence", "licence", "a licence file", "Add a LICENSE file."),
    ("contributing-guide", "A contributing guide", "contributing", "a contributing guide",
     "Add a CONTRIBUTING.md saying how others can help."),
)  # fmt: skip


def _repo_rule(flag: str, what: str, step: str) -> RuleFn:
    def check(ev: Evidence) -> RuleResult:
        if ev.repo is None or not ev.repo.readable:
            return no_data(NO_REPO if ev.repo is None else "; ".join(ev.repo.problems))
        if getattr(ev.repo, flag):
            return met(f"repository has {what}")
        return not_met(step, f"no {what} found")

    return check


for _key, _title, _flag, _what, _step in _REPO_RULES:
    rule(_key, _title)(_repo_rule(_flag, _what, _step))


# --- sustainable, steady-state ---------------------------------------------------------------


@rule("resourcing-known", "Resourcing is written down")
def _resourcing_known(ev: Evidence) -> RuleResult:
    r = ev.product.resourcing
    parts = {"infrastructure": r.infrastructure, "cost": r.cost, "maintenance": r.maintenance}
    known = [k for k, v in parts.items() if v]
    missing = [k for k, v in parts.items() if not v]
    if not missing:
        return met("infrastructure, cost and maintenance are described")
    step = f"Describe `resourcing.{missing[0]}`: what it takes to keep the product alive."
    if known:
        return partly(step, f"described: {', '.join(known)}", f"missing: {', '.join(missing)}")
    return not_met(step, "no resourcing notes")


@rule("docs-available", "Documentation")
def _docs_available(ev: Evidence) -> RuleResult:
    if ev.product.links.docs:
        return met(f"docs: {ev.product.links.docs}")
    repo = ev.repo
    if repo is not None and repo.readable and repo.docs_dir:
        return met("repository has a docs folder")
    step = "Write the docs a newcomer needs and link them under `links.docs`."
    if repo is not None and repo.readable and repo.readme:
        return partly(step, "only a README")
    if repo is None:
        return not_met(step, "no `links.docs`", NO_REPO)
    return not_met(step, "no `links.docs` and no docs folder")


@rule("handover-guide", "A hand-over guide")
def _handover_guide(ev: Evidence) -> RuleResult:
    guide = ev.product.steady_state.handover_guide
    if guide:
        return met(f"hand-over guide: {guide}")
    return not_met(
        "Write a hand-over guide (how to run, release and debug it) and link it under "
        "`steady_state.handover_guide`.",
        "no hand-over guide",
    )


@rule("no-open-context", "No context only in someone's head")
def _no_open_context(ev: Evidence) -> RuleResult:
    if "steady_state" not in ev.product.model_fields_set:
        # An empty list proves nothing when the section was never filled in.
        return not_applicable("no `steady_state` section")
    open_context = ev.product.steady_state.open_context
    if not open_context:
        return met("no open context recorded")
    return not_met(
        f"Write down “{open_context[0]}” and remove it from `steady_state.open_context`.",
        *(f"open context: {item}" for item in open_context),
    )


# --- community (contributing-guide is a repository rule), brand ------------------------------


@rule("community-space", "A community space")
def _community_space(ev: Evidence) -> RuleResult:
    links = ev.product.links
    if links.community:
        return met(f"community: {links.community}")
    if links.chat:
        return partly(
            "Add a `links.community` space open to users, not only the team.", f"chat: {links.chat}"
        )
    return not_met(
        "Add a place where users meet under `links.community` (forum, chat, meetup).",
        "no community or chat link",
    )


@rule("display-name", "A display name")
def _display_name(ev: Evidence) -> RuleResult:
    name = ev.product.brand.display_name
    if name:
        return met(f"display name: {name}")
    return not_met("Choose a `brand.display_name` people can remember.", "no display name")


@rule("logo", "A logo")
def _logo(ev: Evidence) -> RuleResult:
    declared = ev.product.brand.logo
    repo = ev.repo
    if not declared:
        if repo is not None and repo.readable and repo.logo:
            return partly("Name the logo file under `brand.logo`.", "a logo file is in the repo")
        return not_met("Add a logo file and name it under `brand.logo`.", "no logo")
    if repo is None or not repo.readable:
        return met(f"logo: {declared}", NO_REPO)
    if repo.logo:
        return met(f"logo: {declared}")
    return not_met(f"Add the logo file `{declared}` to the repository.", f"`{declared}` not found")
