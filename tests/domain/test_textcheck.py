"""Mission and scope text checks: each finding names its words and suggests a fix."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productize.domain.textcheck import (
    check_mission,
    check_scope,
    count_syllables,
    find_two_jobs,
    flesch_kincaid_grade,
    normalise,
    sentences_of,
    text_stats,
)

PLAIN = "Keep track of every box someone has ordered until it is at their door."


def codes(text: str | None, **kwargs: object) -> list[str]:
    return [f.code for f in check_mission(text, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("box", 1), ("make", 1), ("table", 2), ("order", 2), ("delivery", 4), ("boxes", 2),
     ("the", 1), ("free", 1), ("organisation", 5)],
)  # fmt: skip
def test_syllable_heuristic(word: str, syllables: int):
    assert count_syllables(word) == syllables


def test_flesch_kincaid_grade_formula():
    assert flesch_kincaid_grade(10, 1, 15) == round(0.39 * 10 + 11.8 * 1.5 - 15.59, 1)
    assert flesch_kincaid_grade(0, 0, 0) == 0.0
    stats = text_stats("The cat sat. The dog ran.")
    assert (stats.words, stats.sentences, stats.syllables) == (6, 2, 6)


def test_sentences_split_on_end_marks_only():
    assert sentences_of("Track boxes. Tell people! Why? v1.2 is out") == [
        "Track boxes", "Tell people", "Why", "v1.2 is out",
    ]  # fmt: skip


def test_a_plain_mission_has_no_findings():
    assert check_mission(PLAIN) == []


def test_missing_mission():
    assert codes(None) == ["mission-missing"]
    assert codes("   ") == ["mission-missing"]


def test_long_mission_is_flagged_with_its_length():
    text = " ".join(["box"] * 31) + "."
    finding = next(f for f in check_mission(text) if f.code == "mission-long")
    assert "31 words" in finding.message
    assert "box" not in codes(" ".join(["box"] * 30) + ".")


def test_too_many_sentences_quotes_the_extra_ones():
    finding = check_mission("Track boxes. Tell people. Count crates.")[0]
    assert finding.code == "mission-sentences"
    assert finding.quote == ("Count crates",)
    assert "mission-sentences" not in codes("Track boxes. Tell people.")


def test_hard_to_read_mission_quotes_the_long_words():
    text = (
        "Operationalising institutional procurement methodologies across organisational "
        "hierarchies continuously."
    )
    assert "mission-hard-to-read" not in codes(PLAIN)
    finding = next(f for f in check_mission(text) if f.code == "mission-hard-to-read")
    assert "institutional" in finding.quote


def test_hard_words_come_in_one_order_whatever_their_case():
    # The same word capitalised and not: a fixed order, not the set's hash-seeded one, so the
    # stored finding (and its digest) does not change between two runs of the same text.
    text = (
        "Customer operationalisation: institutional customer procurement methodologies "
        "across organisational hierarchies, continuously reconciled."
    )
    finding = next(f for f in check_mission(text) if f.code == "mission-hard-to-read")
    assert finding.quote.index("Customer") + 1 == finding.quote.index("customer")
    assert list(finding.quote) == sorted(finding.quote, key=lambda w: (w.lower(), w))


def test_very_short_missions_skip_the_grade():
    # Four long words would score a high grade; with so few words the grade means nothing.
    assert "mission-hard-to-read" not in codes(
        "Reconcile organisational expenditure automatically."
    )


@pytest.mark.parametrize(
    ("text", "code", "quoted"),
    [
        ("Leverage synergy to sell boxes.", "mission-buzzwords", ("leverage", "synergy")),
        ("A best-in-class way to sell boxes.", "mission-buzzwords", ("best-in-class",)),
        ("An end-to-end solution for farms.", "mission-jargon", ("end-to-end", "solution")),
        ("The platform for farm sales.", "mission-jargon", ("platform",)),
        ("Send each SKU to the WMS.", "mission-acronyms", ("SKU", "WMS")),
    ],
)
def test_word_lists_quote_the_words(text: str, code: str, quoted: tuple[str, ...]):
    finding = next(f for f in check_mission(text) if f.code == code)
    assert finding.quote == quoted
    assert finding.suggestion


@pytest.mark.parametrize(
    "text",
    [
        "Send each stock keeping unit (SKU) to the warehouse.",
        "Send each SKU (stock keeping unit) to the warehouse.",
        "Send boxes to the UK and the EU.",
        "Send boxes to people.",
    ],
)
def test_explained_or_common_acronyms_pass(text: str):
    assert "mission-acronyms" not in codes(text)


def test_known_acronyms_can_be_added():
    assert "mission-acronyms" not in codes("Send each SKU out.", known_acronyms=["sku"])


@pytest.mark.parametrize(
    "text",
    [
        "Record orders and also handle refunds.",
        "Keep track of every box and send invoices to customers.",
        "Helps farmers sell produce and pays them every week.",
        "Record deliveries as well as sending reminders.",
        "Track every delivery and order the boxes for next week.",
    ],
)
def test_two_jobs_are_flagged(text: str):
    finding = find_two_jobs(text)
    assert finding is not None and finding.code == "mission-two-jobs"
    assert any(w in finding.quote[0] for w in ("and", "as well as"))


@pytest.mark.parametrize(
    "text",
    [
        PLAIN,
        "Track orders and payments for customers.",
        "Pick and pack boxes for delivery.",
        "Show delivery and order status to customers.",
        "Tell farmers and drivers when a van is late.",
        "Keep fruit and vegetables fresh until they reach a household.",
        "Sell boxes as well as possible.",
    ],
)
def test_noun_and_verb_pairs_are_not_two_jobs(text: str):
    assert find_two_jobs(text) is None


def test_scope_findings():
    assert [f.code for f in check_scope([], [])] == ["scope-does-empty", "scope-does-not-empty"]
    assert check_scope(["Record orders"], ["Take payments"]) == []
    clash = check_scope(["Record orders", "Send e-mails"], ["record  orders!", "Take payments"])
    assert [(f.code, f.quote) for f in clash] == [("scope-contradiction", ("record  orders!",))]
    dup = check_scope(["Send e-mails", "send e mails"], ["x"])
    assert [(f.code, f.quote) for f in dup] == [("scope-duplicate", ("send e mails",))]


def test_normalise():
    assert normalise("  Record, new ORDERS! ") == "record new orders"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_mission_checks_never_raise_and_always_explain(text: str):
    for finding in check_mission(text):
        assert finding.code and finding.message and finding.suggestion
    check_scope([text], [text, text.upper()])
