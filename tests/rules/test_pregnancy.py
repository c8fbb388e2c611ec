"""Pregnancy prevention for a case: categories, pregnancy-test windows, pregnancy, males.

Expected values come from the facts file (§5): first test 10-14 days before prescribing, the
second within 24 hours (lenaguard: the prescribing day or the day before); sensitivity at least
50 mIU/mL (an assay detecting 50 or less counts; 51 does not); weekly for the first 4 weeks,
then every 4 weeks (regular menses) or 2 weeks (irregular or unknown); contraception from 4
weeks before to 4 weeks after; MedWatch 1-800-FDA-1088, manufacturer 1-888-423-5436.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lenaguard.caseio import CaseError, case_from_data
from lenaguard.knowledge import Status, default_knowledge
from lenaguard.rules.base.course import current_course
from lenaguard.rules.safety.pregnancy import PregnancyOutcome, evaluate
from lenaguard.vocab import Category, Severity
from tests.factories import case_data, make_case, one_per_test_and_day
from tests.rules.pregnancy_cases import (
    AS_OF,
    FRP_HISTORY,
    KB,
    active,
    blocking,
    day,
    female,
    get,
    ids,
    preg,
    run,
)

# ---------------------------------------------------------------- categories on a case


def test_adult_frp_category_and_basis():
    outcome = run(female([preg(day(-12)), preg(day(0))]))
    assert outcome.rems_category == "adult_female_reproductive_potential"
    assert outcome.reproductive_potential is True
    assert outcome.reproductive_potential_presumed is False
    assert any("hysterectomy: no" in item for item in outcome.rems_category_basis)
    assert get(outcome, "pregnancy.rems_category").status is Status.UNVERIFIED


def test_adult_female_not_of_reproductive_potential_needs_no_pregnancy_tests():
    history = {**FRP_HISTORY, "months_since_last_menses": 24}
    outcome = run(female(reproductive=history, age=62))
    assert outcome.rems_category == "adult_female_not_reproductive_potential"
    assert not blocking(outcome)
    assert outcome.monitoring == []
    assert not any("test" in fid for fid in ids(outcome))
    assert "pregnancy.contraception" not in ids(outcome)


def test_23_months_without_menses_is_still_reproductive_potential():
    history = {**FRP_HISTORY, "months_since_last_menses": 23}
    outcome = run(female(reproductive=history, age=52))
    assert outcome.rems_category == "adult_female_reproductive_potential"
    assert "pregnancy.first_test_missing" in blocking(outcome)


def test_unknown_history_is_treated_as_frp_and_says_what_would_change_it():
    outcome = run(female(reproductive=None, age=58))
    assert outcome.rems_category == "adult_female_reproductive_potential"
    assert outcome.reproductive_potential_presumed is True
    warning = get(outcome, "pregnancy.reproductive_history_unknown")
    assert warning.severity is Severity.WARNING and not warning.blocking
    for field in ("hysterectomy", "bilateral_oophorectomy", "months_since_last_menses"):
        assert f"patient.reproductive.{field}" in warning.detail
    assert "24" in warning.detail
    assert "pregnancy.first_test_missing" in blocking(outcome)


def test_adult_male_category():
    outcome = run({"patient": {"sex": "male", "age_years": 50}})
    assert outcome.rems_category == "adult_male"
    assert outcome.reproductive_potential is None


# ---------------------------------------------------------------- first test window (10-14 days)


def test_first_test_14_days_before_and_second_on_the_day_is_ready():
    outcome = run(female([preg(day(-14), sensitivity=25), preg(day(0), sensitivity=25)]))
    assert not blocking(outcome)
    done = get(outcome, "pregnancy.pretreatment_tests_complete")
    assert done.severity is Severity.INFO
    assert done.status is Status.LABEL


def test_first_test_10_days_before_is_ready():
    outcome = run(female([preg(day(-10), sensitivity=25), preg(day(0), sensitivity=25)]))
    assert not blocking(outcome)


def test_first_test_9_days_before_is_too_late_and_gives_the_earliest_start():
    outcome = run(female([preg(day(-9), sensitivity=25), preg(day(0), sensitivity=25)]))
    assert blocking(outcome) == {"pregnancy.first_test_missing"}
    finding = get(outcome, "pregnancy.first_test_missing")
    assert finding.severity is Severity.CRITICAL
    assert "2026-11-06 to 2026-11-10" in finding.detail
    # the test of 2026-11-11 can be the first test for a prescription from 2026-11-21 to 11-25
    assert "earliest prescribing date now 2026-11-21" in finding.summary
    assert "from 2026-11-21 to 2026-11-25" in finding.detail
    assert [(m.due.isoformat(), m.test) for m in outcome.monitoring] == [
        ("2026-11-21", "pregnancy_test")
    ]


def test_first_test_15_days_before_is_too_early_and_a_new_first_test_is_due_today():
    outcome = run(female([preg(day(-15), sensitivity=25), preg(day(0), sensitivity=25)]))
    assert "pregnancy.first_test_missing" in blocking(outcome)
    finding = get(outcome, "pregnancy.first_test_missing")
    # the test of today becomes the first one: prescribing from 2026-11-30 to 2026-12-04
    assert "earliest prescribing date now 2026-11-30" in finding.summary
    assert "from 2026-11-30 to 2026-12-04" in finding.detail


def test_no_tests_at_all_first_test_today_second_in_10_days():
    outcome = run(female([]))
    assert "pregnancy.first_test_missing" in blocking(outcome)
    assert [m.due.isoformat() for m in outcome.monitoring] == ["2026-11-20", "2026-11-30"]
    assert all(m.test == "pregnancy_test" for m in outcome.monitoring)
    finding = get(outcome, "pregnancy.first_test_missing")
    assert "from 2026-11-30 to 2026-12-04" in finding.detail


# ---------------------------------------------------------------- second test (24 hours)


def test_second_test_missing_says_which_dates():
    outcome = run(female([preg(day(-12), sensitivity=25)]))
    assert blocking(outcome) == {"pregnancy.second_test_missing"}
    finding = get(outcome, "pregnancy.second_test_missing")
    assert finding.severity is Severity.CRITICAL
    assert "needed on 2026-11-20 or 2026-11-19" in finding.summary
    assert "within 24 hours before prescribing" in finding.summary
    # the first test (2026-11-08) carries a prescription up to 14 days after it
    assert "2026-11-22" in finding.detail
    assert [m.due.isoformat() for m in outcome.monitoring] == ["2026-11-20"]


def test_second_test_the_day_before_counts_but_asks_to_confirm_the_hour():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(-1), sensitivity=25)]))
    assert not blocking(outcome)
    done = get(outcome, "pregnancy.pretreatment_tests_complete")
    assert done.severity is Severity.WARNING
    assert "confirm" in done.detail


def test_second_test_two_days_before_does_not_count():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(-2), sensitivity=25)]))
    assert blocking(outcome) == {"pregnancy.second_test_missing"}


def test_ready_case_schedules_the_first_weekly_test():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]))
    assert [m.due.isoformat() for m in outcome.monitoring] == ["2026-11-27"]


# ---------------------------------------------------------------- sensitivity >= 50 mIU/mL


def test_an_assay_detecting_50_miu_ml_counts():
    outcome = run(female([preg(day(-12), sensitivity=50), preg(day(0), sensitivity=50)]))
    assert not blocking(outcome)
    assert "pregnancy.test_not_sensitive_enough" not in ids(outcome)


def test_an_assay_detecting_only_51_miu_ml_does_not_count():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(0), sensitivity=51)]))
    assert blocking(outcome) == {"pregnancy.second_test_missing"}
    warning = get(outcome, "pregnancy.test_not_sensitive_enough")
    assert warning.severity is Severity.WARNING
    assert warning.status is Status.LABEL_OLD
    assert "2026-11-20" in warning.detail and "51" in warning.detail


def test_an_insensitive_first_test_does_not_count_either():
    outcome = run(female([preg(day(-12), sensitivity=100), preg(day(0), sensitivity=20)]))
    assert "pregnancy.first_test_missing" in blocking(outcome)


def test_unstated_sensitivity_counts_and_asks_for_confirmation():
    outcome = run(female([preg(day(-12)), preg(day(0), sensitivity=25)]))
    assert not blocking(outcome)
    warning = get(outcome, "pregnancy.test_sensitivity_unknown")
    assert not warning.blocking
    assert "2026-11-08" in warning.detail
    assert "50" in warning.summary


# ---------------------------------------------------------------- pregnancy


def test_positive_test_before_start_is_a_contraindication():
    tests = [
        preg(day(-12), sensitivity=25),
        preg(day(-5), "positive"),
        preg(day(0), sensitivity=25),
    ]
    outcome = run(female(tests))
    finding = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert "2026-11-15" in finding.detail


def test_old_positive_test_followed_by_negatives_does_not_block():
    tests = [
        preg(day(-60), "positive"),
        preg(day(-12), sensitivity=25),
        preg(day(0), sensitivity=25),
    ]
    assert not blocking(run(female(tests)))


def test_a_positive_within_14_days_blocks_even_when_negatives_follow():
    later_negatives = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    inside = run(female([preg(day(-14), "positive"), *later_negatives]))
    assert "pregnancy.pregnancy_contraindicated" in blocking(inside)
    outside = run(female([preg(day(-15), "positive"), *later_negatives]))
    assert not blocking(outside)


@pytest.mark.parametrize(("positive_at", "negative_at"), [("08:00", "15:00"), ("15:00", "08:00")])
def test_a_positive_on_the_same_day_as_a_negative_wins(positive_at, negative_at):
    """Timed results on one day: a positive counts whether it came before or after a negative."""
    tests = [
        preg(day(-60), sensitivity=25),
        {**preg(day(-40), "positive"), "time": positive_at},
        {**preg(day(-40), sensitivity=25), "time": negative_at},
    ]
    outcome = run(female(tests))
    assert "pregnancy.pregnancy_contraindicated" in blocking(outcome)


def test_a_positive_and_a_negative_on_one_day_without_times_are_refused():
    tests = [preg(day(-60), sensitivity=25), preg(day(-40), "positive"), preg(day(-40))]
    with pytest.raises(CaseError) as raised:
        case_from_data(case_data(**female(tests)), today=AS_OF)
    assert [p.field for p in raised.value.problems] == ["labs.2"]
    assert "labs.1" in raised.value.problems[0].message


def test_pregnant_flag_is_contraindicated():
    tests = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    outcome = run(female(tests, conditions={"pregnant": True}))
    finding = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert finding.blocking and finding.status is Status.LABEL
    assert any(c.section.startswith("§4") for c in finding.citations)


def test_positive_test_on_therapy_stop_refer_report():
    tests = [preg(day(-20), sensitivity=25), preg(day(-1), "positive")]
    outcome = run(female(tests, therapy=active(-20)))
    finding = get(outcome, "pregnancy.pregnancy_on_therapy")
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert "stop" in finding.summary.lower()
    assert "obstetrician" in finding.detail
    assert "reproductive toxicity" in finding.detail
    assert "1-800-FDA-1088" in finding.detail
    assert "1-888-423-5436" in finding.detail
    assert finding.status is Status.LABEL


def test_pregnant_flag_on_therapy_is_also_stop_refer_report():
    outcome = run(
        female([preg(day(-3), sensitivity=25)], therapy=active(-10), conditions={"pregnant": True})
    )
    assert "pregnancy.pregnancy_on_therapy" in blocking(outcome)


def test_positive_test_in_a_female_classed_not_of_reproductive_potential_still_blocks():
    history = {**FRP_HISTORY, "hysterectomy": True}
    outcome = run(female([preg(day(-1), "positive")], reproductive=history, age=45))
    finding = get(outcome, "pregnancy.pregnancy_contraindicated")
    assert finding.blocking
    assert "check the reproductive history" in finding.detail


def test_pregnant_flag_on_a_male_is_an_input_warning():
    outcome = run({"patient": {"sex": "male"}, "conditions": {"pregnant": True}})
    finding = get(outcome, "pregnancy.pregnant_flag_male")
    assert finding.severity is Severity.WARNING and not finding.blocking


# ---------------------------------------------------------------- missed period


def test_missed_period_on_therapy_interrupt_test_counsel():
    tests = [preg(day(-7), sensitivity=25)]
    outcome = run(female(tests, therapy=active(-30), symptoms=["missed_period"]))
    finding = get(outcome, "pregnancy.missed_period")
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert "interrupt" in finding.summary.lower()
    assert "counsel" in finding.summary.lower()
    assert "2026-11-20" in [m.due.isoformat() for m in outcome.monitoring]


def test_missed_period_with_a_negative_test_today_still_needs_the_evaluation():
    tests = [preg(day(0), sensitivity=25)]
    outcome = run(female(tests, therapy=active(-30), symptoms=["missed_period"]))
    finding = get(outcome, "pregnancy.missed_period")
    assert finding.blocking
    assert "negative test is recorded today" in finding.detail


def test_missed_period_before_start_blocks():
    tests = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    outcome = run(female(tests, symptoms=["missed_period"]))
    assert blocking(outcome) == {"pregnancy.missed_period"}


def test_missed_period_in_a_postmenopausal_patient_contradicts_the_record_and_blocks():
    history = {**FRP_HISTORY, "months_since_last_menses": 36}
    outcome = run(female(reproductive=history, age=64, symptoms=["missed_period"]))
    finding = get(outcome, "pregnancy.missed_period_not_frp")
    assert finding.severity is Severity.CRITICAL and finding.blocking
    assert "recent menstrual cycles" in finding.detail
    assert "remove missed_period" in finding.detail
    assert outcome.monitoring == []
    # without the symptom, the same patient needs nothing
    assert not blocking(run(female(reproductive=history, age=64)))


def test_bleeding_in_frp_asks_about_menstrual_bleeding_without_blocking():
    tests = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    outcome = run(female(tests, symptoms=["bleeding"]))
    finding = get(outcome, "pregnancy.bleeding_check")
    assert finding.severity is Severity.WARNING and not finding.blocking
    assert not blocking(outcome)
    male = run({"patient": {"sex": "male"}, "symptoms": ["bleeding"]})
    assert "pregnancy.bleeding_check" not in ids(male)


def _assess(data: dict):
    from lenaguard.assess import assess

    return assess(make_case(**data), KB)


def test_missed_period_is_one_blocking_finding_with_the_patient_instruction():
    """Regression: the symptom and the pregnancy rules both gave a critical finding (noise)."""
    tests = [preg(day(-7), sensitivity=25)]
    result = _assess(female(tests, therapy=active(-30), symptoms=["missed_period"]))
    about_period = [f for f in result.findings if "missed_period" in f.id]
    assert [f.id for f in about_period] == ["pregnancy.missed_period"]
    assert [b for b in result.blocking if "missed_period" in b] == ["pregnancy.missed_period"]
    finding = about_period[0]
    assert "2026-11-20" in finding.summary  # the test is needed today
    # the patient's instruction (facts §10: stop and call the prescriber) is in the same finding
    assert "Tell the patient" in finding.detail
    assert "Stop taking lenalidomide" in finding.detail
    assert "call the doctor who prescribes it" in finding.detail
    assert finding.status is Status.LABEL


def test_missed_period_in_a_female_classed_not_frp_blocks_until_the_record_is_resolved():
    """Regression: the symptom finding blocked and told a patient without a uterus to take a
    pregnancy test, while the pregnancy finding called the same report a mere warning."""
    for history, words in (
        ({**FRP_HISTORY, "hysterectomy": True}, "hysterectomy"),
        ({**FRP_HISTORY, "months_since_last_menses": 36}, "36 months"),
    ):
        result = _assess(female(reproductive=history, age=60, symptoms=["missed_period"]))
        about_period = [f for f in result.findings if "missed_period" in f.id]
        assert [f.id for f in about_period] == ["pregnancy.missed_period_not_frp"]
        finding = about_period[0]
        assert finding.severity is Severity.CRITICAL and finding.blocking
        assert "pregnancy.missed_period_not_frp" in result.blocking
        assert words in finding.detail
        assert "Stop taking lenalidomide" not in finding.detail


def test_a_positive_test_on_therapy_replaces_the_test_schedule_and_missed_period_steps():
    """Regression: 'next pregnancy test due' and 'a pregnancy test is needed now' were shown
    next to 'pregnancy during lenalidomide: stop it now'."""
    tests = [preg(day(-14), sensitivity=25), preg(day(-1), "positive")]
    outcome = run(female(tests, therapy=active(-60), symptoms=["missed_period"]))
    assert blocking(outcome) == {"pregnancy.pregnancy_on_therapy"}
    assert not {"pregnancy.test_schedule", "pregnancy.test_overdue"} & ids(outcome)
    assert "pregnancy.missed_period" not in ids(outcome)
    assert outcome.monitoring == []
    finding = get(outcome, "pregnancy.pregnancy_on_therapy")
    assert "missed period" in finding.detail
    assert "1-800-FDA-1088" in finding.detail


def test_a_positive_test_before_start_is_not_followed_by_tests_complete():
    """Regression: 'two negative tests ... complete' and a first weekly test were listed next to
    'pregnancy: lenalidomide is contraindicated'."""
    tests = [
        preg(day(-12), sensitivity=25),
        preg(day(-1), "positive"),
        preg(day(0), sensitivity=25),
    ]
    outcome = run(female(tests))
    assert blocking(outcome) == {"pregnancy.pregnancy_contraindicated"}
    assert "pregnancy.pretreatment_tests_complete" not in ids(outcome)
    assert "pregnancy.contraception" not in ids(outcome)
    assert outcome.monitoring == []
    assert "two new negative" in get(outcome, "pregnancy.pregnancy_contraindicated").detail


def test_natural_menopause_basis_asks_to_confirm_it_is_not_treatment_amenorrhea():
    """Only natural menopause counts (§5): amenorrhea after chemotherapy or a transplant does not."""
    history = {**FRP_HISTORY, "months_since_last_menses": 24}
    outcome = run(female(reproductive=history, age=45))
    assert outcome.rems_category == "adult_female_not_reproductive_potential"
    basis = " ".join(outcome.rems_category_basis)
    assert "natural" in basis and "cancer treatment" in basis
    assert "confirm" in get(outcome, "pregnancy.rems_category").detail


# ---------------------------------------------------------------- tests on treatment


def test_weekly_phase_next_test_one_week_after_the_last():
    # start 2026-11-01; last negative 2026-11-15 (day 14) -> next 2026-11-22
    start = dt.date(2026, 11, 1)
    outcome = run(female([preg(day(14, start), sensitivity=25)], therapy=active(-19)))
    assert not blocking(outcome)
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 22)]
    assert get(outcome, "pregnancy.test_schedule").summary == "Next pregnancy test due 2026-11-22"


def _on_treatment(last_test_offset: int, as_of_offset: int, regular: bool | None) -> dict:
    """Start 2026-10-01; one negative test `last_test_offset` days after start; as_of likewise."""
    start = dt.date(2026, 10, 1)
    history = {**FRP_HISTORY, "menses_regular": regular}
    return female(
        [preg(day(last_test_offset, start), sensitivity=25)],
        reproductive=history,
        as_of=day(as_of_offset, start),
        therapy={"events": [{"date": start.isoformat(), "event": "start", "dose_mg": 25}]},
    )


def test_test_on_day_27_is_still_in_the_weekly_phase():
    outcome = run(_on_treatment(27, 28, regular=True))
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 4)]  # day 34


def test_test_on_day_28_ends_the_weekly_phase_regular_menses_4_weeks():
    outcome = run(_on_treatment(28, 28, regular=True))
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 26)]  # day 56


def test_after_the_weekly_phase_irregular_menses_2_weeks():
    outcome = run(_on_treatment(28, 28, regular=False))
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 12)]  # day 42


def test_unknown_regularity_uses_the_stricter_2_weeks_and_says_so():
    outcome = run(_on_treatment(28, 28, regular=None))
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 12)]
    assert "regularity unknown" in outcome.monitoring[0].reason
    assert "regularity unknown" in get(outcome, "pregnancy.test_schedule").detail


def test_regular_interval_edges_day_before_due_and_due_day():
    assert not blocking(run(_on_treatment(28, 55, regular=True)))
    due_today = run(_on_treatment(28, 56, regular=True))
    assert blocking(due_today) == {"pregnancy.test_overdue"}
    assert "due today" in get(due_today, "pregnancy.test_overdue").summary


def test_irregular_interval_edges():
    assert not blocking(run(_on_treatment(28, 41, regular=False)))
    overdue = run(_on_treatment(28, 43, regular=False))
    finding = get(overdue, "pregnancy.test_overdue")
    assert finding.blocking and finding.severity is Severity.CRITICAL
    assert "overdue since 2026-11-12" in finding.summary
    assert "needed by 2026-11-13" in finding.summary


def test_weekly_edges():
    assert not blocking(run(_on_treatment(7, 13, regular=True)))
    assert blocking(run(_on_treatment(7, 14, regular=True))) == {"pregnancy.test_overdue"}


def test_no_test_at_all_on_treatment_blocks_now():
    outcome = run(female([], therapy=active(-10)))
    finding = get(outcome, "pregnancy.test_overdue")
    assert finding.blocking
    assert "needed now (2026-11-20)" in finding.summary
    assert [m.due for m in outcome.monitoring] == [AS_OF]


def test_tests_continue_during_an_interruption():
    start = dt.date(2026, 10, 1)
    therapy = {
        "events": [
            {"date": "2026-10-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-10", "event": "hold", "reason": "neutropenia"},
        ]
    }
    outcome = run(female([preg(day(28, start), sensitivity=25)], therapy=therapy))
    # last negative 2026-10-29 (day 28), regular menses -> 2026-11-26
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 26)]
    assert "interruption since 2026-11-10" in get(outcome, "pregnancy.test_schedule").detail
    overdue = run(female([preg("2026-10-15", sensitivity=25)], therapy=therapy))
    assert "pregnancy.test_overdue" in blocking(overdue)


def test_on_treatment_an_insensitive_later_test_is_reported_and_ignored():
    start = dt.date(2026, 10, 1)
    tests = [preg(day(28, start), sensitivity=25), preg(day(50, start), sensitivity=100)]
    outcome = run(
        female(tests, therapy={"events": [{"date": "2026-10-01", "event": "start", "dose_mg": 25}]})
    )
    assert [m.due for m in outcome.monitoring] == [dt.date(2026, 11, 26)]
    assert "pregnancy.test_not_sensitive_enough" in ids(outcome)


def test_a_course_recorded_as_starting_today_still_needs_the_two_pretreatment_tests():
    """Regression: with the start event dated on the assessment date, the case counted as 'on
    treatment' and one negative test 3 days earlier made it ready to prescribe."""
    outcome = run(female([preg(day(-3), sensitivity=25)], therapy=active(0)))
    assert "pregnancy.first_test_missing" in blocking(outcome)
    ready = run(
        female([preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)], therapy=active(0))
    )
    assert not blocking(ready)
    assert "pregnancy.pretreatment_tests_complete" in ids(ready)
    assert [m.due for m in ready.monitoring] == [dt.date(2026, 11, 27)]
    # the day after the start, the on-treatment schedule applies
    started = run(
        female([preg(day(-13), sensitivity=25), preg(day(-1), sensitivity=25)], therapy=active(-1))
    )
    assert "pregnancy.test_schedule" in ids(started)


