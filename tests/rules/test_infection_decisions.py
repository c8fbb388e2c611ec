"""Hepatitis B decisions pinned exactly (issue 7): reactivation by HBsAg coming back or HBV DNA
at or above 1,000 IU/mL, quantifiable DNA below it repeated monthly, HBV DNA needed after a
positive HBsAg or anti-HBc, DNA detected before the serology is decided, and an active viral
infection, each with the exact finding set, severity, inputs and test dates.

Written against the mutants that survived `python benchmarks/mutation.py infection` (see
docs/mutation.md). Expected values from the facts file §8 (ASCO 2020: reactivation at HBsAg
reappearance or HBV DNA ≥ 1,000 IU/mL, monthly HBV DNA below it).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.vocab import Severity
from tests.factories import lab
from tests.rules.test_infection import PAST, dna, finding, ids, run, serology

KB = default_knowledge()
REACTIVATION = "infection.hbv_reactivation"
LOW_LEVEL = "infection.hbv_dna_low_level"


def items(outcome) -> list[tuple[str, dt.date, str]]:
    return [(item.test, item.due, item.reason) for item in outcome.monitoring]


@pytest.mark.parametrize("value", [1_000, 2_000])
def test_past_hbv_with_hbv_dna_at_or_above_1000_is_a_reactivation(value):
    outcome = run(KB, labs=[*PAST, dna(value)])
    assert ids(outcome) == [REACTIVATION, "infection.lenalidomide_viral_reactivation"]
    found = finding(outcome, REACTIVATION)
    assert (found.severity, found.blocking) == (Severity.CRITICAL, False)
    assert found.summary == (
        f"HBV reactivation: HBV DNA {value:,} IU/mL on 2026-11-10 (≥ 1,000 IU/mL)."
    )
    assert (
        "Start antiviral treatment with entecavir or tenofovir (TDF or TAF) now (or, if one "
        "is already taken, review it with the hepatologist) and manage with a hepatologist."
        in (found.detail)
    )
    assert found.inputs == {
        "hbv_status": "past",
        "hbsag_reappeared_on": None,
        "hbv_dna_iu_ml": value,
        "hbv_dna_threshold_iu_ml": 1_000,
        "antivirals": None,
    }
    assert [c.source for c in found.citations][:3] == [
        "asco_hbv_2020",
        "aasld_hbv_2018",
        "easl_hbv_2017",
    ]
    assert outcome.monitoring == []


def test_hbsag_back_after_a_negative_result_is_a_reactivation():
    labs = [
        *serology("negative", "positive", "negative", date="2026-10-01"),
        lab("hbsag", result="positive", date="2026-11-10"),
        lab("anti_hbc", result="positive", date="2026-11-10"),
    ]
    outcome = run(KB, labs=labs)
    found = finding(outcome, REACTIVATION)
    assert found.summary == "HBV reactivation: HBsAg positive again since 2026-11-10."
    assert found.inputs["hbsag_reappeared_on"] == "2026-11-10"
    assert found.inputs["hbv_dna_iu_ml"] is None


@pytest.mark.parametrize("value", [1, 999])
def test_quantifiable_hbv_dna_below_1000_in_past_hbv_is_repeated_monthly(value):
    outcome = run(KB, labs=[*PAST, dna(value)])
    assert REACTIVATION not in ids(outcome)
    found = finding(outcome, LOW_LEVEL)
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        f"Past HBV with quantifiable HBV DNA {value:,} IU/mL on 2026-11-10 (below 1,000 IU/mL): "
        "repeat HBV DNA monthly."
    )
    assert found.detail.endswith("Next HBV DNA due by 2026-12-10.")
    assert found.inputs == {
        "hbv_status": "past",
        "hbv_dna_iu_ml": value,
        "hbv_dna_threshold_iu_ml": 1_000,
    }
    assert (
        "hbv_dna",
        dt.date(2026, 12, 10),
        "Quantifiable HBV DNA below 1,000 IU/mL in past HBV: repeat monthly (last on 2026-11-10).",
    ) in items(outcome)


def test_a_positive_anti_hbc_without_hbv_dna_asks_for_it_today():
    outcome = run(KB, labs=[*PAST])
    found = finding(outcome, "infection.hbv_dna_needed")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == "HBV DNA needed: anti-HBc positive and no HBV DNA on record."
    assert found.inputs == {"hbv_status": "past", "positive": ["anti_hbc"]}
    assert (
        "hbv_dna",
        dt.date(2026, 11, 20),
        "HBV DNA after a positive anti-HBc (no result on record: due now).",
    ) in items(outcome)


@pytest.mark.parametrize(("value", "detected"), [(0, False), (1, True)])
def test_hbv_dna_detected_before_the_serology_is_decided_is_named(value, detected):
    outcome = run(KB, labs=[dna(value)])
    assert ("infection.hbv_dna_detected" in ids(outcome)) is detected
    if not detected:
        return
    found = finding(outcome, "infection.hbv_dna_detected")
    assert found.summary == (
        "HBV DNA detected (1 IU/mL on 2026-11-10) while the serology is not screened."
    )
    assert found.detail.startswith(
        "Detectable HBV DNA means HBV infection. Complete and review HBsAg, anti-HBc and "
        "anti-HBs, and involve a hepatologist."
    )
    assert found.inputs == {
        "hbv_status": "not_screened",
        "hbv_dna_iu_ml": 1,
        "hbv_dna_date": "2026-11-10",
    }
    assert [(c.source, c.section) for c in found.citations] == [
        ("asco_hbv_2020", "PCO: screening (three tests; do not delay therapy)"),
        ("asco_hbv_2020", "PCO: screening (HBV DNA when HBsAg or anti-HBc positive)"),
    ]


def test_an_active_viral_infection_is_named():
    outcome = run(KB, conditions={"active_viral_infection": True})
    found = finding(outcome, "infection.active_viral_infection")
    assert found.summary.startswith(
        "Active, uncontrolled viral infection: consider delaying lenalidomide"
    )
    assert found.summary.endswith("(clinical judgement, not a US label rule).")
    assert found.inputs == {"hbv_status": "not_screened", "active_viral_infection": True}
