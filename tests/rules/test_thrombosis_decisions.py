"""Thrombosis decisions pinned exactly (issue 7): how dexamethasone enters the VTE scores (not
listed, listed without a dose, several entries summed, the SAVED standard-dose floor at 120 mg
per month) and the two findings that ask for it.

Written against the mutants that survived `python benchmarks/mutation.py thrombosis` (see
docs/mutation.md). Expected values from the facts file §7 and the score sources: high dose is
above 160 mg per month; SAVED's standard dose is 120–160 mg per month and below 120 mg gives no
points. Score and indication names are read from the knowledge.
"""

from __future__ import annotations

from lenaguard.vocab import Severity
from tests.rules.test_thrombosis import dex, finding, quiet, run

DEX_ITEMS = (
    ("impede_vte", "dexamethasone_high"),
    ("impede_vte", "dexamethasone_low"),
    ("saved", "dexamethasone_high"),
    ("saved", "dexamethasone_standard"),
)


def dex_items(outcome) -> list[tuple[bool | None, str]]:
    """(present, basis) of the four dexamethasone items, IMPEDE VTE then SAVED."""
    found = []
    for score, item_id in DEX_ITEMS:
        entry = next(i for i in outcome.scores[score].items if i.id == item_id)
        found.append((entry.present, entry.basis))
    return found


def dex_findings(outcome) -> list[str]:
    return [f.id for f in outcome.findings if f.id.startswith("thrombosis.dexamethasone")]


def test_dexamethasone_expected_but_not_listed_counts_as_not_given_and_says_so():
    outcome = run(quiet(indication="mm_combination", medications=[]))
    basis = (
        "no dexamethasone listed (the indication is labelled with dexamethasone: check the "
        "medication list)"
    )
    assert dex_items(outcome) == [(False, basis)] * 4
    assert dex_findings(outcome) == ["thrombosis.dexamethasone_not_listed"]
    found = finding(outcome, "thrombosis.dexamethasone_not_listed")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "No dexamethasone listed, though this indication is labelled with it; the VTE scores "
        "count it as not given."
    )
    assert found.detail == (
        "Multiple myeloma, with dexamethasone: the label regimen includes dexamethasone. The "
        "case lists none, so IMPEDE VTE, SAVED and the IMWG high-dose factor count no "
        "dexamethasone and may understate the risk. If the patient takes it, add it with "
        "mg_per_month (high dose is above 160 mg per month)."
    )
    assert found.inputs == {"indication": "mm_combination"}
    assert [(c.source, c.section) for c in found.citations] == [
        ("uspi", "§1.1, §2.1"),
        ("impede_vte_2019", "IMPEDE VTE score: dexamethasone item (high vs low dose)"),
        ("saved_2019", "SAVED score: dexamethasone item (high vs standard dose)"),
    ]


def test_no_dexamethasone_in_maintenance_is_simply_not_given():
    outcome = run(quiet(medications=[]))
    assert dex_items(outcome) == [(False, "no dexamethasone listed")] * 4
    assert dex_findings(outcome) == []


def test_dexamethasone_without_a_dose_leaves_the_items_unknown_and_asks_for_the_dose():
    outcome = run(quiet(medications=[dex(None)]))
    assert (
        dex_items(outcome)
        == [(None, "dexamethasone listed without mg_per_month: dose level unknown")] * 4
    )
    assert outcome.scores["impede_vte"].unknown_items == ["dexamethasone_high", "dexamethasone_low"]
    assert dex_findings(outcome) == ["thrombosis.dexamethasone_dose_missing"]
    found = finding(outcome, "thrombosis.dexamethasone_dose_missing")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "Dexamethasone listed without mg_per_month: the VTE scores need its dose."
    )
    assert found.detail == (
        "dexamethasone: give the monthly total as mg_per_month (see the case-file definition). "
        "Above 160 mg per month counts as high dose in IMPEDE VTE and SAVED and as a "
        "therapy-related factor in the IMWG model; at or below it, as low (standard) dose. Until "
        "then the dexamethasone items are unknown."
    )
    assert found.inputs == {"medications": ["dexamethasone"]}
    assert [(c.source, c.section) for c in found.citations] == [
        ("impede_vte_2019", "IMPEDE VTE score: dexamethasone item (high vs low dose)"),
        ("saved_2019", "SAVED score: dexamethasone item (high vs standard dose)"),
    ]


def test_several_dexamethasone_entries_are_summed():
    outcome = run(quiet(medications=[dex(60), dex(60)]))
    basis = "dexamethasone 120 mg per month (sum of the listed entries)"
    assert dex_items(outcome) == [(False, basis), (True, basis), (False, basis), (True, basis)]
    assert dex_findings(outcome) == []


def test_the_saved_standard_dose_starts_at_120_mg_a_month():
    at = run(quiet(medications=[dex(120)]))
    basis = "dexamethasone 120 mg per month"
    assert dex_items(at) == [(False, basis), (True, basis), (False, basis), (True, basis)]
    below = run(quiet(medications=[dex(119)]))
    words = "dexamethasone 119 mg per month"
    assert dex_items(below) == [
        (False, words),
        (True, words),
        (False, words),
        (False, f"{words}; below 120 mg this score gives no dexamethasone points"),
    ]