# ---------------------------------------------------------------- restart after a stop


def test_restart_after_stop_needs_the_two_tests_again_and_contraception_continues():
    therapy = {
        "events": [
            {"date": "2026-09-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-01", "event": "stop"},
        ]
    }
    outcome = run(female([preg("2026-10-25", sensitivity=25)], therapy=therapy))
    assert "pregnancy.first_test_missing" in blocking(outcome)
    contraception = get(outcome, "pregnancy.contraception")
    assert "2026-11-29" in contraception.detail  # 4 weeks after the stop


# ---------------------------------------------------------------- contraception, breastfeeding


def test_contraception_before_start_is_a_non_blocking_confirmation_with_the_date():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]))
    finding = get(outcome, "pregnancy.contraception")
    assert finding.severity is Severity.WARNING and not finding.blocking
    assert "2026-10-23" in finding.summary  # 4 weeks before 2026-11-20
    assert "infertility" in finding.detail
    assert finding.status is Status.LABEL


def test_breastfeeding_is_a_warning():
    tests = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    outcome = run(female(tests, conditions={"breastfeeding": True}))
    finding = get(outcome, "pregnancy.breastfeeding")
    assert finding.severity is Severity.WARNING and not finding.blocking
    assert finding.status is Status.LABEL_OLD


