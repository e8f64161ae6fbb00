"""Checks over a whole set of descriptor documents (the rules; `checker` runs them).

Each document is valid on its own by the time it gets here (see `parse`); these rules need the
whole set: ids are unique per kind, references resolve, owners are unambiguous, `part_of` and
`parent` chains do not loop, and consumers are told about deprecated interfaces.

Team membership may be declared on either side, `team.members` or `person.teams`, and counts
as the union of both. Requiring both sides would make people maintain every membership twice,
and a one-sided declaration never misleads; a name on either side must exist all the same.

A *partial* check (`partial=True`, `productize check --partial`) is for a repository that holds
only some of the catalog, e.g. one product whose loop and owners are declared elsewhere:
references to ids that are not in the set are then not reported, because they can only be
resolved against the whole catalog (the server does that at ingest, passing `known`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from productize.domain.descriptors import LoopDoc, PersonDoc, ProductDoc, Stability, TeamDoc
from productize.domain.findings import Finding, Severity
from productize.domain.parse import ParsedDocument, dotted
from productize.domain.suggest import did_you_mean
from productize.domain.yamlload import PathKey, Pos, PositionIndex

CODES: dict[str, str] = {
    "duplicate-id": "two documents of the same kind with the same id",
    "multiple-organizations": "more than one organization document in the catalog",
    "unknown-reference": "a reference to a loop, team, person, product or interface that "
    "does not exist",
    "ambiguous-owner": "an unprefixed owner id that names both a person and a team",
    "duplicate-interface": "two interfaces with the same name in one product",
    "self-consumption": "a product consuming one of its own interfaces",
    "cycle": "`part_of` or `parent` links that loop back to where they started",
    "deprecated-interface": "consuming an interface its provider has deprecated (warning)",
    "duplicate-consumes": "the same interface consumed twice by one product (warning)",
}

ERROR, WARNING = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True, slots=True)
class KnownIds:
    """Ids that exist outside the documents being checked (e.g. already in the catalog).

    Documents being checked replace known entries with the same id (an ingest updates them).
    """

    organizations: frozenset[str] = frozenset()
    loops: Mapping[str, str | None] = field(default_factory=dict)  # id -> parent loop
    teams: Mapping[str, str | None] = field(default_factory=dict)  # id -> parent team
    people: frozenset[str] = frozenset()
    products: Mapping[str, str | None] = field(default_factory=dict)  # id -> part_of
    # Every interface of the known products, "product/name" -> stability.
    interfaces: Mapping[str, str] = field(default_factory=dict)


_NO_PLACES: dict[PathKey, Pos] = {}  # shared by lazy facts, never written


@dataclass(slots=True)
class DocFacts:
    """What the set-level checks need of one document: ids, references and their places.

    Small and made of plain values, so that worker processes can send it cheaply (a whole
    `ParsedDocument` costs as much to pickle as to parse).
    """

    kind: str
    id: str
    path: str
    index: int
    line: int
    column: int
    places: dict[PathKey, Pos] = field(default_factory=dict)
    loop: str | None = None
    part_of: str | None = None
    parent: str | None = None
    owners: tuple[str, ...] = ()
    members: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    provides: tuple[tuple[str, str], ...] = ()  # (name, stability)
    consumes: tuple[str, ...] = ()
    # Instead of `places`: the document's own position index, looked up when a finding
    # needs it (`of(..., lazy=True)`, for indexes that are small to hold).
    positions: PositionIndex | None = field(default=None, repr=False)

    @classmethod
    def of(cls, doc: ParsedDocument, *, lazy: bool = False) -> DocFacts:
        """The facts of a parsed document, with the places of every field they mention.

        `lazy` keeps the document's position index instead of a place per field: for a
        large import whose indexes are compact, most of the facts' memory otherwise.
        """
        model = doc.model
        facts = cls(doc.kind, doc.id, doc.path, doc.index, doc.line, doc.column)
        if isinstance(model, LoopDoc):
            facts.parent, facts.owners = model.parent, tuple(model.owners)
        elif isinstance(model, TeamDoc):
            facts.parent, facts.members = model.parent, tuple(model.members)
        elif isinstance(model, PersonDoc):
            facts.teams = tuple(model.teams)
        elif isinstance(model, ProductDoc):
            facts.loop, facts.part_of, facts.owners = model.loop, model.part_of, tuple(model.owners)
            provides, consumes = model.interfaces.provides, model.interfaces.consumes
            facts.provides = tuple((p.name, str(p.stability)) for p in provides)
            facts.consumes = tuple(c.interface for c in consumes)
        if lazy:
            facts.positions, facts.places = doc.positions, _NO_PLACES
        else:
            facts.places = {path: doc.locate(path) for path in facts.paths()}
        return facts

    def paths(self) -> list[PathKey]:
        """The fields whose places the facts record (what the set checks report on)."""
        paths: list[PathKey] = [("id",), ("kind",)]
        kind = self.kind
        if kind == "loop":
            paths += [("parent",), *(("owners", i) for i in range(len(self.owners)))]
        elif kind == "team":
            paths += [("parent",), *(("members", i) for i in range(len(self.members)))]
        elif kind == "person":
            paths += [("teams", i) for i in range(len(self.teams))]
        elif kind == "product":
            paths += [("loop",), ("part_of",), *(("owners", i) for i in range(len(self.owners)))]
            paths += [("interfaces", "provides", i, "name") for i in range(len(self.provides))]
            paths += [("interfaces", "consumes", i) for i in range(len(self.consumes))]
        return paths

    def locate(self, field_path: PathKey) -> Pos:
        """Where a field is (the document's start when it was not recorded)."""
        if self.positions is not None and field_path in self.paths():
            return self.positions.value(field_path)
        return self.places.get(field_path, (self.line, self.column))

    def finding(
        self, field_path: PathKey, severity: Severity, code: str, message: str, hint: str | None
    ) -> Finding:
        """A finding located at a field of this document."""
        line, column = self.locate(field_path)
        return Finding(
            self.path, line, column, severity, code, message, hint, dotted(field_path), self.index
        )


class _Index:
    """The first document of each id per kind, merged with the known ids."""

    def __init__(self, documents: list[DocFacts], known: KnownIds) -> None:
        self.first: dict[str, dict[str, DocFacts]] = defaultdict(dict)
        for doc in documents:
            self.first[doc.kind].setdefault(doc.id, doc)
        self.loop_parent = {**known.loops, **{i: d.parent for i, d in self._of("loop")}}
        self.team_parent = {**known.teams, **{i: d.parent for i, d in self._of("team")}}
        self.part_of = {**known.products, **{i: d.part_of for i, d in self._of("product")}}
        self.people = set(known.people) | set(self.first["person"])
        # "product/name" -> stability; documents replace what is known about their product.
        self.interfaces: dict[str, str] = {
            ref: stability
            for ref, stability in known.interfaces.items()
            if ref.partition("/")[0] not in self.first["product"]
        }
        self.interface_names: dict[str, list[str]] = defaultdict(list)
        for ref in self.interfaces:
            product, _, name = ref.partition("/")
            self.interface_names[product].append(name)
        for product_id, doc in self._of("product"):
            for name, stability in doc.provides:
                self.interfaces.setdefault(f"{product_id}/{name}", stability)
                self.interface_names[product_id].append(name)

    def _of(self, kind: str) -> list[tuple[str, DocFacts]]:
        return list(self.first[kind].items())


def check_facts(
    documents: list[DocFacts], *, known: KnownIds | None = None, partial: bool = False
) -> list[Finding]:
    """Every set-level problem among the documents' facts, unsorted."""
    findings: list[Finding] = []
    index = _Index(documents, known or KnownIds())
    context = _Refs(index, findings, partial=partial, with_hint=known is None)
    findings.extend(_duplicate_ids(documents))
    findings.extend(_organizations(documents, known or KnownIds()))
    for doc in documents:
        if doc.kind == "loop":
            context.ref(doc, ("parent",), doc.parent, "loop", index.loop_parent)
            context.owners(doc, doc.owners)
        elif doc.kind == "team":
            context.ref(doc, ("parent",), doc.parent, "team", index.team_parent)
            for i, person in enumerate(doc.members):
                context.ref(doc, ("members", i), person, "person", index.people)
        elif doc.kind == "person":
            for i, team in enumerate(doc.teams):
                context.ref(doc, ("teams", i), team, "team", index.team_parent)
        elif doc.kind == "product":
            context.ref(doc, ("loop",), doc.loop, "loop", index.loop_parent)
            context.ref(doc, ("part_of",), doc.part_of, "product", index.part_of)
            context.owners(doc, doc.owners)
            findings.extend(_provided(doc))
            context.consumed(doc)
    for what, kind, parents in (
        ("part_of", "product", index.part_of),
        ("parent", "loop", index.loop_parent),
        ("parent", "team", index.team_parent),
    ):
        findings.extend(_cycles(parents, index.first[kind], what, kind))
    return findings


def _duplicate_ids(documents: list[DocFacts]) -> Iterable[Finding]:
    by_id: dict[tuple[str, str], list[DocFacts]] = defaultdict(list)
    for doc in documents:
        by_id[(doc.kind, doc.id)].append(doc)
    for (kind, doc_id), docs in by_id.items():
        if len(docs) < 2 or kind == "organization":
            continue  # a second organization is reported as such, whatever its id
        places = [f"{d.path}:{d.locate(('id',))[0]}" for d in docs]
        for doc, place in zip(docs, places, strict=True):
            others = ", ".join(p for p in places if p != place) or "the same file"
            yield doc.finding(
                ("id",),
                ERROR,
                "duplicate-id",
                f"{kind} id `{doc_id}` is declared more than once (also at {others})",
                "ids are unique per kind: rename one, or merge the documents",
            )


def _organizations(documents: list[DocFacts], known: KnownIds) -> Iterable[Finding]:
    orgs = [doc for doc in documents if doc.kind == "organization"]
    if known.organizations and orgs:
        keep = None  # the catalog already has one: any new one with another id is a second
        extra = [doc for doc in orgs if doc.id not in known.organizations]
        first_place = f"the catalog (`{sorted(known.organizations)[0]}`)"
    else:
        keep, extra = (orgs[0], orgs[1:]) if orgs else (None, [])
        first_place = f"{keep.path}:{keep.line}" if keep else ""
    for doc in extra:
        yield doc.finding(
            ("kind",),
            ERROR,
            "multiple-organizations",
            f"a catalog has one organization, but `{doc.id}` is another (first: {first_place})",
            "keep a single organization document",
        )


class _Refs:
    """Reference checks, sharing the index and how to report."""

    def __init__(
        self, index: _Index, findings: list[Finding], *, partial: bool, with_hint: bool
    ) -> None:
        self.index, self.findings, self.partial, self.with_hint = (
            index,
            findings,
            partial,
            with_hint,
        )

    def unknown(
        self, doc: DocFacts, where: PathKey, message: str, choices: Iterable[str], ref: str
    ) -> None:
        """Report a reference that does not resolve."""
        match = did_you_mean(ref, choices)
        hint = f"did you mean `{match}`?" if match else None
        if hint is None and self.with_hint and not self.partial:
            hint = "if it is declared in another repository, check with `--partial`"
        self.findings.append(doc.finding(where, ERROR, "unknown-reference", message, hint))

    def ref(
        self,
        doc: DocFacts,
        where: PathKey,
        target: str | None,
        kind: str,
        existing: Mapping[str, Any] | set[str],
    ) -> None:
        """Check that `target`, an id of `kind`, exists."""
        if target is None or target in existing or self.partial:
            return
        field_name = where[0]
        self.unknown(
            doc,
            where,
            f"`{field_name}` names {kind} `{target}`, which does not exist",
            existing,
            target,
        )

    def owners(self, doc: DocFacts, owners: tuple[str, ...]) -> None:
        """Check each owner: `person:x`, `team:x`, or an unprefixed id naming exactly one."""
        people, teams = self.index.people, self.index.team_parent
        for i, owner in enumerate(owners):
            prefix, _, name = owner.rpartition(":")
            if prefix == "person":
                self.ref(doc, ("owners", i), name, "person", people)
            elif prefix == "team":
                self.ref(doc, ("owners", i), name, "team", teams)
            elif name in people and name in teams:
                self.findings.append(
                    doc.finding(
                        ("owners", i),
                        ERROR,
                        "ambiguous-owner",
                        f"owner `{name}` is both a person and a team",
                        f"write `person:{name}` or `team:{name}`",
                    )
                )
            elif name not in people and name not in teams and not self.partial:
                self.unknown(
                    doc,
                    ("owners", i),
                    f"owner `{name}` is neither a person nor a team",
                    [*people, *teams],
                    name,
                )

    def consumed(self, doc: DocFacts) -> None:
        """Check each consumed interface: exists, not our own, not twice, not deprecated."""
        seen: dict[str, int] = {}
        for i, ref in enumerate(doc.consumes):
            where: PathKey = ("interfaces", "consumes", i)
            product, _, name = ref.partition("/")
            if ref in seen:
                line = doc.locate(("interfaces", "consumes", seen[ref]))[0]
                self.findings.append(
                    doc.finding(
                        where,
                        WARNING,
                        "duplicate-consumes",
                        f"`{ref}` is consumed twice (first at line {line})",
                        "remove the repeated entry",
                    )
                )
                continue
            seen[ref] = i
            if product == doc.id:
                self.findings.append(
                    doc.finding(
                        where,
                        ERROR,
                        "self-consumption",
                        f"`{doc.id}` consumes its own interface `{name}`",
                        "list only other products' interfaces under `consumes`",
                    )
                )
                continue
            stability = self.index.interfaces.get(ref)
            if stability is None:
                self._unknown_interface(doc, where, product, name)
            elif stability == Stability.DEPRECATED:
                self.findings.append(
                    doc.finding(
                        where,
                        WARNING,
                        "deprecated-interface",
                        f"`{name}` is deprecated by its provider `{product}`",
                        f"ask `{product}`'s owners what replaces it, and move to that",
                    )
                )

    def _unknown_interface(self, doc: DocFacts, where: PathKey, product: str, name: str) -> None:
        index = self.index
        if product in index.part_of:
            names = index.interface_names.get(product, [])
            match = did_you_mean(name, names)
            self.findings.append(
                doc.finding(
                    where,
                    ERROR,
                    "unknown-reference",
                    f"product `{product}` provides no interface `{name}`",
                    f"did you mean `{product}/{match}`?"
                    if match
                    else (f"it provides: {', '.join(names)}" if names else "it provides none"),
                )
            )
        elif not self.partial:
            match = did_you_mean(product, index.part_of)
            self.unknown(
                doc,
                where,
                f"`{product}/{name}` names product `{product}`, which does not exist",
                [f"{match}/{name}"] if match else [],
                f"{product}/{name}",
            )


def _provided(doc: DocFacts) -> Iterable[Finding]:
    first: dict[str, int] = {}
    for i, (name, _) in enumerate(doc.provides):
        if name in first:
            line = doc.locate(("interfaces", "provides", first[name], "name"))[0]
            yield doc.finding(
                ("interfaces", "provides", i, "name"),
                ERROR,
                "duplicate-interface",
                f"interface `{name}` is declared twice in `{doc.id}` (first at line {line})",
                "interface names are unique within a product: rename or merge them",
            )
        else:
            first[name] = i


def _cycles(
    parents: Mapping[str, str | None],
    documents: Mapping[str, DocFacts],
    what: str,
    kind: str,
) -> Iterable[Finding]:
    """One finding per cycle in a child -> parent map, at its first member that is a document."""
    state: dict[str, bool] = {}  # True while on the current walk, False when done
    for start in sorted(parents):
        walk: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = True
            walk.append(node)
            node = parents.get(node)
        if node is not None and state[node]:
            cycle = walk[walk.index(node) :]
            here = [member for member in sorted(cycle) if member in documents]
            if here:
                first = cycle.index(here[0])
                ordered = cycle[first:] + cycle[:first]
                shown = " → ".join([*ordered, ordered[0]])
                yield documents[here[0]].finding(
                    (what,),
                    ERROR,
                    "cycle",
                    f"`{what}` links form a cycle of {kind}s: {shown}",
                    f"a {kind} cannot be inside itself: remove or change one `{what}`",
                )
        for member in walk:
            state[member] = False
