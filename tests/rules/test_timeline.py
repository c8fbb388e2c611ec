"""What the dose rules read from the timeline and the lab series (rules/timeline.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.dose_modification import DoseModificationKnowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.rules.dose.timeline import (
    baseline_result,
    build_timeline,
    current_result,
    cycles_completed,
    fever_reported,
    intensity,
    ladder_for,
    ladder_position,
    low_run,
    platelet_transfusions,
    results_until,
    span_days,
    within_first_weeks,
)
from lenaguard.vocab import Frequency, HoldReason, Indication, LabTest
from tests.factories import lab, make_case

D = dt.date


def table(indication: Indication):
    return default_knowledge().get(DoseModificationKnowledge).table(indication)


def schedule(indication: Indication):
    return default_knowledge().get(IndicationsKnowledge).entry(indication).schedule


def position(indication: Indication, start: float, dose: float, days_on=None):
    ladder, covered = ladder_for(table(indication), start)
    return ladder_position(ladder, covered, dose, days_on, schedule(indication))


EVENTS = [
    {"date": "2026-08-01", "event": "start", "dose_mg": 25},
    {"date": "2026-08-20", "event": "hold", "reason": "thrombocytopenia"},
    {"date": "2026-08-27", "event": "resume", "dose_mg": 20},
    {"date": "2026-09-20", "event": "hold", "reason": "neutropenia"},
    {"date": "2026-09-27", "event": "resume", "dose_mg": 20},
    {"date": "2026-10-20", "event": "hold", "reason": "thrombocytopenia"},
]


class TestHoldEpisodes:
    def test_episodes_are_counted_per_reason(self):
        timeline = build_timeline(make_case(therapy={"events": EVENTS}))
        assert [(h.reason, h.number) for h in timeline.holds] == [
            (HoldReason.THROMBOCYTOPENIA, 1),
            (HoldReason.NEUTROPENIA, 1),
            (HoldReason.THROMBOCYTOPENIA, 2),
        ]
        assert timeline.falls(HoldReason.THROMBOCYTOPENIA) == 2
        assert timeline.falls(HoldReason.NEUTROPENIA) == 1
        assert timeline.falls(HoldReason.OTHER_TOXICITY) == 0

    def test_episode_records_the_dose_before_and_its_end(self):
        timeline = build_timeline(make_case(therapy={"events": EVENTS}))
        first, _, last = timeline.holds
        assert first.dose_before_mg == 25 and first.ended_on == D(2026, 8, 27)
        assert last.dose_before_mg == 20 and last.ended_on is None
        assert timeline.current_hold is last
        assert timeline.last_event_date == D(2026, 10, 20)
        assert timeline.dosing_since == D(2026, 9, 27)

    def test_a_new_course_starts_counting_again(self):
        events = [
            *EVENTS,
            {"date": "2026-10-25", "event": "stop"},
            {"date": "2026-11-01", "event": "start", "dose_mg": 15},
        ]
        timeline = build_timeline(make_case(therapy={"events": events}))
        assert timeline.holds == ()
        assert timeline.current_hold is None
        assert timeline.course.start_dose_mg == 15

    def test_dosing_period_at(self):
        timeline = build_timeline(make_case(therapy={"events": EVENTS}))
        assert timeline.dosing_period_at(D(2026, 8, 25)) == D(2026, 8, 1)
        assert timeline.dosing_period_at(D(2026, 8, 27)) == D(2026, 8, 27)
        assert timeline.dosing_period_at(D(2026, 10, 25)) == D(2026, 9, 27)
        assert timeline.dosing_period_at(D(2026, 7, 1)) is None

    def test_dose_first_given(self):
        timeline = build_timeline(make_case(therapy={"events": EVENTS}))
        assert timeline.dose_first_given(20) == D(2026, 8, 27)
        assert timeline.dose_first_given(25) == D(2026, 8, 1)
        assert timeline.dose_first_given(10) is None


class TestLadder:
    def test_mm_combination_position_and_next_lower(self):
        here = position(Indication.MM_COMBINATION, 25, 20)
        assert here.level == 1
        assert here.next_lower.dose_mg == 15
        assert not here.at_floor and not here.above_top

    def test_mm_combination_floor_is_2_5_mg(self):
        here = position(Indication.MM_COMBINATION, 25, 2.5)
        assert here.at_floor and here.floor.dose_mg == 2.5

    def test_maintenance_bottom_rungs_differ_by_days(self):
        continuous = position(Indication.MM_MAINTENANCE, 10, 5)
        assert continuous.days_on == (1, 28)
        assert (continuous.next_lower.dose_mg, continuous.next_lower.days_on) == (5, (1, 21))
        bottom = position(Indication.MM_MAINTENANCE, 10, 5, (1, 21))
        assert bottom.at_floor and bottom.level == 3

    def test_maintenance_renal_dose_below_the_floor_counts_as_at_the_floor(self):
        assert position(Indication.MM_MAINTENANCE, 2.5, 2.5).at_floor

    def test_fl_ladder_depends_on_the_starting_dose(self):
        assert position(Indication.FL, 20, 5).at_floor
        from_renal = position(Indication.FL, 10, 5)
        assert not from_renal.at_floor and from_renal.next_lower.dose_mg == 2.5
        assert from_renal.covered

    def test_fl_start_without_a_written_ladder_is_flagged(self):
        here = position(Indication.FL, 5, 5)
        assert not here.covered
        assert here.at_floor

    def test_fl_escalated_renal_course_steps_back_to_10(self):
        # Facts §2: FL/MZL 10 mg renal start may rise to 15 mg after 2 cycles; §3: 5 mg lower.
        here = position(Indication.FL, 10, 15)
        assert not here.above_top  # a documented escalation is not "above the table"
        assert here.next_lower.dose_mg == 10
        assert here.floor.dose_mg == 2.5

    def test_mcl_floor_is_5_mg(self):
        assert position(Indication.MCL, 25, 5).at_floor
        assert position(Indication.MCL, 25, 10).next_lower.dose_mg == 5

    @pytest.mark.parametrize(
        ("indication", "dose", "expected"),
        [
            # Facts §2: MM/MCL CrCl < 30 start 15 mg every 48 h; §3 floors 2.5 mg (MM) and
            # 5 mg daily (MCL). 5 mg every 48 h ≈ 2.5 mg daily: the MM floor, below MCL's.
            (Indication.MM_COMBINATION, 15, 10),
            (Indication.MM_COMBINATION, 10, 5),
            (Indication.MM_COMBINATION, 5, None),
            (Indication.MCL, 15, 10),
            (Indication.MCL, 10, None),
        ],
    )
    def test_every_48_hours_never_steps_below_the_daily_floor(self, indication, dose, expected):
        ladder, covered = ladder_for(table(indication), 15)
        here = ladder_position(
            ladder, covered, dose, None, schedule(indication), Frequency.EVERY_48H
        )
        if expected is None:
            assert here.at_floor and here.next_lower is None
        else:
            assert here.next_lower.dose_mg == expected

    def test_every_48_hours_counts_half_a_daily_dose(self):
        assert intensity(10, (1, 21), Frequency.EVERY_48H) == intensity(5, (1, 21))
        assert intensity(15, (1, 21), Frequency.EVERY_48H) < intensity(10, (1, 21))

    def test_mds_ladder(self):
        assert position(Indication.MDS_DEL5Q, 10, 10).next_lower.dose_mg == 5
        assert position(Indication.MDS_DEL5Q, 10, 5).next_lower.dose_mg == 2.5
        assert position(Indication.MDS_DEL5Q, 10, 2.5).at_floor


class TestLabSeries:
    def test_baseline_is_the_latest_result_on_or_before_the_start(self):
        case = make_case(
            labs=[
                lab("platelets", 90_000, "/uL", date="2026-09-01"),
                lab("platelets", 110_000, "/uL", date="2026-10-01"),
                lab("platelets", 40_000, "/uL", date="2026-10-15"),
            ]
        )
        assert baseline_result(case, LabTest.PLATELETS, D(2026, 10, 1)).canonical_value == 110_000
        assert baseline_result(case, LabTest.PLATELETS, D(2026, 9, 30)).canonical_value == 90_000
        assert baseline_result(case, LabTest.PLATELETS, D(2026, 8, 1)) is None
        assert baseline_result(case, LabTest.PLATELETS, None) is None

    def test_current_result_must_not_predate_the_last_event(self):
        case = make_case(labs=[lab("anc", 900, "/uL", date="2026-11-10")])
        assert current_result(case, LabTest.ANC, D(2026, 11, 10)).canonical_value == 900
        assert current_result(case, LabTest.ANC, D(2026, 11, 11)) is None
        assert current_result(case, LabTest.PLATELETS, None) is None

    def test_units_are_normalised_before_comparison(self):
        case = make_case(labs=[lab("platelets", 29.999, "10^3/uL")])
        assert current_result(case, LabTest.PLATELETS, None).canonical_value == pytest.approx(
            29_999
        )

    def test_low_run_and_its_span(self):
        case = make_case(
            labs=[
                lab("anc", 400, "/uL", date="2026-11-01"),
                lab("anc", 1200, "/uL", date="2026-11-04"),
                lab("anc", 450, "/uL", date="2026-11-08"),
                lab("anc", 480, "/uL", date="2026-11-15"),
            ]
        )
        results = results_until(case, LabTest.ANC, case.as_of)
        run = low_run(results, len(results) - 1, lambda value: value < 500)
        assert [r.date for r in run] == [D(2026, 11, 8), D(2026, 11, 15)]
        assert span_days(run) == 7
        assert span_days(run[-1:]) == 0
        assert span_days([]) == 0

    def test_fever_comes_from_the_symptoms(self):
        assert fever_reported(make_case(symptoms=["fever"]))
        assert not fever_reported(make_case(symptoms=["chills"]))

    def test_platelet_transfusions_in_the_dosing_period(self):
        case = make_case(
            transfusions=[
                {"date": "2026-10-01", "kind": "platelets", "units": 1},
                {"date": "2026-11-05", "kind": "platelets", "units": 1},
                {"date": "2026-11-06", "kind": "rbc", "units": 2},
            ]
        )
        assert [t.date for t in platelet_transfusions(case, D(2026, 11, 1))] == [D(2026, 11, 5)]
        assert len(platelet_transfusions(case, None)) == 2


class TestTime:
    def test_first_four_weeks_include_day_28_not_day_29(self):
        start = D(2026, 10, 1)
        assert within_first_weeks(start, start, 4)
        assert within_first_weeks(start, D(2026, 10, 28), 4)  # day 28
        assert not within_first_weeks(start, D(2026, 10, 29), 4)  # day 29

    def test_cycles_completed(self):
        start = D(2026, 1, 1)
        assert cycles_completed(start, start, 28) == 0
        assert cycles_completed(start, start + dt.timedelta(days=27), 28) == 0
        assert cycles_completed(start, start + dt.timedelta(days=28), 28) == 1
        assert cycles_completed(start, start - dt.timedelta(days=1), 28) == 0
