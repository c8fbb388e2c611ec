"""Every blood-count row of the six dose-modification tables (facts file §3, USPI §2.1–§2.4).

Expected values are written from the facts file, not read from the knowledge YAML. Each
threshold is tested at the threshold and one unit on the other side.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from lenaguard.case import Case
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.base.results import DosePlan
from lenaguard.rules.dose.ongoing_dose import ongoing_dose
from lenaguard.vocab import DoseAction, Severity
from tests.factories import lab, make_case
from tests.rules.count_cases import AS_OF, counts, decide, ev, ids


def assert_hold(plan: DosePlan, resume_mg: float | None, days_on=None) -> None:
    assert plan.action is DoseAction.HOLD
    assert plan.dose_mg is None
    assert plan.resume is not None
    assert plan.resume.dose_mg == resume_mg
    if days_on is not None:
        assert plan.resume.days_on == days_on


def assert_continue(plan: DosePlan, dose_mg: float, days_on=None) -> None:
    assert plan.action is DoseAction.CONTINUE
    assert plan.dose_mg == dose_mg
    assert plan.resume is None
    if days_on is not None:
        assert plan.days_on == days_on


def assert_resume(plan: DosePlan, dose_mg: float, days_on=None) -> None:
    assert plan.action is DoseAction.RESUME
    assert plan.dose_mg == dose_mg
    if days_on is not None:
        assert plan.days_on == days_on


START_25 = [ev("2026-10-01", "start", 25)]


# --- mm_combination, Table 1 [label] ----------------------------------------------------------


class TestMultipleMyelomaCombination:
    def test_platelets_below_30000_interrupt_and_plan_next_lower_dose(self):
        plan, findings = decide("mm_combination", START_25, counts(29_999, 2_000))
        assert_hold(plan, 20, (1, 21))
        assert plan.status is Status.LABEL
        assert plan.rule == "dose_modification.mm_combination.platelets"
        assert "30,000" in plan.resume.when
        assert "toxicity.platelets_interrupt" in ids(findings)
        assert any(c.section.startswith("§2.1 Table 1") for c in plan.citations)

    def test_platelets_at_30000_continue(self):
        plan, findings = decide("mm_combination", START_25, counts(30_000, 2_000))
        assert_continue(plan, 25, (1, 21))
        assert plan.status is Status.LABEL
        assert not any(f.severity is Severity.CRITICAL for f in findings)

    def test_platelets_recovered_to_30000_resume_next_lower(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="thrombocytopenia")]
        plan, findings = decide("mm_combination", events, counts(30_000, 2_000))
        assert_resume(plan, 20, (1, 21))
        assert "dosing.restart" in ids(findings)

    def test_platelets_not_recovered_at_29999_stays_held(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="thrombocytopenia")]
        plan, findings = decide("mm_combination", events, counts(29_999, 2_000))
        assert_hold(plan, 20)
        hold = next(f for f in findings if f.id == "toxicity.hold_continues")
        assert hold.severity is Severity.CRITICAL

    def test_each_later_platelet_fall_steps_down_again(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-09-27", "resume", 20),
            ev("2026-10-20", "hold", reason="thrombocytopenia"),
            ev("2026-10-27", "resume", 15),
            ev("2026-11-10", "hold", reason="thrombocytopenia"),
        ]
        plan, _ = decide("mm_combination", events, counts(45_000, 2_000))
        assert_resume(plan, 10)

    def test_anc_below_1000_interrupt(self):
        plan, findings = decide(
            "mm_combination", START_25, counts(150_000, 999), other_toxicity={"grade": 0}
        )
        assert_hold(plan, 25)  # first fall, neutropenia only: back to the starting dose
        assert "1,000" in plan.resume.when
        assert "toxicity.anc_interrupt" in ids(findings)

    def test_anc_at_1000_continue(self):
        plan, _ = decide("mm_combination", START_25, counts(150_000, 1_000))
        assert_continue(plan, 25)

    def test_first_anc_fall_neutropenia_only_resumes_at_25(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide(
            "mm_combination", events, counts(150_000, 1_000), other_toxicity={"grade": 0}
        )
        assert_resume(plan, 25, (1, 21))
        assert plan.rule == "dose_modification.mm_combination.anc.first_fall_only_toxicity"
        assert plan.status is Status.LABEL

    def test_first_anc_fall_not_recovered_at_999(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide(
            "mm_combination", events, counts(150_000, 999), other_toxicity={"grade": 0}
        )
        assert_hold(plan, 25)

    def test_first_anc_fall_from_renal_start_resumes_at_initial_starting_dose(self):
        events = [ev("2026-10-01", "start", 10), ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide(
            "mm_combination", events, counts(150_000, 1_200), other_toxicity={"grade": 0}
        )
        assert_resume(plan, 10)

    def test_first_anc_fall_with_other_toxicity_resumes_next_lower(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide(
            "mm_combination",
            events,
            counts(150_000, 1_000),
            other_toxicity={"grade": 2, "kind": "other"},
        )
        assert_resume(plan, 20)
        assert plan.rule == "dose_modification.mm_combination.anc.first_fall_other_toxicity"

    def test_first_anc_fall_with_unrecorded_other_toxicity_is_cautious_and_says_so(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, findings = decide("mm_combination", events, counts(150_000, 1_000))
        assert_resume(plan, 20)
        note = next(f for f in findings if f.id == "dosing.anc_restart_dose_choice")
        assert note.severity is Severity.WARNING
        assert "other_toxicity" in note.detail

    def test_later_anc_fall_resumes_next_lower(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="neutropenia"),
            ev("2026-09-27", "resume", 25),
            ev("2026-11-01", "hold", reason="neutropenia"),
        ]
        plan, _ = decide(
            "mm_combination", events, counts(150_000, 1_000), other_toxicity={"grade": 0}
        )
        assert_resume(plan, 20)
        assert plan.rule == "dose_modification.mm_combination.anc.later_fall"

    def test_first_anc_fall_after_a_platelet_reduction_never_goes_above_the_dose_before(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-09-27", "resume", 20),
            ev("2026-11-01", "hold", reason="neutropenia"),
        ]
        plan, findings = decide(
            "mm_combination", events, counts(150_000, 1_500), other_toxicity={"grade": 0}
        )
        assert_resume(plan, 20)
        assert "dosing.anc_restart_dose_choice" in ids(findings)

    def test_both_counts_low_hold_and_plan_the_lower_restart(self):
        plan, findings = decide("mm_combination", START_25, counts(20_000, 800))
        assert_hold(plan, 20)
        assert {"toxicity.platelets_interrupt", "toxicity.anc_interrupt"} <= set(ids(findings))
        assert "30,000" in plan.resume.when and "1,000" in plan.resume.when

    def test_count_that_also_fell_during_the_hold_must_recover_too(self):
        events = [*START_25, ev("2026-11-01", "hold", reason="thrombocytopenia")]
        labs = [*counts(20_000, 800, "2026-11-05"), *counts(60_000, 900)]
        plan, _ = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
        assert_hold(plan, 20)
        labs = [*counts(20_000, 800, "2026-11-05"), *counts(60_000, 1_000)]
        plan, _ = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
        assert_resume(plan, 20)

    def test_anc_fall_during_a_platelet_hold_makes_the_next_neutropenia_a_later_fall(self):
        # Facts §3 Table 1: "each later fall < 1,000 → next lower dose". The ANC was 800 during
        # the thrombocytopenia hold, so the neutropenia hold is its second fall: 20 → 15 mg,
        # not a restart at the dose before (first-fall rule).
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-10-04", "resume", 20),
            ev("2026-11-10", "hold", reason="neutropenia"),
        ]
        labs = [
            *counts(25_000, 1_800, "2026-09-20"),
            *counts(28_000, 800, "2026-09-27"),
            *counts(45_000, 1_300, "2026-10-03"),
            *counts(95_000, 700, "2026-11-10"),
            *counts(120_000, 1_200),
        ]
        plan, findings = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
        assert_resume(plan, 15)
        assert plan.rule == "dose_modification.mm_combination.anc.later_fall"
        assert "fall number 2" in plan.reason
        assert "dosing.anc_restart_dose_choice" not in ids(findings)

    def test_anc_normal_during_the_platelet_hold_keeps_the_first_fall(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-10-04", "resume", 20),
            ev("2026-11-10", "hold", reason="neutropenia"),
        ]
        labs = [
            *counts(25_000, 1_800, "2026-09-20"),
            *counts(28_000, 1_000, "2026-09-27"),
            *counts(45_000, 1_300, "2026-10-03"),
            *counts(95_000, 700, "2026-11-10"),
            *counts(120_000, 1_200),
        ]
        plan, _ = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
        assert_resume(plan, 20)
        assert plan.rule == "dose_modification.mm_combination.anc.first_fall_only_toxicity"

    def test_anc_fall_on_an_active_course_after_an_earlier_anc_fall_in_a_platelet_hold(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-10-04", "resume", 20),
        ]
        labs = [*counts(25_000, 900, "2026-09-20"), *counts(120_000, 800)]
        plan, _ = decide("mm_combination", events, labs, other_toxicity={"grade": 0})
        assert_hold(plan, 15)
        assert plan.rule == "dose_modification.mm_combination.anc.later_fall"

    def test_a_platelet_fall_in_the_same_hold_is_other_toxicity_for_the_anc_row(self):
        # Neutropenia was not the only toxicity: no "depends on other toxicity" warning, and
        # the ANC row restarts one step lower (the platelet row gives the same dose).
        events = [*START_25, ev("2026-11-01", "hold", reason="thrombocytopenia")]
        labs = [*counts(20_000, 800, "2026-11-05"), *counts(60_000, 1_200)]
        plan, findings = decide("mm_combination", events, labs)
        assert_resume(plan, 20)
        assert "dosing.anc_restart_dose_choice" not in ids(findings)
        assert "the ANC also fell during the interruption" in plan.reason
        plan, findings = decide("mm_combination", START_25, counts(20_000, 800))
        assert_hold(plan, 20)
        assert "dosing.anc_restart_dose_choice" not in ids(findings)

    def test_start_dose_above_the_dose_before_says_so_not_other_toxicity(self):
        events = [
            ev("2026-09-01", "start", 25),
            ev("2026-09-20", "hold", reason="thrombocytopenia"),
            ev("2026-09-27", "resume", 20),
            ev("2026-11-01", "hold", reason="neutropenia"),
        ]
        _, findings = decide(
            "mm_combination", events, counts(150_000, 1_500), other_toxicity={"grade": 0}
        )
        choice = next(f for f in findings if f.id == "dosing.anc_restart_dose_choice")
        assert "other toxicity" not in choice.summary
        assert "25 mg" in choice.detail and "20 mg" in choice.detail

    def test_escalated_renal_course_first_anc_fall_restarts_at_the_initial_10_mg(self):
        # Facts §2: CrCl 30–60 start 10 mg, may rise to 15 mg after 2 cycles; facts §3: first
        # ANC fall, neutropenia only → "25 mg daily or the initial starting dose" = 10 mg.
        events = [
            ev("2026-07-01", "start", 10),
            ev("2026-08-26", "dose_change", 15),
            ev("2026-11-10", "hold", reason="neutropenia"),
        ]
        plan, _ = decide(
            "mm_combination", events, counts(150_000, 1_000), other_toxicity={"grade": 0}
        )
        assert_resume(plan, 10)
        assert "initial starting dose" in plan.reason

    @pytest.mark.parametrize(
        ("current", "expected"), [(25, 20), (20, 15), (15, 10), (10, 5), (5, 2.5)]
    )
    def test_ladder_next_lower_dose(self, current, expected):
        events = [ev("2026-10-01", "start", current)]
        plan, _ = decide("mm_combination", events, counts(10_000, 2_000))
        assert_hold(plan, expected, (1, 21))

    def test_floor_2_5_mg_fall_holds_without_a_lower_dose(self):
        events = [ev("2026-10-01", "start", 2.5)]
        plan, findings = decide("mm_combination", events, counts(10_000, 2_000))
        assert_hold(plan, None)
        floor = next(f for f in findings if f.id == "dosing.floor_reached")
        assert floor.severity is Severity.CRITICAL
        assert "2.5 mg" in floor.summary
        assert "prescriber" in plan.resume.when

    def test_floor_recovered_still_waits_for_the_prescriber(self):
        events = [ev("2026-10-01", "start", 2.5), ev("2026-11-01", "hold", reason="neutropenia")]
        plan, findings = decide("mm_combination", events, counts(150_000, 2_000))
        assert_hold(plan, None)
        assert "dosing.floor_reached" in ids(findings)

    def test_floor_with_good_counts_continues_with_an_info(self):
        events = [ev("2026-10-01", "start", 2.5)]
        plan, findings = decide("mm_combination", events, counts(150_000, 2_000))
        assert_continue(plan, 2.5)
        assert "dosing.at_lowest_dose" in ids(findings)


# --- mm_maintenance, Table 2 [ANC secondary, platelets unverified] ----------------------------

MAINT = [ev("2026-10-01", "start", 10)]


class TestMaintenance:
    def test_anc_below_500_interrupt_next_lower_continuous(self):
        plan, _ = decide("mm_maintenance", MAINT, counts(150_000, 499))
        assert_hold(plan, 5, (1, 28))
        assert plan.status is Status.SECONDARY

    def test_anc_at_500_no_change(self):
        plan, _ = decide("mm_maintenance", MAINT, counts(150_000, 500))
        assert_continue(plan, 10, (1, 28))

    def test_anc_recovered_to_500_resume(self):
        events = [*MAINT, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide("mm_maintenance", events, counts(150_000, 500))
        assert_resume(plan, 5, (1, 28))
        assert plan.status is Status.SECONDARY

    def test_anc_at_499_stays_held(self):
        events = [*MAINT, ev("2026-11-01", "hold", reason="neutropenia")]
        plan, _ = decide("mm_maintenance", events, counts(150_000, 499))
        assert_hold(plan, 5)

    def test_platelets_below_30000_interrupt_unverified(self):
        plan, _ = decide("mm_maintenance", MAINT, counts(29_999, 2_000))
        assert_hold(plan, 5, (1, 28))
        assert plan.status is Status.UNVERIFIED

    def test_platelets_at_30000_continue(self):
        plan, _ = decide("mm_maintenance", MAINT, counts(30_000, 2_000))
        assert_continue(plan, 10)

    def test_platelets_recovered_to_30000_resume_and_29999_not(self):
        events = [*MAINT, ev("2026-11-01", "hold", reason="thrombocytopenia")]
        plan, _ = decide("mm_maintenance", events, counts(30_000, 2_000))
        assert_resume(plan, 5, (1, 28))
        plan, _ = decide("mm_maintenance", events, counts(29_999, 2_000))
        assert_hold(plan, 5)

    @pytest.mark.parametrize(
        ("dose", "days_on", "expected_dose", "expected_days"),
        [
            (15, None, 10, (1, 28)),
            (10, None, 5, (1, 28)),
            (5, None, 5, (1, 21)),
        ],
    )
    def test_ladder(self, dose, days_on, expected_dose, expected_days):
        start = ev("2026-10-01", "start", dose, **({"days_on": days_on} if days_on else {}))
        plan, _ = decide("mm_maintenance", [start], counts(150_000, 400))
        assert_hold(plan, expected_dose, expected_days)

    def test_floor_is_5_mg_on_days_1_to_21(self):
        start = ev("2026-10-01", "start", 5, days_on=[1, 21])
        plan, findings = decide("mm_maintenance", [start], counts(150_000, 400))
        assert_hold(plan, None)
        assert "dosing.floor_reached" in ids(findings)

    def test_floor_with_good_counts_continues_days_1_to_21(self):
        start = ev("2026-10-01", "start", 5, days_on=[1, 21])
        plan, _ = decide("mm_maintenance", [start], counts(150_000, 2_000))
        assert_continue(plan, 5, (1, 21))

    def test_escalation_info_after_3_cycles_on_10_mg(self):
        # 84 days = 3 cycles of 28 days completed on the assessment date
        plan, findings = decide("mm_maintenance", [ev("2026-08-28", "start", 10)], counts(1e5, 2e3))
        assert_continue(plan, 10)
        info = next(f for f in findings if f.id == "dosing.escalation_allowed")
        assert info.severity is Severity.INFO
        assert "15 mg" in info.summary

    def test_no_escalation_info_before_3_cycles(self):
        _, findings = decide("mm_maintenance", [ev("2026-08-29", "start", 10)], counts(1e5, 2e3))
        assert "dosing.escalation_allowed" not in ids(findings)


# --- mds_del5q, Tables 3–4 [unverified] -------------------------------------------------------

MDS_START = "2026-10-24"  # day 28 = 2026-11-20 (the assessment date)


def mds(labs, *, as_of=AS_OF, events=None, baseline=(120_000, 2_000), **extra):
    pre = counts(*baseline, date="2026-10-23") if baseline else []
    return decide(
        "mds_del5q",
        events or [ev(MDS_START, "start", 10)],
        [*pre, *labs],
        as_of=as_of,
        **extra,
    )


class TestMdsFirstFourWeeks:
    def test_day_28_is_within_the_first_4_weeks(self):
        plan, _ = mds(counts(49_999, 2_000, "2026-11-20"), as_of="2026-11-20")
        assert_hold(plan, 5)
        assert plan.rule == "dose_modification.mds_del5q.platelets.first_weeks.baseline_high"
        assert plan.status is Status.UNVERIFIED

    def test_day_29_is_after_the_first_4_weeks(self):
        plan, findings = mds(counts(49_999, 2_000, "2026-11-21"), as_of="2026-11-21")
        assert_continue(plan, 10)  # after 4 weeks the trigger is 30,000
        assert "toxicity.platelets_low_watch" in ids(findings)

    def test_baseline_100000_fall_below_50000(self):
        plan, _ = mds(counts(49_999, 2_000), baseline=(100_000, 2_000))
        assert_hold(plan, 5)
        assert plan.rule.endswith("platelets.first_weeks.baseline_high")
        plan, _ = mds(counts(50_000, 2_000), baseline=(100_000, 2_000))
        assert_continue(plan, 10)

    def test_baseline_under_100000_fall_to_half_of_baseline(self):
        plan, _ = mds(counts(40_000, 2_000), baseline=(80_000, 2_000))
        assert_hold(plan, 5)
        assert plan.rule.endswith("platelets.first_weeks.baseline_mid")
        plan, _ = mds(counts(40_001, 2_000), baseline=(80_000, 2_000))
        assert_continue(plan, 10)

    def test_baseline_99999_uses_the_half_of_baseline_row(self):
        plan, _ = mds(counts(49_999, 2_000), baseline=(99_999, 2_000))
        assert plan.rule.endswith("platelets.first_weeks.baseline_mid")

    def _held(self, baseline_platelets, platelets):
        events = [ev(MDS_START, "start", 10), ev("2026-11-10", "hold", reason="thrombocytopenia")]
        return mds(counts(platelets, 2_000), events=events, baseline=(baseline_platelets, 2_000))

    def test_baseline_60000_resumes_at_50000_not_49999(self):
        assert_resume(self._held(60_000, 50_000)[0], 5, (1, 28))
        assert_hold(self._held(60_000, 49_999)[0], 5)

    def test_baseline_59999_resumes_at_30000_not_29999(self):
        assert_resume(self._held(59_999, 30_000)[0], 5)
        assert_hold(self._held(59_999, 29_999)[0], 5)

    def test_baseline_100000_resumes_at_50000(self):
        assert_resume(self._held(100_000, 50_000)[0], 5)
        assert_hold(self._held(100_000, 49_999)[0], 5)

    def test_anc_baseline_1000_fall_below_750(self):
        plan, _ = mds(counts(150_000, 749), baseline=(150_000, 1_000))
        assert_hold(plan, 5)
        assert plan.rule.endswith("anc.first_weeks.baseline_high")
        plan, _ = mds(counts(150_000, 750), baseline=(150_000, 1_000))
        assert_continue(plan, 10)

    def test_anc_baseline_999_fall_below_500(self):
        plan, _ = mds(counts(150_000, 499), baseline=(150_000, 999))
        assert_hold(plan, 5)
        assert plan.rule.endswith("anc.first_weeks.baseline_low")
        plan, _ = mds(counts(150_000, 500), baseline=(150_000, 999))
        assert_continue(plan, 10)

    def _held_anc(self, baseline_anc, anc):
        events = [ev(MDS_START, "start", 10), ev("2026-11-10", "hold", reason="neutropenia")]
        return mds(counts(150_000, anc), events=events, baseline=(150_000, baseline_anc))[0]

    def test_anc_baseline_1000_resumes_at_1000_not_999(self):
        assert_resume(self._held_anc(1_000, 1_000), 5)
        assert_hold(self._held_anc(1_000, 999), 5)

    def test_anc_baseline_999_resumes_at_500_not_499(self):
        assert_resume(self._held_anc(999, 500), 5)
        assert_hold(self._held_anc(999, 499), 5)

    def test_unknown_baseline_uses_the_cautious_row_and_asks_for_it(self):
        plan, findings = mds(counts(49_999, 749), baseline=None)
        assert_hold(plan, 5)
        assert {"input.platelets_baseline_needed", "input.anc_baseline_needed"} <= set(
            ids(findings)
        )

    def test_baseline_is_the_latest_count_on_or_before_the_start(self):
        labs = [
            *counts(40_000, 2_000, "2026-10-01"),
            *counts(120_000, 2_000, "2026-10-24"),
            *counts(45_000, 2_000),
        ]
        plan, _ = decide("mds_del5q", [ev(MDS_START, "start", 10)], labs)
        assert plan.rule.endswith("platelets.first_weeks.baseline_high")
        assert "baseline 120,000/mcL on 2026-10-24" in plan.reason  # the clinician can check it
        # With the earliest count (40,000) as baseline, 45,000 would not even be a fall.

    def test_half_of_baseline_row_names_the_baseline_date(self):
        plan, _ = mds(counts(40_000, 2_000), baseline=(80_000, 2_000))
        assert_hold(plan, 5)
        assert "0.5 × the baseline of 80,000/mcL" in plan.reason
        assert "baseline dated 2026-10-23" in plan.reason


LATE = [ev("2026-08-01", "start", 10)]


class TestMdsAfterFourWeeksAndOnFiveMg:
    def test_platelets_below_30000(self):
        plan, _ = mds(counts(29_999, 2_000), events=LATE)
        assert_hold(plan, 5)
        assert plan.rule == "dose_modification.mds_del5q.platelets.later"
        plan, _ = mds(counts(30_000, 2_000), events=LATE)
        assert_continue(plan, 10)

    def test_platelets_below_50000_with_platelet_transfusions(self):
        transfused = [{"date": "2026-11-10", "kind": "platelets", "units": 1}]
        plan, _ = mds(counts(49_999, 2_000), events=LATE, transfusions=transfused)
        assert_hold(plan, 5)
        plan, _ = mds(counts(50_000, 2_000), events=LATE, transfusions=transfused)
        assert_continue(plan, 10)

    def test_red_cell_transfusions_do_not_count(self):
        transfused = [{"date": "2026-11-10", "kind": "rbc", "units": 2}]
        plan, _ = mds(counts(49_999, 2_000), events=LATE, transfusions=transfused)
        assert_continue(plan, 10)

    def _held(self, platelets, **extra):
        events = [*LATE, ev("2026-11-10", "hold", reason="thrombocytopenia")]
        return mds(counts(platelets, 2_000), events=events, **extra)

    def test_resume_at_30000_without_hemostatic_failure(self):
        assert_resume(self._held(30_000)[0], 5)
        assert_hold(self._held(29_999)[0], 5)

    def test_bleeding_blocks_the_restart(self):
        plan, findings = self._held(30_000, symptoms=["bleeding"])
        assert_hold(plan, 5)
        assert "toxicity.platelets_bleeding_on_recovery" in ids(findings)

    def test_anc_below_500_for_7_days(self):
        labs = [lab("anc", 450, "/uL", date="2026-11-11"), *counts(150_000, 499)]
        plan, _ = mds(labs, events=LATE)
        assert_hold(plan, 5)
        assert plan.rule == "dose_modification.mds_del5q.anc.later"

    def test_anc_below_500_for_6_days_is_watched(self):
        labs = [lab("anc", 450, "/uL", date="2026-11-12"), *counts(150_000, 499)]
        plan, findings = mds(labs, events=LATE)
        assert_continue(plan, 10)
        watch = next(f for f in findings if f.id == "toxicity.anc_low_watch")
        assert "2026-11-19" in watch.detail  # 7 days after the first low count

    def test_a_normal_count_breaks_the_7_day_run(self):
        labs = [
            lab("anc", 450, "/uL", date="2026-11-08"),
            lab("anc", 600, "/uL", date="2026-11-12"),
            *counts(150_000, 499),
        ]
        plan, _ = mds(labs, events=LATE)
        assert_continue(plan, 10)

    def test_anc_below_500_with_fever(self):
        plan, findings = mds(counts(150_000, 499), events=LATE, symptoms=["fever"])
        assert_hold(plan, 5)
        fever = next(f for f in findings if f.id == "toxicity.anc_fever_assumed")
        assert "38.5" in fever.summary

    def test_anc_500_with_fever_does_not_interrupt(self):
        plan, _ = mds(counts(150_000, 500), events=LATE, symptoms=["fever"])
        assert_continue(plan, 10)

    def test_anc_resume_at_500_not_499(self):
        events = [*LATE, ev("2026-11-10", "hold", reason="neutropenia")]
        assert_resume(mds(counts(150_000, 500), events=events)[0], 5)
        assert_hold(mds(counts(150_000, 499), events=events)[0], 5)

    def test_on_5_mg_same_triggers_restart_at_2_5_mg(self):
        events = [
            *LATE,
            ev("2026-09-01", "hold", reason="thrombocytopenia"),
            ev("2026-09-15", "resume", 5),
        ]
        plan, _ = mds(counts(29_999, 2_000), events=events)
        assert_hold(plan, 2.5)
        plan, _ = mds(counts(30_000, 2_000), events=events)
        assert_continue(plan, 5)
        plan, _ = mds(counts(150_000, 499), events=events, symptoms=["fever"])
        assert_hold(plan, 2.5)

    def test_renal_start_on_5_mg_uses_the_later_rows_from_day_1(self):
        events = [ev("2026-11-10", "start", 5)]
        plan, _ = mds(counts(45_000, 2_000), events=events, baseline=(150_000, 2_000))
        assert_continue(plan, 5)  # the first-weeks rows are for 10 mg only
        plan, _ = mds(counts(29_999, 2_000), events=events, baseline=(150_000, 2_000))
        assert_hold(plan, 2.5)

    def test_on_2_5_mg_no_lower_dose(self):
        events = [ev("2026-10-01", "start", 2.5)]
        plan, findings = mds(counts(29_999, 2_000), events=events)
        assert_hold(plan, None)
        assert "dosing.floor_reached" in ids(findings)


# --- mcl §2.3, fl / mzl §2.4 [unverified] ------------------------------------------------------


def lymphoma_labs(platelets, anc, *, earlier_anc=None, earlier_date=None):
    labs = counts(platelets, anc)
    if earlier_anc is not None:
        labs.insert(0, lab("anc", earlier_anc, "/uL", date=earlier_date))
    return labs


@pytest.mark.parametrize(
    ("indication", "start", "next_lower"), [("mcl", 25, 20), ("fl", 20, 15), ("mzl", 20, 15)]
)
class TestLymphoma:
    def test_platelets_below_50000(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start)]
        plan, _ = decide(indication, events, counts(49_999, 2_000))
        assert_hold(plan, next_lower, (1, 21))
        assert plan.status is Status.UNVERIFIED
        plan, _ = decide(indication, events, counts(50_000, 2_000))
        assert_continue(plan, start)

    def test_platelets_resume_at_50000_not_49999(self, indication, start, next_lower):
        events = [
            ev("2026-10-01", "start", start),
            ev("2026-11-01", "hold", reason="thrombocytopenia"),
        ]
        assert_resume(decide(indication, events, counts(50_000, 2_000))[0], next_lower)
        assert_hold(decide(indication, events, counts(49_999, 2_000))[0], next_lower)

    def test_anc_below_500_interrupts_at_once(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start)]
        assert_hold(decide(indication, events, counts(150_000, 499))[0], next_lower)

    def test_anc_500_to_999_once_without_fever_is_watched(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start)]
        plan, findings = decide(indication, events, counts(150_000, 500))
        assert_continue(plan, start)
        assert "toxicity.anc_low_watch" in ids(findings)

    def test_anc_below_1000_with_fever(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start)]
        plan, _ = decide(indication, events, counts(150_000, 999), symptoms=["fever"])
        assert_hold(plan, next_lower)
        plan, _ = decide(indication, events, counts(150_000, 1_000), symptoms=["fever"])
        assert_continue(plan, start)

    def test_anc_below_1000_for_7_days(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start)]
        seven = lymphoma_labs(150_000, 999, earlier_anc=900, earlier_date="2026-11-11")
        assert_hold(decide(indication, events, seven)[0], next_lower)
        six = lymphoma_labs(150_000, 999, earlier_anc=900, earlier_date="2026-11-12")
        assert_continue(decide(indication, events, six)[0], start)

    def test_anc_resume_at_1000_not_999(self, indication, start, next_lower):
        events = [ev("2026-10-01", "start", start), ev("2026-11-01", "hold", reason="neutropenia")]
        assert_resume(decide(indication, events, counts(150_000, 1_000))[0], next_lower)
        assert_hold(decide(indication, events, counts(150_000, 999))[0], next_lower)


@pytest.mark.parametrize(
    ("current", "expected"), [(25, 20), (20, 15), (15, 10), (10, 5), (5, None)]
)
def test_mcl_ladder_floor_5_mg(current, expected):
    plan, _ = decide("mcl", [ev("2026-10-01", "start", current)], counts(10_000, 2_000))
    assert_hold(plan, expected)


@pytest.mark.parametrize("indication", ["fl", "mzl"])
@pytest.mark.parametrize(
    ("start", "current", "expected"),
    [
        (20, 20, 15),
        (20, 15, 10),
        (20, 10, 5),
        (20, 5, None),  # floor 5 mg from a 20 mg start
        (10, 10, 5),
        (10, 5, 2.5),
        (10, 2.5, None),  # floor 2.5 mg from a 10 mg (renal) start
    ],
)
def test_fl_mzl_ladders(indication, start, current, expected):
    events = [ev("2026-09-01", "start", start)]
    if current != start:
        events.append(ev("2026-10-01", "dose_change", current))
    plan, _ = decide(indication, events, counts(10_000, 2_000))
    assert_hold(plan, expected)


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_fl_mzl_course_complete_after_12_cycles(indication):
    # 12 × 28 = 336 days before 2026-11-20 is 2025-12-19
    plan, _ = decide(indication, [ev("2025-12-19", "start", 20)], counts(150_000, 2_000))
    assert plan.action is DoseAction.STOP
    assert plan.dose_mg is None
    assert "12 cycles" in plan.reason
    plan, findings = decide(indication, [ev("2025-12-20", "start", 20)], counts(150_000, 2_000))
    assert_continue(plan, 20)
    assert "dosing.last_cycle" in ids(findings)


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_fl_mzl_cycles_spent_on_hold_are_named_when_the_course_ends(indication):
    # Facts §1: FL/MZL up to 12 cycles of 28 days. A hold from 2026-03-01 to 2026-04-20 covers
    # all dosing days (1–21) of cycle 4 (2026-03-13 to 2026-04-02) of a 2025-12-19 course.
    events = [
        ev("2025-12-19", "start", 20),
        ev("2026-03-01", "hold", reason="neutropenia"),
        ev("2026-04-20", "resume", 15),
    ]
    plan, findings = decide(indication, events, counts(150_000, 2_000))
    assert plan.action is DoseAction.STOP
    missed = next(f for f in findings if f.id == "dosing.cycles_without_lenalidomide")
    assert missed.inputs["cycles_without_lenalidomide"] == [4]
    assert "at most 11" in missed.detail
    assert "12 cycles of 28 days have passed" in plan.reason
    # A shorter hold (resumed on day 21 of cycle 4) leaves a dosing day: nothing to name.
    events[-1] = ev("2026-04-02", "resume", 15)
    _, findings = decide(indication, events, counts(150_000, 2_000))
    assert "dosing.cycles_without_lenalidomide" not in ids(findings)


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_fl_mzl_cycles_of_an_earlier_course_are_named(indication):
    # Earlier course 2025-06-01 → 2025-10-01: 122 days, 5 cycles begun. This course started
    # 2026-05-01 and is in cycle 8 on 2026-11-20: 5 + 8 = 13 > 12.
    events = [
        ev("2025-06-01", "start", 20),
        ev("2025-10-01", "stop"),
        ev("2026-05-01", "start", 20),
    ]
    plan, findings = decide(indication, events, counts(150_000, 2_000))
    assert_continue(plan, 20)
    earlier = next(f for f in findings if f.id == "dosing.earlier_courses_count")
    assert earlier.inputs == {"earlier_cycles": 5, "cycles_completed": 7}
    assert "cycle 13" in earlier.summary
    # Restarted later (cycle 7 now): 5 + 7 = 12, still within the 12 cycles.
    events[-1] = ev("2026-05-29", "start", 20)
    _, findings = decide(indication, events, counts(150_000, 2_000))
    assert "dosing.earlier_courses_count" not in ids(findings)


def test_fl_escalated_renal_course_is_not_above_the_table():
    # Facts §2: FL 10 mg renal start may rise to 15 mg after 2 cycles; §3: 5 mg lower → 10.
    events = [ev("2026-07-01", "start", 10), ev("2026-08-26", "dose_change", 15)]
    plan, findings = decide("fl", events, counts(150_000, 2_000))
    assert_continue(plan, 15)
    assert "dosing.dose_above_table" not in ids(findings)
    plan, _ = decide("fl", events, counts(49_999, 2_000))
    assert_hold(plan, 10)


def test_a_low_count_that_did_not_fall_is_watched_during_a_hold():
    # MCL held for platelets; ANC 800 once, no fever: not an interruption row (facts §3 MCL
    # needs < 1,000 for 7 days, with fever, or < 500), but the restart should say to watch it.
    events = [ev("2026-10-01", "start", 25), ev("2026-11-10", "hold", reason="thrombocytopenia")]
    plan, findings = decide("mcl", events, counts(60_000, 800))
    assert_resume(plan, 20)
    assert "toxicity.anc_low_watch" in ids(findings)
    assert "toxicity.platelets_low_watch" not in ids(findings)


# --- inputs -----------------------------------------------------------------------------------


def test_counts_older_than_the_last_event_ask_for_a_cbc():
    events = [ev("2026-10-01", "start", 25), ev("2026-11-19", "dose_change", 20)]
    plan, findings = decide("mm_combination", events, counts(10_000, 2_000))
    assert_continue(plan, 20)
    assert "input.cbc_needed" in ids(findings)


def test_no_count_since_the_hold_keeps_the_hold_and_asks_for_a_cbc():
    events = [*START_25, ev("2026-11-19", "hold", reason="thrombocytopenia")]
    plan, findings = decide("mm_combination", events, counts(150_000, 2_000))
    assert_hold(plan, 20)
    assert "input.cbc_needed" in ids(findings)


def test_count_on_the_hold_date_is_current():
    events = [*START_25, ev("2026-11-18", "hold", reason="thrombocytopenia")]
    plan, _ = decide("mm_combination", events, counts(35_000, 2_000))
    assert_resume(plan, 20)


def test_stopped_course_stays_stopped():
    events = [*START_25, ev("2026-11-01", "stop")]
    plan, _ = decide("mm_combination", events, counts(150_000, 2_000))
    assert plan.action is DoseAction.STOP
    assert plan.dose_mg is None


@pytest.mark.parametrize(
    ("indication", "dose", "restart"),
    [
        # Facts §2: CrCl < 30 (MM, MCL) 15 mg every 48 h. Facts §3 floors: MM never below
        # 2.5 mg daily, MCL never below 5 mg daily. 5 mg every 48 h is half of 5 mg daily.
        ("mm_combination", 10, 5),
        ("mm_combination", 5, None),
        ("mcl", 15, 10),
        ("mcl", 10, None),
    ],
)
def test_every_48_hour_reductions_never_go_below_the_daily_floor(indication, dose, restart):
    events = [
        ev("2026-09-01", "start", 15, frequency="every_48h"),
        ev("2026-10-01", "dose_change", dose, frequency="every_48h"),
    ]
    plan, findings = decide(indication, events, counts(10_000, 2_000))
    assert_hold(plan, restart)
    assert plan.resume.frequency.value == "every_48h"
    if restart is None:
        floor = next(f for f in findings if f.id == "dosing.floor_reached")
        assert "once daily" in floor.summary  # the floor is a daily dose


def test_every_48_hour_course_keeps_its_frequency_and_says_so():
    events = [ev("2026-10-01", "start", 15, frequency="every_48h")]
    plan, findings = decide("mm_combination", events, counts(10_000, 2_000))
    assert_hold(plan, 10)
    assert plan.resume.frequency.value == "every_48h"
    assert "dosing.reduction_steps_for_daily_dosing" in ids(findings)


def test_not_started_is_refused():
    case = make_case()
    with pytest.raises(ValueError, match="started"):
        ongoing_dose(case, default_knowledge())


# --- the dosemod-* example case files ----------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# file → (action, dose to give now, restart dose on hold, status), from each file's header.
EXPECTED_EXAMPLES = {
    "dosemod-mm-platelets-hold.yaml": ("hold", None, 20, Status.LABEL),
    "dosemod-mm-platelets-resume.yaml": ("resume", 20, None, Status.LABEL),
    "dosemod-mm-anc-resume-start-dose.yaml": ("resume", 25, None, Status.LABEL),
    "dosemod-mm-anc-other-toxicity.yaml": ("resume", 20, None, Status.LABEL),
    "dosemod-mm-floor.yaml": ("hold", None, None, Status.LABEL),
    "dosemod-maintenance-anc.yaml": ("hold", None, 5, Status.SECONDARY),
    "dosemod-maintenance-floor.yaml": ("hold", None, None, Status.SECONDARY),
    "dosemod-mds-early-platelets.yaml": ("hold", None, 5, Status.UNVERIFIED),
    "dosemod-mds-late-anc.yaml": ("hold", None, 5, Status.UNVERIFIED),
    "dosemod-mcl-platelets.yaml": ("resume", 15, None, Status.UNVERIFIED),
    "dosemod-fl-anc-fever.yaml": ("hold", None, 15, Status.UNVERIFIED),
    "dosemod-fl-course-complete.yaml": ("stop", None, None, Status.LABEL),
    "dosemod-rash-stop.yaml": ("stop", None, None, Status.LABEL_OLD),
    "dosemod-grade3-hold.yaml": ("hold", None, 20, Status.LABEL_OLD),
    "dosemod-tumor-flare.yaml": ("hold", None, 20, Status.UNVERIFIED),
    "dosemod-mm-anc-later-fall.yaml": ("resume", 15, None, Status.LABEL),
    "dosemod-mcl-every-48h-floor.yaml": ("hold", None, None, Status.UNVERIFIED),
}


def test_every_dosemod_example_is_listed():
    assert {path.name for path in EXAMPLES.glob("dosemod-*.yaml")} == set(EXPECTED_EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXPECTED_EXAMPLES))
def test_dosemod_example(name):
    action, dose, restart, status = EXPECTED_EXAMPLES[name]
    case = Case.from_data(yaml.safe_load((EXAMPLES / name).read_text()), default_knowledge())
    plan, _ = ongoing_dose(case, default_knowledge())
    assert plan.action.value == action
    assert plan.dose_mg == dose
    assert (plan.resume.dose_mg if plan.resume else None) == restart
    assert plan.status is status


def test_a_dose_already_below_the_floor_gets_no_restart_proposal():
    """Found by the floor property: a prescriber resumed at 2.5 mg every 48 hours (below the
    label's lowest dose, 2.5 mg daily); after the next fall lenaguard proposes no dose."""
    from lenaguard.rules.dose.ongoing_dose import ongoing_dose

    case = make_case(
        indication="mm_combination",
        as_of="2026-01-04",
        therapy={
            "events": [
                {"date": "2026-01-01", "event": "start", "dose_mg": 15, "frequency": "every_48h"},
                {"date": "2026-01-02", "event": "hold", "reason": "thrombocytopenia"},
                {"date": "2026-01-03", "event": "resume", "dose_mg": 2.5, "frequency": "every_48h"},
                {"date": "2026-01-04", "event": "hold", "reason": "neutropenia"},
            ],
            "other_toxicity": {"grade": 0, "kind": "other"},
        },
        labs=[
            {"test": "platelets", "value": 120000, "unit": "/uL", "date": "2026-01-04"},
            {"test": "anc", "value": 1500, "unit": "/uL", "date": "2026-01-04"},
        ],
    )
    plan, _ = ongoing_dose(case, default_knowledge())
    proposed = plan.dose_mg if plan.action.gives_drug else plan.resume and plan.resume.dose_mg
    assert proposed is None
