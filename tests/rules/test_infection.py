"""Hepatitis B and viral infection rules, checked against the facts file §8 and §11 items 5–7.

Expected values are written here from the facts file (ASCO 2020, AASLD 2018, EASL 2017, EU
DHPC), not read from the knowledge YAML: prophylaxis ≥ 12 months after the last anticancer
therapy; HBV DNA and ALT every 6 months on antivirals; past HBV with high-risk therapy: HBsAg
and HBV DNA every 3 months; reactivation at HBV DNA ≥ 1,000 IU/mL, monthly repeat below it;
past HBV with other therapy: ALT, HBV DNA, HBsAg every 1–3 months [unverified].
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.assess import assess
from lenaguard.caseio import load_case
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.safety.infection import (
    HbvStatus,
    InfectionOutcome,
    add_months,
    classify_hbv,
    evaluate,
)
from lenaguard.vocab import Category, LabTest, QualitativeResult, Severity
from tests.factories import lab, make_case, one_per_test_and_day

AS_OF = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def kb():
    return default_knowledge()


def serology(hbsag=None, anti_hbc=None, anti_hbs=None, date="2026-11-10"):
    """Lab entries for the three screening tests (None leaves a test out)."""
    entries = []
    for test, result in (("hbsag", hbsag), ("anti_hbc", anti_hbc), ("anti_hbs", anti_hbs)):
        if result is not None:
            entries.append(lab(test, result=result, date=date))
    return entries


def dna(value, date="2026-11-10"):
    return lab("hbv_dna", value, "IU/mL", date=date)


PAST = serology("negative", "positive", "negative")
CHRONIC = serology("positive", "positive", "negative")


def run(kb, **overrides) -> InfectionOutcome:
    return evaluate(make_case(**overrides), kb)


def ids(outcome: InfectionOutcome) -> list[str]:
    return [finding.id for finding in outcome.findings]


def finding(outcome: InfectionOutcome, finding_id: str):
    matches = [f for f in outcome.findings if f.id == finding_id]
    assert len(matches) == 1, f"{finding_id} not found once in {ids(outcome)}"
    return matches[0]


def due(outcome: InfectionOutcome, test: str) -> dt.date:
    matches = [item for item in outcome.monitoring if item.test == test]
    assert len(matches) == 1, f"{test} not in {[i.test for i in outcome.monitoring]}"
    return matches[0].due


def all_text(outcome: InfectionOutcome) -> str:
    parts = [f"{f.summary} {f.detail}" for f in outcome.findings]
    parts += [item.reason for item in outcome.monitoring]
    return " ".join(parts)


# --- calendar months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 11, 10), 3, dt.date(2027, 2, 10)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), 1, dt.date(2028, 2, 29)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 12, dt.date(2027, 12, 15)),
        (dt.date(2026, 5, 5), 0, dt.date(2026, 5, 5)),
    ],
)
def test_add_months_follows_the_calendar(start, months, expected):
    assert add_months(start, months) == expected


# --- serology classes --------------------------------------------------------------------------


class TestClassification:
    def test_no_serology_is_not_screened(self, kb):
        hbv = classify_hbv(make_case(), kb)
        assert hbv.status is HbvStatus.NOT_SCREENED
        assert hbv.missing == [LabTest.HBSAG, LabTest.ANTI_HBC, LabTest.ANTI_HBS]
        assert hbv.tests_used == []

    def test_all_negative_is_susceptible(self, kb):
        hbv = classify_hbv(make_case(labs=serology("negative", "negative", "negative")), kb)
        assert hbv.status is HbvStatus.SUSCEPTIBLE
        assert hbv.anti_hbs is QualitativeResult.NEGATIVE
        assert "not immune" in hbv.summary

    def test_anti_hbs_only_positive_is_susceptible_class_with_immunity_in_basis(self, kb):
        hbv = classify_hbv(make_case(labs=serology("negative", "negative", "positive")), kb)
        assert hbv.status is HbvStatus.SUSCEPTIBLE
        assert hbv.anti_hbs is QualitativeResult.POSITIVE
        assert "immune" in hbv.summary and "vaccination" in hbv.summary
        assert any("anti-HBs positive" in line for line in hbv.basis)

    def test_quantitative_anti_hbs_counts_as_tested_but_is_not_guessed(self, kb):
        labs = [*serology("negative", "negative"), lab("anti_hbs", 120, "mIU/mL")]
        hbv = classify_hbv(make_case(labs=labs), kb)
        assert hbv.status is HbvStatus.SUSCEPTIBLE
        assert hbv.missing == []
        assert hbv.anti_hbs is None
        assert any("120 mIU/mL" in line for line in hbv.basis)

    def test_quantitative_anti_hbs_with_the_lab_result_uses_the_result(self, kb):
        labs = [
            *serology("negative", "negative"),
            lab("anti_hbs", 120, "mIU/mL", result="positive"),
        ]
        assert classify_hbv(make_case(labs=labs), kb).anti_hbs is QualitativeResult.POSITIVE

    def test_isolated_anti_hbc_is_past_hbv(self, kb):
        hbv = classify_hbv(make_case(labs=PAST), kb)
        assert hbv.status is HbvStatus.PAST
        assert hbv.anti_hbs is QualitativeResult.NEGATIVE

    def test_past_hbv_with_anti_hbs_positive_is_still_past(self, kb):
        hbv = classify_hbv(make_case(labs=serology("negative", "positive", "positive")), kb)
        assert hbv.status is HbvStatus.PAST

    def test_hbsag_positive_is_chronic_even_with_other_tests_missing(self, kb):
        hbv = classify_hbv(make_case(labs=serology("positive")), kb)
        assert hbv.status is HbvStatus.CHRONIC
        assert hbv.missing == [LabTest.ANTI_HBC, LabTest.ANTI_HBS]

    def test_past_is_decided_without_anti_hbs(self, kb):
        hbv = classify_hbv(make_case(labs=serology("negative", "positive")), kb)
        assert hbv.status is HbvStatus.PAST
        assert hbv.missing == [LabTest.ANTI_HBS]

    @pytest.mark.parametrize(
        ("labs", "missing"),
        [
            (serology("negative"), [LabTest.ANTI_HBC, LabTest.ANTI_HBS]),
            (serology("negative", "negative"), [LabTest.ANTI_HBS]),
            (serology(anti_hbc="positive", anti_hbs="negative"), [LabTest.HBSAG]),
            (serology(anti_hbs="positive"), [LabTest.HBSAG, LabTest.ANTI_HBC]),
        ],
    )
    def test_undecided_results_are_incomplete_and_name_the_missing_tests(self, kb, labs, missing):
        hbv = classify_hbv(make_case(labs=labs), kb)
        assert hbv.status is HbvStatus.INCOMPLETE
        assert hbv.missing == missing
        for test in missing:
            name = {"hbsag": "HBsAg", "anti_hbc": "anti-HBc", "anti_hbs": "anti-HBs"}[test.value]
            assert name in hbv.summary

    def test_the_latest_result_of_each_test_is_used(self, kb):
        labs = [
            lab("anti_hbc", result="negative", date="2025-01-10"),
            lab("anti_hbc", result="positive", date="2026-11-10"),
            lab("hbsag", result="negative", date="2026-11-10"),
            lab("anti_hbs", result="positive", date="2026-11-10"),
        ]
        hbv = classify_hbv(make_case(labs=labs), kb)
        assert hbv.status is HbvStatus.PAST
        used = {(item.test, item.date) for item in hbv.tests_used}
        assert (LabTest.ANTI_HBC, dt.date(2026, 11, 10)) in used
        assert (LabTest.ANTI_HBC, dt.date(2025, 1, 10)) not in used

    def test_classification_carries_status_and_asco_citation(self, kb):
        hbv = classify_hbv(make_case(labs=PAST), kb)
        assert hbv.evidence_status is Status.SECONDARY
        assert "asco_hbv_2020" in {c.source for c in hbv.citations}


# --- screening and HBV DNA ---------------------------------------------------------------------


class TestScreening:
    def test_not_screened_asks_for_three_tests_without_delaying_therapy(self, kb):
        outcome = run(kb)
        screening = finding(outcome, "infection.hbv_screening_needed")
        assert screening.severity is Severity.WARNING
        assert not screening.blocking
        assert screening.category is Category.INFECTION
        assert screening.status is Status.SECONDARY
        text = f"{screening.summary} {screening.detail}"
        for name in ("HBsAg", "anti-HBc", "anti-HBs", "total or IgG"):
            assert name in text
        assert "do not delay anticancer therapy" in screening.detail.lower()
        assert "EU" in screening.detail
        for test in ("hbsag", "anti_hbc", "anti_hbs"):
            assert due(outcome, test) == AS_OF

    def test_incomplete_undecided_is_a_warning(self, kb):
        outcome = run(kb, labs=serology("negative"))
        incomplete = finding(outcome, "infection.hbv_screening_incomplete")
        assert incomplete.severity is Severity.WARNING
        assert "anti-HBc" in incomplete.summary and "anti-HBs" in incomplete.summary
        assert "infection.hbv_screening_needed" not in ids(outcome)

    def test_complete_serology_needs_no_screening_finding(self, kb):
        outcome = run(kb, labs=serology("negative", "negative", "negative"))
        assert outcome.findings == []
        assert outcome.monitoring == []

    def test_hbsag_positive_without_dna_needs_hbv_dna(self, kb):
        outcome = run(kb, labs=CHRONIC)
        needed = finding(outcome, "infection.hbv_dna_needed")
        assert needed.severity is Severity.WARNING
        assert "HBsAg" in needed.summary
        assert due(outcome, "hbv_dna") == AS_OF

    def test_anti_hbc_positive_without_dna_needs_hbv_dna_even_when_hbsag_is_missing(self, kb):
        outcome = run(kb, labs=serology(anti_hbc="positive"))
        assert outcome.hbv.status is HbvStatus.INCOMPLETE
        assert "anti-HBc" in finding(outcome, "infection.hbv_dna_needed").summary

    def test_a_dna_result_satisfies_the_dna_requirement(self, kb):
        outcome = run(kb, labs=[*PAST, dna(0)])
        assert "infection.hbv_dna_needed" not in ids(outcome)

    def test_detectable_dna_with_negative_serology_is_flagged(self, kb):
        outcome = run(kb, labs=[*serology("negative", "negative", "negative"), dna(300)])
        assert finding(outcome, "infection.hbv_dna_detected").severity is Severity.WARNING


# --- chronic HBV -------------------------------------------------------------------------------


class TestChronic:
    def test_no_antiviral_is_critical_but_does_not_block(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(2400)])
        needed = finding(outcome, "infection.hbv_chronic_prophylaxis_needed")
        assert needed.severity is Severity.CRITICAL
        assert not needed.blocking
        text = f"{needed.summary} {needed.detail}"
        for words in (
            "entecavir",
            "tenofovir",
            "at least 12 months",
            "hepatologist",
            "every 6 months",
            "ALT monthly for 3 months, then every 3 months",
        ):
            assert words in text, words
        assert "not delayed" in needed.detail

    @pytest.mark.parametrize("name", ["entecavir", "Vemlidy", "tenofovir disoproxil fumarate"])
    def test_high_barrier_antiviral_meets_the_requirement(self, kb, name):
        outcome = run(kb, labs=[*CHRONIC, dna(2400)], medications=[{"name": name}])
        met = finding(outcome, "infection.hbv_chronic_prophylaxis_met")
        assert met.severity is Severity.INFO
        assert "infection.hbv_chronic_prophylaxis_needed" not in ids(outcome)
        assert all(f.severity is not Severity.CRITICAL for f in outcome.findings)

    def test_dna_and_alt_every_six_months(self, kb):
        labs = [*CHRONIC, dna(2400, date="2026-08-31"), lab("alt", 30, "U/L", date="2026-09-15")]
        outcome = run(kb, labs=labs, medications=[{"name": "entecavir"}])
        assert due(outcome, "hbv_dna") == dt.date(2027, 2, 28)
        assert due(outcome, "alt") == dt.date(2027, 3, 15)

    def test_missing_baseline_is_due_now(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(2400)], medications=[{"name": "entecavir"}])
        assert due(outcome, "alt") == AS_OF

    def test_overdue_monitoring_keeps_its_date_and_says_overdue(self, kb):
        labs = [*CHRONIC, dna(2400, date="2026-01-10"), lab("alt", 30, "U/L", date="2026-11-10")]
        outcome = run(kb, labs=labs, medications=[{"name": "entecavir"}])
        item = next(i for i in outcome.monitoring if i.test == "hbv_dna")
        assert item.due == dt.date(2026, 7, 10)
        assert "overdue" in item.reason

    def test_stopped_lenalidomide_gives_the_date_prophylaxis_runs_to(self, kb):
        therapy = {
            "events": [
                {"date": "2025-03-01", "event": "start", "dose_mg": 25},
                {"date": "2026-03-01", "event": "stop"},
            ]
        }
        outcome = run(
            kb, labs=[*CHRONIC, dna(50)], therapy=therapy, medications=[{"name": "entecavir"}]
        )
        assert "2027-03-01" in finding(outcome, "infection.hbv_chronic_prophylaxis_met").detail

    def test_dna_threshold_is_for_past_hbv_not_for_chronic(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(5000)], medications=[{"name": "entecavir"}])
        assert "infection.hbv_reactivation" not in ids(outcome)

    def test_lenalidomide_specific_reactivation_note(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(10)])
        note = finding(outcome, "infection.lenalidomide_viral_reactivation")
        assert note.status is Status.SECONDARY
        assert "VZV" in note.summary or "varicella" in note.detail
        assert "fatal liver failure" in note.detail
        assert "eu_dhpc_hbv" in {c.source for c in note.citations}


# --- past HBV and therapy risk -----------------------------------------------------------------


class TestPastHbvRisk:
    def test_maintenance_after_transplant_is_high_risk(self, kb):
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(0)])
        high = finding(outcome, "infection.hbv_past_high_risk")
        assert high.severity is Severity.WARNING
        assert "high risk" in high.summary
        assert "transplant" in " ".join(outcome.high_risk_therapy)
        text = high.detail
        for words in ("entecavir", "at least 12 months", "every 3 months", "1,000 IU/mL"):
            assert words in text, words
        assert due(outcome, "hbsag") == dt.date(2027, 2, 10)
        assert due(outcome, "hbv_dna") == dt.date(2027, 2, 10)

    def test_transplant_recorded_as_a_condition_is_high_risk(self, kb):
        outcome = run(kb, labs=[*PAST, dna(0)], conditions={"autologous_hsct": True})
        assert "infection.hbv_past_high_risk" in ids(outcome)

    @pytest.mark.parametrize("indication", ["fl", "mzl"])
    def test_lymphoma_with_rituximab_is_high_risk(self, kb, indication):
        outcome = run(kb, indication=indication, labs=[*PAST, dna(0)])
        assert "infection.hbv_past_high_risk" in ids(outcome)
        assert any("rituximab" in reason for reason in outcome.high_risk_therapy)

    @pytest.mark.parametrize("name", ["rituximab", "Gazyva"])
    def test_anti_cd20_in_the_medication_list_is_high_risk(self, kb, name):
        outcome = run(
            kb,
            labs=[*PAST, dna(0)],
            medications=[{"name": name}],
            conditions={"autologous_hsct": False},
        )
        assert "infection.hbv_past_high_risk" in ids(outcome)

    def test_resolved_hbv_is_never_called_low_risk_with_high_risk_therapy(self, kb):
        """§11 item 7: the sample's "low risk" appears only as the sample's own, corrected claim."""
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(0)])
        text = all_text(outcome)
        for sentence in re.split(r"(?<=[.;])\s", text):
            if "low risk" in sentence.lower():
                assert "sample" in sentence.lower() and "claims" in sentence.lower(), sentence
        assert "high risk" in finding(outcome, "infection.hbv_past_high_risk").detail

    def test_high_barrier_prophylaxis_meets_the_requirement(self, kb):
        outcome = run(
            kb,
            indication="mm_maintenance",
            labs=[*PAST, dna(0)],
            medications=[{"name": "tenofovir alafenamide"}],
        )
        assert (
            finding(outcome, "infection.hbv_past_high_risk_prophylaxis_met").severity
            is Severity.INFO
        )
        assert "infection.hbv_past_high_risk" not in ids(outcome)
        assert [item.test for item in outcome.monitoring] == []

    def test_lenalidomide_without_anti_cd20_or_transplant_is_monitor_and_treat_on_demand(self, kb):
        outcome = run(
            kb,
            labs=[*PAST, dna(0), lab("alt", 20, "U/L", date="2026-11-10")],
            conditions={"autologous_hsct": False},
        )
        monitor = finding(outcome, "infection.hbv_past_monitor")
        # ASCO's advice (monitor, treat on demand) is secondary; only the interval is unverified
        assert monitor.status is Status.SECONDARY
        assert monitor.severity is Severity.INFO
        assert all(item.status is Status.UNVERIFIED for item in outcome.monitoring)
        assert "infection.hbv_past_high_risk" not in ids(outcome)
        assert "infection.hbv_past_transplant_unknown" not in ids(outcome)
        assert outcome.high_risk_therapy == []
        # AASLD: ALT, HBV DNA and HBsAg every 1–3 months; due from 1 month, by 3 months at the latest
        for test in ("alt", "hbv_dna", "hbsag"):
            assert due(outcome, test) == dt.date(2026, 12, 10)
        item = next(i for i in outcome.monitoring if i.test == "hbv_dna")
        assert "2027-02-10" in item.reason

    def test_monitoring_panel_of_past_hbv_includes_hbv_dna(self, kb):
        """§11 item 6: not only ALT and HBsAg."""
        outcome = run(kb, labs=[*PAST, dna(0)], conditions={"autologous_hsct": False})
        assert {"alt", "hbsag", "hbv_dna"} <= {item.test for item in outcome.monitoring}
        assert "HBV DNA" in finding(outcome, "infection.hbv_past_monitor").summary

    def test_past_hbv_advice_survives_verified_only(self, kb):
        """Regression: the advice was dropped with --verified-only because it shared one entry
        with the unverified AASLD interval; now only the interval items are left out."""
        case = make_case(labs=[*PAST, dna(0)], conditions={"autologous_hsct": False})
        result = assess(case, kb, verified_only=True)
        kept = [f for f in result.findings if f.id == "infection.hbv_past_monitor"]
        assert len(kept) == 1 and "HBV DNA" in kept[0].summary
        omitted = {(item.kind, item.id) for item in result.omitted}
        assert {("monitoring", "hbv_dna"), ("monitoring", "hbsag")} <= omitted

    def test_high_risk_advice_gives_both_reactivation_rules(self, kb):
        """Facts §8: treat at HBsAg reappearance or DNA ≥ 1,000 IU/mL; monthly DNA below it."""
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(0)])
        detail = finding(outcome, "infection.hbv_past_high_risk").detail
        assert "HBsAg reappears" in detail
        assert "≥ 1,000 IU/mL" in detail
        assert "repeat HBV DNA monthly while it is quantifiable but below 1,000 IU/mL" in detail

    def test_unknown_transplant_status_is_reported(self, kb):
        outcome = run(kb, labs=[*PAST, dna(0)])
        unknown = finding(outcome, "infection.hbv_past_transplant_unknown")
        assert unknown.severity is Severity.WARNING
        assert unknown.inputs["autologous_hsct"] is None

    def test_maintenance_implies_the_transplant_so_nothing_is_unknown(self, kb):
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(0)])
        assert "infection.hbv_past_transplant_unknown" not in ids(outcome)


# --- reactivation -----------------------------------------------------------------------------


class TestReactivation:
    def test_dna_999_is_below_threshold_and_repeated_monthly(self, kb):
        outcome = run(
            kb, labs=[*PAST, dna(999, date="2026-11-10")], conditions={"autologous_hsct": False}
        )
        low = finding(outcome, "infection.hbv_dna_low_level")
        assert low.severity is Severity.WARNING
        assert "monthly" in low.summary
        assert "infection.hbv_reactivation" not in ids(outcome)
        assert due(outcome, "hbv_dna") == dt.date(2026, 12, 10)

    def test_dna_1000_is_reactivation(self, kb):
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(1000)])
        reactivation = finding(outcome, "infection.hbv_reactivation")
        assert reactivation.severity is Severity.CRITICAL
        assert not reactivation.blocking
        assert "1,000" in reactivation.summary
        assert "entecavir" in reactivation.detail
        assert "infection.hbv_dna_low_level" not in ids(outcome)

    def test_undetectable_dna_is_neither(self, kb):
        outcome = run(kb, labs=[*PAST, dna(0)], conditions={"autologous_hsct": False})
        assert "infection.hbv_reactivation" not in ids(outcome)
        assert "infection.hbv_dna_low_level" not in ids(outcome)

    def test_the_latest_dna_decides(self, kb):
        labs = [*PAST, dna(5000, date="2026-09-01"), dna(0, date="2026-11-10")]
        outcome = run(kb, labs=labs, conditions={"autologous_hsct": False})
        assert "infection.hbv_reactivation" not in ids(outcome)

    def test_hbsag_seroreversion_is_reactivation(self, kb):
        labs = [
            lab("hbsag", result="negative", date="2026-05-10"),
            lab("anti_hbc", result="positive", date="2026-05-10"),
            lab("anti_hbs", result="negative", date="2026-05-10"),
            lab("hbsag", result="positive", date="2026-11-10"),
            dna(300, date="2026-11-10"),
        ]
        outcome = run(kb, indication="fl", labs=labs)
        assert outcome.hbv.status is HbvStatus.CHRONIC
        assert outcome.hbv.hbsag_reappeared_on == dt.date(2026, 11, 10)
        reactivation = finding(outcome, "infection.hbv_reactivation")
        assert reactivation.severity is Severity.CRITICAL
        assert "HBsAg" in reactivation.summary

    def test_reactivation_replaces_the_prophylaxis_or_monitoring_advice(self, kb):
        """Regression: "give prophylaxis, or monitor every 3 months" next to a reactivation that
        needs treatment now contradicted it."""
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(1000)])
        assert "infection.hbv_reactivation" in ids(outcome)
        assert "infection.hbv_past_high_risk" not in ids(outcome)
        assert "hbsag" not in {item.test for item in outcome.monitoring}

    def test_dna_999_in_high_risk_past_hbv_keeps_the_advice(self, kb):
        outcome = run(kb, indication="mm_maintenance", labs=[*PAST, dna(999)])
        assert "infection.hbv_past_high_risk" in ids(outcome)
        assert "infection.hbv_reactivation" not in ids(outcome)

    def test_hbsag_reappearance_is_not_also_called_a_prophylaxis_need(self, kb):
        labs = [
            *serology("negative", "positive", "positive", date="2026-08-01"),
            lab("hbsag", result="positive", date="2026-11-10"),
            dna(5000),
        ]
        outcome = run(kb, indication="mm_maintenance", labs=labs)
        assert finding(outcome, "infection.hbv_reactivation").severity is Severity.CRITICAL
        assert "infection.hbv_chronic_prophylaxis_needed" not in ids(outcome)
        assert "prophylaxis" not in " ".join(f.summary for f in outcome.findings)
        # the on-antiviral monitoring of chronic HBV still applies
        assert due(outcome, "hbv_dna") == dt.date(2027, 5, 10)

    def test_hbsag_positive_throughout_is_not_seroreversion(self, kb):
        labs = [lab("hbsag", result="positive", date="2026-05-10"), *CHRONIC, dna(100)]
        outcome = run(kb, labs=labs)
        assert outcome.hbv.hbsag_reappeared_on is None
        assert "infection.hbv_reactivation" not in ids(outcome)


# --- antiviral choice --------------------------------------------------------------------------


class TestAntiviralChoice:
    def test_lamivudine_is_outdated_and_the_sample_disagreement_is_shown(self, kb):
        """§11 item 5: high-barrier agents, ≥ 12 months (ASCO), not lamivudine for 6–12 months."""
        outcome = run(kb, labs=[*CHRONIC, dna(100)], medications=[{"name": "lamivudine"}])
        choice = finding(outcome, "infection.hbv_antiviral_low_barrier")
        assert choice.severity is Severity.WARNING
        assert "entecavir" in choice.summary and "tenofovir" in choice.summary
        assert "≥ 12 months" in choice.detail and "ASCO" in choice.detail
        assert "outdated" in choice.detail
        assert "6–12 months" in choice.detail and "sample" in choice.detail
        assert {"aasld_hbv_2018", "easl_hbv_2017", "asco_hbv_2020"} <= {
            c.source for c in choice.citations
        }
        low = finding(outcome, "infection.hbv_chronic_prophylaxis_low_barrier")
        assert low.severity is Severity.WARNING
        assert "infection.hbv_chronic_prophylaxis_met" not in ids(outcome)

    def test_brand_name_is_recognised(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(100)], medications=[{"name": "Epivir-HBV"}])
        assert "infection.hbv_antiviral_low_barrier" in ids(outcome)

    def test_lamivudine_without_hbv_is_information(self, kb):
        outcome = run(
            kb,
            labs=serology("negative", "negative", "positive"),
            medications=[{"name": "lamivudine"}],
        )
        assert finding(outcome, "infection.hbv_antiviral_low_barrier").severity is Severity.INFO

    def test_lamivudine_does_not_meet_high_risk_prophylaxis(self, kb):
        outcome = run(
            kb,
            indication="mm_maintenance",
            labs=[*PAST, dna(0)],
            medications=[{"name": "lamivudine"}],
        )
        assert "infection.hbv_past_high_risk" in ids(outcome)
        assert "infection.hbv_past_high_risk_prophylaxis_met" not in ids(outcome)
        assert {"hbsag", "hbv_dna"} <= {item.test for item in outcome.monitoring}

    def test_no_low_barrier_finding_without_one(self, kb):
        outcome = run(kb, labs=[*CHRONIC, dna(100)], medications=[{"name": "entecavir"}])
        assert "infection.hbv_antiviral_low_barrier" not in ids(outcome)


# --- active viral infection --------------------------------------------------------------------


class TestActiveViralInfection:
    def test_active_infection_is_clinical_judgement_and_unverified(self, kb):
        outcome = run(
            kb,
            labs=serology("negative", "negative", "positive"),
            conditions={"active_viral_infection": True},
        )
        active = finding(outcome, "infection.active_viral_infection")
        assert active.status is Status.UNVERIFIED
        assert active.severity is Severity.WARNING
        assert not active.blocking
        assert "clinical judgement" in active.summary
        assert "not a US label rule" in active.summary

    @pytest.mark.parametrize("value", [False, None])
    def test_no_finding_without_an_active_infection(self, kb, value):
        outcome = run(
            kb,
            labs=serology("negative", "negative", "positive"),
            conditions={"active_viral_infection": value},
        )
        assert "infection.active_viral_infection" not in ids(outcome)


# --- example case files -----------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class TestExamples:
    def test_chronic_hbv_example(self, kb):
        outcome = evaluate(load_case(EXAMPLES / "chronic-hbv.yaml"), kb)
        assert outcome.hbv.status is HbvStatus.CHRONIC
        needed = finding(outcome, "infection.hbv_chronic_prophylaxis_needed")
        assert needed.severity is Severity.CRITICAL and not needed.blocking
        assert due(outcome, "hbv_dna") == dt.date(2027, 5, 16)
        assert due(outcome, "alt") == dt.date(2027, 5, 16)

    def test_past_hbv_after_transplant_example(self, kb):
        outcome = evaluate(load_case(EXAMPLES / "past-hbv-after-transplant.yaml"), kb)
        assert outcome.hbv.status is HbvStatus.PAST
        assert outcome.hbv.anti_hbs is QualitativeResult.POSITIVE
        assert "infection.hbv_past_high_risk" in ids(outcome)
        assert "infection.hbv_dna_low_level" in ids(outcome)
        assert due(outcome, "hbv_dna") == dt.date(2026, 12, 2)
        assert due(outcome, "hbsag") == dt.date(2027, 2, 2)


# --- invariants --------------------------------------------------------------------------------

RESULTS = st.sampled_from([None, "negative", "positive"])
DATES = st.sampled_from(["2025-06-01", "2026-05-10", "2026-11-10", "2026-11-20"])
MEDICATIONS = st.lists(
    st.sampled_from(
        [
            "entecavir",
            "lamivudine",
            "rituximab",
            "tenofovir",
            "aspirin",
            "adefovir",
            "obinutuzumab",
            "unknown drug",
        ]
    ),
    max_size=3,
    unique=True,
)


@st.composite
def hbv_cases(draw):
    labs = []
    for test in ("hbsag", "anti_hbc", "anti_hbs"):
        for _ in range(draw(st.integers(0, 2))):
            result = draw(RESULTS)
            if test == "anti_hbs" and draw(st.booleans()):
                labs.append(
                    lab(
                        test,
                        draw(st.floats(0, 2000)),
                        "mIU/mL",
                        date=draw(DATES),
                        **({"result": result} if result else {}),
                    )
                )
            elif result is not None:
                labs.append(lab(test, result=result, date=draw(DATES)))
    for _ in range(draw(st.integers(0, 2))):
        value = draw(st.one_of(st.sampled_from([0, 999, 1000, 1001]), st.floats(0, 1e9)))
        labs.append(dna(value, date=draw(DATES)))
    if draw(st.booleans()):
        labs.append(lab("alt", draw(st.floats(1, 500)), "U/L", date=draw(DATES)))
    therapy = draw(
        st.sampled_from(
            [
                None,
                {"events": [{"date": "2026-06-01", "event": "start", "dose_mg": 10}]},
                {
                    "events": [
                        {"date": "2025-01-31", "event": "start", "dose_mg": 10},
                        {"date": "2026-01-31", "event": "stop"},
                    ]
                },
            ]
        )
    )
    overrides = {
        "indication": draw(
            st.sampled_from(["mm_combination", "mm_maintenance", "mds_del5q", "mcl", "fl", "mzl"])
        ),
        "labs": one_per_test_and_day(labs),
        "medications": [{"name": name} for name in draw(MEDICATIONS)],
        "conditions": {
            "autologous_hsct": draw(st.sampled_from([None, True, False])),
            "active_viral_infection": draw(st.sampled_from([None, True, False])),
        },
    }
    if therapy is not None:
        overrides["therapy"] = therapy
    return make_case(**overrides)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=hbv_cases())
def test_any_combination_yields_exactly_one_class_and_never_raises(case):
    kb = default_knowledge()
    outcome = evaluate(case, kb)
    assert sum(outcome.hbv.status is status for status in HbvStatus) == 1
    assert outcome.hbv == classify_hbv(case, kb)
    finding_ids = ids(outcome)
    assert len(finding_ids) == len(set(finding_ids))
    assert all(f.category is Category.INFECTION and not f.blocking for f in outcome.findings)
    assert all(f.citations for f in outcome.findings)
    tests = [item.test for item in outcome.monitoring]
    assert len(tests) == len(set(tests))
    assert all(item.due >= dt.date(2025, 1, 1) for item in outcome.monitoring)
    if outcome.hbv.status is HbvStatus.PAST and outcome.high_risk_therapy:
        assert not any(
            "low risk" in s.lower() and "sample" not in s.lower()
            for s in re.split(r"(?<=[.;])\s", all_text(outcome))
        )