def test_unknown_breastfeeding_is_asked_for_frp():
    tests = [preg(day(-12), sensitivity=25), preg(day(0), sensitivity=25)]
    outcome = run(female(tests, conditions={"breastfeeding": None}))
    assert "pregnancy.breastfeeding_unknown" in ids(outcome)


# ---------------------------------------------------------------- males and blood donation


def test_male_findings_condom_sperm_blood():
    outcome = run({"patient": {"sex": "male"}, "therapy": active(-30)})
    condom = get(outcome, "pregnancy.male_condom")
    assert condom.status is Status.LABEL
    assert "vasectomy" in condom.detail and "sperm" in condom.detail
    assert "synthetic" in condom.detail
    tail = get(outcome, "pregnancy.male_after_stopping")
    assert tail.status is Status.UNVERIFIED
    assert "4 weeks" in tail.summary
    blood = get(outcome, "pregnancy.blood_donation")
    assert blood.status is Status.LABEL
    assert not blocking(outcome)
    assert outcome.monitoring == []
    assert "pregnancy.contraception" not in ids(outcome)


def test_after_a_stop_the_male_and_blood_donation_periods_end_4_weeks_later():
    therapy = {
        "events": [
            {"date": "2026-09-01", "event": "start", "dose_mg": 25},
            {"date": "2026-11-10", "event": "stop"},
        ]
    }
    outcome = run({"patient": {"sex": "male"}, "therapy": therapy})
    assert "until 2026-12-08" in get(outcome, "pregnancy.male_after_stopping").summary
    assert "until 2026-12-08" in get(outcome, "pregnancy.blood_donation").summary


