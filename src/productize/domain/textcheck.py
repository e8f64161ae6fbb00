"""Is the mission plain, and is the scope real? Explainable checks on mission and scope text.

Every finding quotes the words that caused it and suggests a fix; nothing here is a silent
score. The checks are deliberately simple heuristics (word lists, a syllable estimate, a
verb list) so that a product builder can see *why* a finding was raised and disagree with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Thresholds: a mission a five-year-old would get is short, one or two sentences, and easy.
MAX_MISSION_WORDS = 30
MAX_MISSION_SENTENCES = 2
MAX_GRADE = 12.0
# Flesch-Kincaid swings wildly on a handful of words, so very short missions skip it.
MIN_WORDS_FOR_GRADE = 8

BUZZWORDS: frozenset[str] = frozenset(
    {
        "leverage", "leverages", "leveraging", "synergy", "synergies", "synergistic",
        "best-in-class", "world-class", "cutting-edge", "next-generation", "next-gen",
        "game-changing", "disruptive", "innovative", "seamless", "seamlessly", "holistic",
        "robust", "scalable", "turnkey", "paradigm", "empower", "empowers", "empowering",
        "revolutionize", "revolutionise", "transform", "transforms", "transformative",
        "one-stop", "state-of-the-art", "bleeding-edge", "frictionless", "value-add",
        "value-added", "mission-critical", "enterprise-grade", "omnichannel", "ecosystem",
    }
)  # fmt: skip
JARGON: frozenset[str] = frozenset(
    {
        "solution", "solutions", "platform", "end-to-end", "utilize", "utilise",
        "utilization", "orchestrate", "orchestrates", "orchestration", "stakeholder",
        "stakeholders", "enablement", "enable", "enables", "facilitate", "facilitates",
        "operationalize", "operationalise", "optimize", "optimise", "streamline",
        "streamlines", "capabilities", "capability", "functionality", "functionalities",
        "framework", "middleware", "deliverables", "actionable", "alignment", "bandwidth",
        "backbone", "infrastructure", "touchpoint", "touchpoints", "workflow", "workflows",
    }
)  # fmt: skip
# Acronyms so common that spelling them out would make a mission harder, not easier.
KNOWN_ACRONYMS: frozenset[str] = frozenset({"OK", "TV", "UK", "US", "EU", "PDF", "FAQ"})

# Verbs a mission typically starts a job with. Words that are just as often nouns ("order",
# "report") are in AMBIGUOUS_VERBS and only count when an object marker follows them.
VERBS: frozenset[str] = frozenset(
    {
        "keep", "track", "help", "let", "make", "send", "tell", "pay", "find", "build",
        "run", "manage", "handle", "store", "collect", "decide", "show", "give", "take",
        "provide", "sell", "buy", "deliver", "move", "bring", "create", "write", "read",
        "answer", "publish", "teach", "explain", "protect", "save", "measure", "count",
        "match", "choose", "pick", "pack", "notify", "remind", "hold", "turn", "gather",
        "share", "serve", "connect", "sign", "charge", "refund", "invoice",
        "approve", "onboard", "train", "hire", "compute", "calculate", "predict", "watch",
        "monitor", "alert", "translate", "convert", "import", "export", "sync", "route",
        "assign", "generate", "draw", "render", "host", "deploy", "release", "grow", "cut",
        "reduce", "lower", "raise", "fix", "clean", "verify", "validate",
    }
)  # fmt: skip
AMBIGUOUS_VERBS: frozenset[str] = frozenset(
    {
        "order", "record", "report", "plan", "process", "check", "control", "support",
        "test", "design", "change", "update", "schedule", "list", "book", "ship", "price",
        "stock", "bill", "log", "search", "store", "offer", "review", "display", "print",
        "label", "quote", "forecast", "file", "post", "map", "email", "message", "host",
    }
)  # fmt: skip
OBJECT_MARKERS: frozenset[str] = frozenset(
    {
        "the", "a", "an", "every", "each", "all", "any", "their", "its", "our", "your",
        "his", "her", "them", "it", "us", "people", "who", "what", "how", "when", "new",
    }
)  # fmt: skip

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019-]*")
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")
_ACRONYM = re.compile(r"\b([A-Z]{2,6})s?\b")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_NORMALISE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class TextFinding:
    """One explainable observation about a text: what, the words that caused it, and a fix."""

    code: str
    message: str
    quote: tuple[str, ...]
    suggestion: str

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "code": self.code,
            "message": self.message,
            "quote": list(self.quote),
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True, slots=True)
class TextStats:
    """Counts behind the readability checks."""

    words: int
    sentences: int
    syllables: int
    grade: float


def words_of(text: str) -> list[str]:
    """The words of a text, punctuation removed."""
    return _WORD.findall(text)


def sentences_of(text: str) -> list[str]:
    """Sentences split on `.`, `!` and `?` followed by a space or the end."""
    parts = [part.strip() for part in _SENTENCE_END.split(text)]
    return [part for part in parts if part]


def count_syllables(word: str) -> int:
    """Estimate a word's syllables: vowel groups, minus a silent final `e` (at least one)."""
    lowered = word.lower().strip("'\u2019-")
    if not lowered:
        return 0
    count = len(_VOWEL_GROUPS.findall(lowered))
    # "make", "code": a final silent e is no syllable; "table", "free" keep theirs.
    if lowered.endswith("e") and not lowered.endswith(("le", "ee")) and count > 1:
        count -= 1
    if lowered.endswith("es") and not lowered.endswith(("ses", "xes", "zes", "ches", "shes")):
        count = max(1, count - 1) if count > 1 else count
    return max(1, count)


