"""The decision on the two pregnancy tests before the first prescription, without its wording.

Expected values from the facts file §5: the first negative test 10–14 days before prescribing,
the second within 24 hours before it (lenaguard: the prescribing day or the day before); an
assay counts when it detects 50 mIU/mL or less; the first weekly test 7 days after the start.
The prescribing date is the assessment date, 2026-11-20.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge
from lenaguard.rules.safety.pregnancy import (
    InitialPregnancyTestsDecision,
    InitialTestsOutcome,
    decide_initial_pregnancy_tests,
)
from tests.factories import make_case

KB = default_knowledge()
FACTS = KB.get(PregnancyKnowledge)
AS_OF = dt.date(2026, 11, 20)


def day(offset: int) -> dt.date:
    return AS_OF + dt.timedelta(days=offset)


def preg(offset: int, result: str = "negative", sensitivity: float | None = 25) -> dict:
    entry: dict[str, Any] = {"test": "pregnancy", "result": result, "date": day(offset).isoformat()}
    if sensitivity is not None:
        entry["sensitivity_miu_ml"] = sensitivity
    return entry


def decide(*tests: dict) -> InitialPregnancyTestsDecision:
    patient = {
        "sex": "female",
        "age_years": 35,
        "weight_kg": 62,
        "reproductive": {"hysterectomy": False, "bilateral_oophorectomy": False},
    }
    return decide_initial_pregnancy_tests(make_case(patient=patient, labs=list(tests)), KB)


def dates(tests) -> list[dt.date]:
    return [test.date for test in tests]


def test_the_windows_around_the_prescribing_date():
    decision = decide()
    assert decision.prescribing_date == AS_OF
    assert decision.window_days == (10, 14)
    assert decision.first_window == (day(-14), day(-10))
    assert decision.window_hours == 24
    assert decision.second_window == (day(-1), AS_OF)


def test_first_test_14_days_before_and_second_on_the_day_are_complete():
    decision = decide(preg(-14), preg(0))
    assert decision.outcome is InitialTestsOutcome.COMPLETE
    assert (decision.first_test.date, decision.second_test.date) == (day(-14), AS_OF)
    assert not decision.second_test_previous_day
    assert decision.first_weekly_test == day(7)
    assert decision.entries == (FACTS.initial_tests, FACTS.ongoing_tests)


def test_a_second_test_the_day_before_is_complete_but_flagged():
    decision = decide(preg(-12), preg(-1))
    assert decision.outcome is InitialTestsOutcome.COMPLETE
    assert decision.second_test_previous_day


def test_no_tests_a_first_test_today_sets_the_prescribing_window():
    decision = decide()
    assert decision.outcome is InitialTestsOutcome.FIRST_MISSING
    assert decision.first_test is None and decision.first_test_candidate is None
    assert decision.earliest_prescribing_date == day(10)
    assert decision.latest_prescribing_date == day(14)


def test_a_first_test_9_days_before_can_be_the_first_of_a_later_prescription():
    decision = decide(preg(-9), preg(0))
    assert decision.outcome is InitialTestsOutcome.FIRST_MISSING
    assert decision.first_test_candidate is not None
    assert decision.first_test_candidate.date == day(-9)
    assert (decision.earliest_prescribing_date, decision.latest_prescribing_date) == (
        day(1),
        day(5),
    )


def test_a_first_test_15_days_before_is_too_early():
    decision = decide(preg(-15), preg(0))
    assert decision.outcome is InitialTestsOutcome.FIRST_MISSING
    # today's test becomes the candidate first test
    assert decision.first_test_candidate is not None
    assert decision.first_test_candidate.date == AS_OF
    assert decision.earliest_prescribing_date == day(10)


def test_second_test_missing_keeps_the_first_and_how_long_it_lasts():
    decision = decide(preg(-12))
    assert decision.outcome is InitialTestsOutcome.SECOND_MISSING
    assert decision.first_test.date == day(-12)
    assert decision.second_test is None
    assert decision.first_test_valid_until == day(2)


def test_a_second_test_two_days_before_does_not_count():
    decision = decide(preg(-12), preg(-2))
    assert decision.outcome is InitialTestsOutcome.SECOND_MISSING


def test_an_assay_of_51_miu_ml_is_not_counted_and_50_is():
    decision = decide(preg(-12), preg(0, sensitivity=51))
    assert decision.outcome is InitialTestsOutcome.SECOND_MISSING
    assert dates(decision.tests_not_counted) == [AS_OF]
    assert FACTS.test_sensitivity in decision.entries
    counted = decide(preg(-12, sensitivity=50), preg(0, sensitivity=50))
    assert counted.outcome is InitialTestsOutcome.COMPLETE
    assert counted.tests_not_counted == ()


def test_a_test_without_stated_sensitivity_counts_and_is_listed():
    decision = decide(preg(-12, sensitivity=None), preg(0))
    assert decision.outcome is InitialTestsOutcome.COMPLETE
    assert dates(decision.sensitivity_unstated) == [day(-12)]


def test_positive_tests_are_not_negatives_for_the_windows():
    decision = decide(preg(-12, "positive"), preg(0))
    assert decision.outcome is InitialTestsOutcome.FIRST_MISSING
    assert dates(decision.tests_on_record) == [day(-12), AS_OF]