def test_periods_after_a_stop_that_have_ended_say_so():
    """Regression: 'keep using condoms ... (until 2026-08-29)' was shown on 2026-11-20."""
    therapy = {
        "events": [
            {"date": "2026-06-01", "event": "start", "dose_mg": 25},
            {"date": "2026-08-01", "event": "stop"},
        ]
    }
    outcome = run({"patient": {"sex": "male"}, "therapy": therapy})
    tail = get(outcome, "pregnancy.male_after_stopping").summary
    assert "ended 2026-08-29" in tail and "until" not in tail
    assert "ended 2026-08-29" in get(outcome, "pregnancy.blood_donation").summary
    # on the last day of the period it has not ended yet
    last_day = run({"patient": {"sex": "male"}, "therapy": therapy, "as_of": "2026-08-29"})
    assert "until 2026-08-29" in get(last_day, "pregnancy.blood_donation").summary


def test_every_female_gets_the_blood_donation_rule():
    history = {**FRP_HISTORY, "hysterectomy": True}
    assert "pregnancy.blood_donation" in ids(run(female(reproductive=history)))


# ---------------------------------------------------------------- REMS findings on a case


def test_rems_prescription_findings_are_paperwork():
    outcome = run(female([preg(day(-12), sensitivity=25), preg(day(-1), sensitivity=25)]))
    limits = get(outcome, "pregnancy.rems_prescription_limits")
    assert "28 days" in limits.summary and not limits.blocking
    auth = get(outcome, "pregnancy.rems_authorization")
    assert "through 2026-11-25" in auth.summary  # 7 days counting 2026-11-19 as day one
    assert auth.status is Status.SECONDARY
    surveys = get(outcome, "pregnancy.rems_surveys")
    assert "before every prescription" in surveys.summary
    assert not surveys.blocking