def text_stats(text: str) -> TextStats:
    """Words, sentences, syllables and the Flesch-Kincaid grade of a text."""
    words = words_of(text)
    n_words = len(words)
    n_sentences = max(1, len(sentences_of(text))) if n_words else 0
    syllables = sum(count_syllables(word) for word in words)
    grade = flesch_kincaid_grade(n_words, n_sentences, syllables)
    return TextStats(n_words, n_sentences, syllables, grade)


def flesch_kincaid_grade(words: int, sentences: int, syllables: int) -> float:
    """The Flesch-Kincaid grade level: 0.39·words/sentence + 11.8·syllables/word - 15.59."""
    if words == 0 or sentences == 0:
        return 0.0
    return round(0.39 * words / sentences + 11.8 * syllables / words - 15.59, 1)


def check_mission(text: str | None, known_acronyms: Iterable[str] = ()) -> list[TextFinding]:
    """All findings about a mission statement; an empty list means it reads plainly."""
    if text is None or not text.strip():
        return [
            TextFinding(
                "mission-missing",
                "There is no mission statement.",
                (),
                "Write one sentence a five-year-old would get: who it is for and what it does.",
            )
        ]
    findings: list[TextFinding] = []
    stats = text_stats(text)
    if stats.words > MAX_MISSION_WORDS:
        findings.append(
            TextFinding(
                "mission-long",
                f"The mission has {stats.words} words; plain missions have at most "
                f"{MAX_MISSION_WORDS}.",
                (_excerpt(text),),
                "Keep only who it is for and the one job it does; move the rest to the vision.",
            )
        )
    if stats.sentences > MAX_MISSION_SENTENCES:
        findings.append(
            TextFinding(
                "mission-sentences",
                f"The mission has {stats.sentences} sentences; one or two is enough.",
                tuple(sentences_of(text)[MAX_MISSION_SENTENCES:]),
                "Say it in one sentence; if that is impossible, the product may be two.",
            )
        )
    if stats.words >= MIN_WORDS_FOR_GRADE and stats.grade > MAX_GRADE:
        # Case-insensitive order, ties broken by case: "Customer" and "customer" in a fixed order
        # whatever the set's (hash-seeded) iteration order.
        hard = sorted(
            {w for w in words_of(text) if count_syllables(w) >= 3}, key=lambda w: (w.lower(), w)
        )
        findings.append(
            TextFinding(
                "mission-hard-to-read",
                f"The mission reads at grade {stats.grade} (Flesch-Kincaid); aim for "
                f"{MAX_GRADE:g} or lower.",
                tuple(hard) or (_excerpt(text),),
                "Use short, everyday words and shorter sentences.",
            )
        )
    findings.extend(_word_list_findings(text))
    findings.extend(_acronym_findings(text, known_acronyms))
    two_jobs = find_two_jobs(text)
    if two_jobs:
        findings.append(two_jobs)
    return findings


