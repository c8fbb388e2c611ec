"""Hepatitis B decisions pinned exactly (issue 7): reactivation by HBsAg coming back (also on
the assessment date) or HBV DNA at or above 1,000 IU/mL, quantifiable DNA below it repeated
monthly, HBV DNA needed after a positive HBsAg or anti-HBc, DNA detected before the serology is
decided, an incomplete but decided screen, chronic HBV with a preferred or a low-barrier
antiviral, the monitoring calendar (due now, overdue only after the due date, the 1-3 month
range of past HBV with other therapy), the low-barrier antiviral finding, prophylaxis in place
after a stop, and an active viral infection, each with the exact finding set, severity, inputs
and test dates.

Written against the mutants that survived `python benchmarks/mutation.py infection` (see
docs/mutation.md). Expected values from the facts file §8 (ASCO 2020: reactivation at HBsAg
reappearance or HBV DNA ≥ 1,000 IU/mL, monthly HBV DNA below it; chronic HBV: HBV DNA and ALT
every 6 months on the antiviral, prophylaxis ≥ 12 months after the last anticancer therapy;
past HBV with other therapy: ALT, HBV DNA and HBsAg every 1-3 months [unverified]).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.rules.safety.infection import PastHbvPlan, decide_past_hbv, evaluate
from lenaguard.vocab import Severity
from tests.factories import lab, make_case
from tests.rules.test_infection import CHRONIC, PAST, dna, finding, ids, run, serology

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


# --- HBsAg back on the assessment date ----------------------------------------------------------


def test_hbsag_back_on_the_assessment_date_is_a_reactivation_from_that_day():
    labs = [
        *serology("negative", "positive", "negative", date="2026-10-01"),
        lab("hbsag", result="positive", date="2026-11-20"),  # the assessment date
    ]
    outcome = run(KB, labs=labs)
    assert outcome.hbv.hbsag_reappeared_on == dt.date(2026, 11, 20)
    assert outcome.hbv.summary == (
        "Chronic HBV: HBsAg positive again since 2026-11-20 after an earlier negative result "
        "(HBV reactivation)."
    )
    assert ids(outcome) == [
        "infection.hbv_dna_needed",
        REACTIVATION,
        "infection.lenalidomide_viral_reactivation",
    ]
    found = finding(outcome, REACTIVATION)
    assert found.summary == "HBV reactivation: HBsAg positive again since 2026-11-20."
    assert found.inputs == {
        "hbv_status": "chronic",
        "hbsag_reappeared_on": "2026-11-20",
        "hbv_dna_iu_ml": None,
        "hbv_dna_threshold_iu_ml": 1_000,
        "antivirals": None,
    }
    assert [(c.source, c.section) for c in found.citations] == [
        (
            "asco_hbv_2020",
            "PCO: past HBV, high-risk therapy (reactivation: HBsAg reappearance or HBV DNA ≥ "
            "1,000 IU/mL)",
        ),
        ("aasld_hbv_2018", "preferred antivirals (entecavir, TDF, TAF)"),
        ("easl_hbv_2017", "first-line agents (ETV, TDF, TAF); prevention of HBV reactivation"),
        ("asco_hbv_2020", "PCO: chronic HBV (coordination of care)"),
    ]


# --- the screening panel, incomplete but decided ------------------------------------------------


def test_past_hbv_without_anti_hbs_asks_to_complete_the_panel_for_information():
    outcome = run(KB, labs=[*serology("negative", "positive", None), dna(0)])
    assert outcome.hbv.status.value == "past"
    found = finding(outcome, "infection.hbv_screening_incomplete")
    assert (found.severity, found.blocking) == (Severity.INFO, False)
    assert found.summary == "Hepatitis B screening incomplete: anti-HBs missing."
    assert found.detail == (
        "Test anti-HBs before, or at the start of, systemic anticancer therapy. Do not delay "
        "anticancer therapy while waiting for the results. The class (past) is already decided "
        "by the results present; complete the panel."
    )
    assert found.inputs == {"hbv_status": "past", "missing": ["anti_hbs"]}
    assert found.remedy is not None and found.remedy.test == "hbv_serology"


def test_an_anti_hbs_value_without_its_interpretation_is_said_in_the_class_summary():
    labs = [
        *serology("negative", "negative", None),
        lab("anti_hbs", 15, "mIU/mL", date="2026-11-10"),
    ]
    hbv = run(KB, labs=labs).hbv
    assert (hbv.status.value, hbv.anti_hbs) == ("susceptible", None)
    assert hbv.summary == (
        "No HBV infection: HBsAg and anti-HBc negative; anti-HBs reported as a value without a "
        "positive/negative interpretation (add the laboratory's result)."
    )


# --- chronic HBV: the antiviral listed, and the monitoring calendar -----------------------------

CHRONIC_CITATIONS = [
    (
        "asco_hbv_2020",
        "PCO: chronic HBV (prophylaxis through and at least 12 months after therapy)",
    ),
    ("aasld_hbv_2018", "preferred antivirals (entecavir, TDF, TAF)"),
    ("easl_hbv_2017", "first-line agents (ETV, TDF, TAF); prevention of HBV reactivation"),
    ("asco_hbv_2020", "PCO: chronic HBV (monitoring on antivirals)"),
    ("asco_hbv_2020", "PCO: chronic HBV (monitoring after stopping the antiviral)"),
    ("asco_hbv_2020", "PCO: chronic HBV (coordination of care)"),
]


def test_chronic_hbv_on_entecavir_has_prophylaxis_in_place_and_names_it():
    outcome = run(KB, labs=[*CHRONIC, dna(100)], medications=[{"name": "entecavir"}])
    found = finding(outcome, "infection.hbv_chronic_prophylaxis_met")
    assert (found.severity, found.blocking) == (Severity.INFO, False)
    assert found.summary == "Chronic HBV: antiviral prophylaxis in place (entecavir)."
    assert found.inputs == {
        "hbv_status": "chronic",
        "high_barrier_antivirals": "entecavir",
        "low_barrier_antivirals": None,
    }
    assert [(c.source, c.section) for c in found.citations] == CHRONIC_CITATIONS


def test_chronic_hbv_on_lamivudine_is_told_to_change_to_a_high_barrier_antiviral():
    outcome = run(KB, labs=[*CHRONIC, dna(100)], medications=[{"name": "lamivudine"}])
    found = finding(outcome, "infection.hbv_chronic_prophylaxis_low_barrier")
    assert (found.severity, found.blocking) == (Severity.WARNING, False)
    assert found.summary == (
        "Chronic HBV: low-barrier antiviral listed (lamivudine); use entecavir or tenofovir (TDF "
        "or TAF) instead."
    )
    assert found.inputs == {
        "hbv_status": "chronic",
        "high_barrier_antivirals": None,
        "low_barrier_antivirals": "lamivudine",
    }
    assert [(c.source, c.section) for c in found.citations] == CHRONIC_CITATIONS


@pytest.mark.parametrize(
    ("alt_date", "due", "when"),
    [
        ("2026-05-19", dt.date(2026, 11, 19), "last on 2026-05-19 (overdue)"),
        # due on the assessment date: due, not overdue
        ("2026-05-20", dt.date(2026, 11, 20), "last on 2026-05-20"),
    ],
)
def test_chronic_hbv_monitoring_is_overdue_only_after_its_due_date(alt_date, due, when):
    alt = lab("alt", 30, "U/L", date=alt_date)
    outcome = run(KB, labs=[*CHRONIC, dna(100), alt], medications=[{"name": "entecavir"}])
    assert items(outcome) == [
        (
            "alt",
            due,
            f"Chronic HBV, at baseline and on the antiviral: ALT every 6 months ({when}).",
        ),
        (
            "hbv_dna",
            dt.date(2027, 5, 10),
            "Chronic HBV, at baseline and on the antiviral: HBV DNA every 6 months (last on "
            "2026-11-10).",
        ),
    ]


def test_a_test_without_a_result_is_due_now():
    outcome = run(KB, labs=[*CHRONIC, dna(100)], medications=[{"name": "entecavir"}])
    assert items(outcome)[0] == (
        "alt",
        dt.date(2026, 11, 20),
        "Chronic HBV, at baseline and on the antiviral: ALT every 6 months (no result on record: "
        "due now).",
    )


def test_past_hbv_with_other_therapy_is_monitored_every_1_to_3_months():
    outcome = run(
        KB,
        labs=[*PAST, dna(0), lab("alt", 30, "U/L", date="2026-11-15")],
        conditions={"autologous_hsct": False},
    )
    assert items(outcome) == [
        (
            "hbsag",
            dt.date(2026, 12, 10),
            "Past HBV, other anticancer therapy: HBsAg every 1 to 3 months (last on 2026-11-10; "
            "due from 2026-12-10, at the latest by 2027-02-10).",
        ),
        (
            "hbv_dna",
            dt.date(2026, 12, 10),
            "Past HBV, other anticancer therapy: HBV DNA every 1 to 3 months (last on "
            "2026-11-10; due from 2026-12-10, at the latest by 2027-02-10).",
        ),
        (
            "alt",
            dt.date(2026, 12, 15),
            "Past HBV, other anticancer therapy: ALT every 1 to 3 months (last on 2026-11-15; "
            "due from 2026-12-15, at the latest by 2027-02-15).",
        ),
    ]


# --- the antiviral choice -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("serology_results", "severity"),
    [
        (("negative", "negative", "negative"), Severity.INFO),
        (("negative", "positive", "negative"), Severity.WARNING),
    ],
)
def test_a_low_barrier_antiviral_is_named_with_the_preferred_ones(serology_results, severity):
    outcome = run(
        KB, labs=[*serology(*serology_results), dna(0)], medications=[{"name": "lamivudine"}]
    )
    found = finding(outcome, "infection.hbv_antiviral_low_barrier")
    assert (found.severity, found.blocking) == (severity, False)
    assert found.summary == (
        "lamivudine: low barrier to resistance; entecavir or tenofovir (TDF or TAF) is preferred "
        "for HBV prophylaxis."
    )
    assert found.detail == (
        "Use an antiviral with a high barrier to resistance, entecavir or tenofovir (TDF or "
        "TAF). Lamivudine and other low-barrier agents are outdated for HBV prophylaxis because "
        "resistance develops. Duration: during therapy and for ≥ 12 months after the last "
        "anticancer therapy (ASCO). Disagreement shown: the sample evidence answer on "
        "lenalidomide in viral infections (fixtures documents/000) recommends prophylaxis with "
        "lamivudine, continued for at least 6–12 months after cancer therapy ends; the sources "
        "say: prefer entecavir or tenofovir (TDF or TAF); lamivudine is outdated; continue "
        "prophylaxis for at least 12 months after the last anticancer therapy (ASCO 2020)."
    )
    assert found.inputs == {
        "hbv_status": outcome.hbv.status.value,
        "low_barrier_antivirals": "lamivudine",
    }
    assert [(c.source, c.section) for c in found.citations] == [
        ("aasld_hbv_2018", "preferred antivirals (entecavir, TDF, TAF)"),
        ("easl_hbv_2017", "first-line agents (ETV, TDF, TAF); prevention of HBV reactivation"),
        (
            "asco_hbv_2020",
            "PCO: chronic HBV (prophylaxis through and at least 12 months after therapy)",
        ),
    ]


# --- past HBV, high-risk therapy, prophylaxis in place after a stop -----------------------------


def test_prophylaxis_in_place_after_a_stop_runs_12_months_past_the_stop():
    therapy = {
        "events": [
            {"date": "2026-01-05", "event": "start", "dose_mg": 10},
            {"date": "2026-10-01", "event": "stop"},
        ]
    }
    case = make_case(
        indication="mm_maintenance",
        labs=[*PAST, dna(0)],
        medications=[{"name": "entecavir"}],
        therapy=therapy,
    )
    decision = decide_past_hbv(case, KB)
    assert decision is not None
    assert decision.plan is PastHbvPlan.PROPHYLAXIS_IN_PLACE
    assert decision.lenalidomide_stopped_on == dt.date(2026, 10, 1)
    assert decision.prophylaxis_until == dt.date(2027, 10, 1)
    found = finding(evaluate(case, KB), "infection.hbv_past_high_risk_prophylaxis_met")
    assert found.detail == (
        "High risk of HBV reactivation because of: autologous stem-cell transplant (indication "
        "mm_maintenance: maintenance after the transplant). Continue the antiviral during "
        "therapy and for at least 12 months after the last anticancer therapy (lenalidomide "
        "stopped on 2026-10-01: at least until 2027-10-01, later if other anticancer therapy "
        "continues)."
    )