def test_not_frp_authorization_runs_30_days_and_survey_every_6_months():
    history = {**FRP_HISTORY, "bilateral_oophorectomy": True}
    outcome = run(female(reproductive=history, age=50))
    assert "through 2026-12-19" in get(outcome, "pregnancy.rems_authorization").summary
    assert "every 6 months" in get(outcome, "pregnancy.rems_surveys").summary


# ---------------------------------------------------------------- examples


def test_examples_behave_as_their_comments_say():
    from pathlib import Path

    import yaml

    from lenaguard.case import Case

    root = Path(__file__).resolve().parents[2] / "examples"

    def load(name: str) -> PregnancyOutcome:
        data = yaml.safe_load((root / name).read_text())
        return evaluate(Case.from_data(data, default_knowledge()), KB)

    not_ready = load("frp-not-ready.yaml")
    assert blocking(not_ready) == {"pregnancy.second_test_missing"}
    assert "2026-11-20 or 2026-11-19" in get(not_ready, "pregnancy.second_test_missing").summary
    ready = load("frp-ready.yaml")
    assert not blocking(ready)
    assert [m.due for m in ready.monitoring] == [dt.date(2026, 11, 27)]
    male = load("male-patient.yaml")
    assert male.rems_category == "adult_male"
    assert not blocking(male)
    missed = load("frp-missed-period.yaml")
    assert blocking(missed) == {"pregnancy.missed_period"}
    assert "2026-11-20" in get(missed, "pregnancy.missed_period").summary
    assert [m.due for m in missed.monitoring] == [dt.date(2026, 11, 20), dt.date(2026, 12, 11)]