def _excerpt(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _word_list_findings(text: str) -> list[TextFinding]:
    lowered = [token.lower().strip("'\u2019") for token in _TOKEN.findall(text)]
    buzz = sorted(dict.fromkeys(t for t in lowered if t in BUZZWORDS))
    jargon = sorted(dict.fromkeys(t for t in lowered if t in JARGON))
    findings = []
    if buzz:
        findings.append(
            TextFinding(
                "mission-buzzwords",
                "The mission uses buzzwords that sound good but say little.",
                tuple(buzz),
                "Replace each with what actually happens, for whom.",
            )
        )
    if jargon:
        findings.append(
            TextFinding(
                "mission-jargon",
                "The mission uses jargon a newcomer would have to decode.",
                tuple(jargon),
                'Name the concrete thing instead ("a website where farmers list produce", '
                'not "a platform").',
            )
        )
    return findings


def _acronym_findings(text: str, known: Iterable[str]) -> list[TextFinding]:
    allowed = KNOWN_ACRONYMS | {a.upper() for a in known}
    unexplained: list[str] = []
    for match in _ACRONYM.finditer(text):
        acronym = match.group(1)
        if acronym in allowed or acronym in unexplained:
            continue
        # Explained as "words (ABC)" or "ABC (words)".
        before = text[: match.start()].rstrip()
        after = text[match.end() :].lstrip()
        if (before.endswith("(") and after.startswith(")")) or after.startswith("("):
            continue
        unexplained.append(acronym)
    if not unexplained:
        return []
    return [
        TextFinding(
            "mission-acronyms",
            "The mission uses acronyms it does not explain.",
            tuple(unexplained),
            "Spell each out, or explain it once in parentheses.",
        )
    ]


def find_two_jobs(text: str) -> TextFinding | None:
    """Flag a mission that joins two jobs ("… and also …", "… and send …"): a split signal.

    Kept simple so it can be explained: `and also` always counts; `as well as` counts when
    a verb or an -ing word follows; a plain `and` counts only when a verb in the same form
    as the mission's first verb follows it and both sides are phrases of two words or more,
    so noun pairs ("orders and payments") and verb pairs ("pick and pack") are not flagged.
    """
    tokens = [t.lower().strip("'\u2019") for t in _TOKEN.findall(text)]
    quote: str | None = None
    first_form = _first_verb_form(tokens)
    last_start = 0
    for i, word in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if word == "and" and nxt == "also":
            quote = "and also " + " ".join(tokens[i + 2 : i + 4])
            break
        if word == "as" and nxt == "well" and tokens[i + 2 : i + 3] == ["as"]:
            after = tokens[i + 3] if i + 3 < len(tokens) else ""
            if after.endswith("ing") or _verb_form(after, tokens[i + 4 : i + 5]):
                quote = " ".join(tokens[i : i + 5])
                break
        if word == "and" and first_form and i - last_start >= 2:
            form = _verb_form(nxt, tokens[i + 2 : i + 3])
            if form == first_form and len(tokens) - i - 1 >= 2:
                quote = " ".join(tokens[max(0, i - 2) : i + 4])
                break
        if word in {"and", "or", "but"}:
            last_start = i + 1
    if quote is None:
        return None
    return TextFinding(
        "mission-two-jobs",
        "The mission seems to describe two jobs joined together.",
        (quote,),
        "Keep the main job in the mission; if the second one matters as much, it may be "
        "a product of its own.",
    )


def _verb_form(word: str, following: Sequence[str]) -> str | None:
    """`base` or `s` when `word` is a known verb in that form, else None."""
    marker_follows = bool(following) and following[0] in OBJECT_MARKERS
    for form, stem in (("base", word), ("s", _strip_s(word))):
        if stem is None:
            continue
        if stem in VERBS or (stem in AMBIGUOUS_VERBS and marker_follows):
            return form
    return None


def _strip_s(word: str) -> str | None:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return None


def _first_verb_form(tokens: Sequence[str]) -> str | None:
    """The form of the mission's first verb (`base` for "Keep …", `s` for "It keeps …")."""
    for i, token in enumerate(tokens[:8]):
        if token in VERBS or (i == 0 and token in AMBIGUOUS_VERBS):
            return "base"
        stem = _strip_s(token)
        if stem is not None and stem in VERBS:
            return "s"
    return None


def normalise(text: str) -> str:
    """Lower-case words separated by single spaces, for duplicate detection."""
    return " ".join(_NORMALISE.sub(" ", text.lower()).split())


def check_scope(does: Sequence[str], does_not: Sequence[str]) -> list[TextFinding]:
    """Findings about the scope lists: missing `does_not`, and items listed twice."""
    findings: list[TextFinding] = []
    if not does:
        findings.append(
            TextFinding(
                "scope-does-empty",
                "The scope has no `does` list.",
                (),
                "List the 2-5 jobs the product does, one short line each.",
            )
        )
    if not does_not:
        findings.append(
            TextFinding(
                "scope-does-not-empty",
                "The scope has no `does_not` list.",
                (),
                "Name 2-3 things people might expect of it that it deliberately does not do.",
            )
        )
    seen_does = {normalise(item): item for item in does}
    contradictions = [item for item in does_not if normalise(item) in seen_does]
    if contradictions:
        findings.append(
            TextFinding(
                "scope-contradiction",
                "These items are in both `does` and `does_not`.",
                tuple(contradictions),
                "Decide which it is and keep the item in one list only.",
            )
        )
    for name, items in (("does", does), ("does_not", does_not)):
        repeated = _repeated(items)
        if repeated:
            findings.append(
                TextFinding(
                    "scope-duplicate",
                    f"These items appear more than once in `{name}`.",
                    tuple(repeated),
                    "Remove the repeats.",
                )
            )
    return findings


def _repeated(items: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for item in items:
        key = normalise(item)
        if key in seen and item not in repeated:
            repeated.append(item)
        seen.add(key)
    return repeated