# ---------------------------------------------------------------- properties


CLINICAL_BLOCKERS = {
    "pregnancy.first_test_missing",
    "pregnancy.second_test_missing",
    "pregnancy.test_overdue",
    "pregnancy.pregnancy_contraindicated",
    "pregnancy.pregnancy_on_therapy",
    "pregnancy.missed_period",
    "pregnancy.missed_period_not_frp",
}


@st.composite
def cases(draw):
    """Random valid cases: sex, age, history, course, pregnancy tests, flags, symptoms."""
    sex = draw(st.sampled_from(["female", "male"]))
    patient: dict[str, Any] = {"sex": sex, "age_years": draw(st.integers(18, 100))}
    if sex == "female" and draw(st.booleans()):
        patient["reproductive"] = {
            "hysterectomy": draw(st.none() | st.booleans()),
            "bilateral_oophorectomy": draw(st.none() | st.booleans()),
            "months_since_last_menses": draw(st.none() | st.integers(0, 60)),
            "menses_regular": draw(st.none() | st.booleans()),
        }
    tests = []
    for _ in range(draw(st.integers(0, 5))):
        entry: dict[str, Any] = {
            "test": "pregnancy",
            "result": draw(st.sampled_from(["negative", "negative", "positive"])),
            "date": day(-draw(st.integers(0, 90))),
        }
        sensitivity = draw(st.none() | st.sampled_from([10, 25, 49, 50, 51, 100]))
        if sensitivity is not None:
            entry["sensitivity_miu_ml"] = sensitivity
        tests.append(entry)
    data: dict[str, Any] = {
        "patient": patient,
        "labs": one_per_test_and_day(tests),
        "conditions": {
            "pregnant": draw(st.none() | st.booleans()),
            "breastfeeding": draw(st.none() | st.booleans()),
        },
        "symptoms": draw(st.sampled_from([[], ["missed_period"], ["fever"], ["bleeding"]])),
    }
    course = draw(st.sampled_from(["none", "active", "held", "stopped"]))
    if course != "none":
        start = draw(st.integers(0, 120))
        events: list[dict[str, Any]] = [{"date": day(-start), "event": "start", "dose_mg": 25}]
        if course in ("held", "stopped"):
            later = draw(st.integers(0, start))
            kind = {"held": "hold", "stopped": "stop"}[course]
            event: dict[str, Any] = {"date": day(-later), "event": kind}
            if kind == "hold":
                event["reason"] = "neutropenia"
            events.append(event)
        data["therapy"] = {"events": events}
    return make_case(**data)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=cases())
def test_properties_for_any_valid_case(case):
    outcome = evaluate(case, KB)
    found_ids = [finding.id for finding in outcome.findings]
    assert len(found_ids) == len(set(found_ids))
    for finding in outcome.findings:
        assert finding.category is Category.PREGNANCY
        assert finding.id.startswith("pregnancy.")
        # every critical pregnancy finding blocks, and only critical ones do
        assert (finding.severity is Severity.CRITICAL) is finding.blocking
    # only clinical conditions the case records block; REMS paperwork (authorization, surveys,
    # counselling), contraception attestation and breastfeeding advice never do
    assert blocking(outcome) <= CLINICAL_BLOCKERS
    for item in outcome.monitoring:
        assert item.test == "pregnancy_test"
    dues = [item.due for item in outcome.monitoring]
    assert len(dues) == len(set(dues))
    if outcome.reproductive_potential is not True:
        assert outcome.monitoring == []
    if case.conditions.pregnant is True and case.patient.sex.value == "female":
        assert any(f.blocking for f in outcome.findings)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_ready_frp_before_start_really_has_both_tests(case):
    """No blocking finding for an FRP about to start -> two qualifying tests in the windows."""
    outcome = evaluate(case, KB)
    # a course whose start is dated today is this first prescription: it counts as not started
    course = current_course(case)
    started = course.status.value in ("active", "held") and course.start_date < case.as_of
    if outcome.reproductive_potential is not True or started:
        return
    if any(f.blocking for f in outcome.findings):
        return

    def counts(lab) -> bool:
        sensitive = lab.sensitivity_miu_ml is None or lab.sensitivity_miu_ml <= 50
        return lab.result.value == "negative" and sensitive

    pregnancy_tests = [lab for lab in case.labs if lab.lab_test.value == "pregnancy"]
    first = [t for t in pregnancy_tests if counts(t) and 10 <= (case.as_of - t.date).days <= 14]
    second = [t for t in pregnancy_tests if counts(t) and (case.as_of - t.date).days <= 1]
    assert first and second
    assert case.conditions.pregnant is not True
    assert "missed_period" not in [s.value for s in case.symptoms]
    recent_positive = [
        t
        for t in pregnancy_tests
        if t.result.value == "positive" and (case.as_of - t.date).days <= 14
    ]
    assert not recent_positive
