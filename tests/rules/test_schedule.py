"""The dosing (cycle) calendar: cycle positions, dosing days, holds, stops, every 48 hours.

Expected values come from the facts file §1 (schedules: days 1–21 of 28, continuous 28-day
cycles, FL/MZL up to 12 cycles) and §2 (every 48 hours in severe renal impairment), not from
the knowledge YAML.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lenaguard.knowledge import Status, default_knowledge
from lenaguard.knowledge.topics.indications import CycleSchedule
from lenaguard.rules.dose.schedule import (
    COURSE_COMPLETE,
    DOSE,
    HELD,
    NOT_STARTED,
    REST,
    STOPPED,
    cycle_position,
    dosing_calendar,
    is_dosing_day,
    missed_dose_advice,
)
from lenaguard.vocab import Category, DoseAction, Frequency, Severity

START = dt.date(2026, 1, 5)
DAYS_1_21_OF_28 = CycleSchedule(days_on=(1, 21), cycle_days=28)  # MM, MCL, FL, MZL (§1)
CONTINUOUS_28 = CycleSchedule(days_on=(1, 28), cycle_days=28)  # maintenance, MDS (§1)


def course_day(n: int) -> dt.date:
    """Day n of the course (day 1 = the start)."""
    return START + dt.timedelta(days=n - 1)


def calendar(**overrides):
    arguments = {
        "course_start": START,
        "schedule": DAYS_1_21_OF_28,
        "dose_mg": 25.0,
        "frequency": Frequency.DAILY,
        "from_date": START,
        "days": 28,
        "action": DoseAction.CONTINUE,
        "max_cycles": None,
    }
    arguments.update(overrides)
    return dosing_calendar(**arguments)


# --- cycle positions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (1, (1, 1)),
        (21, (1, 21)),
        (22, (1, 22)),
        (28, (1, 28)),
        (29, (2, 1)),
        (49, (2, 21)),
        (50, (2, 22)),
        (56, (2, 28)),
        (57, (3, 1)),
        (309, (12, 1)),
        (336, (12, 28)),
        (337, (13, 1)),
    ],
)
def test_cycle_position_across_cycle_boundaries(day, expected):
    assert cycle_position(START, course_day(day), 28) == expected


def test_cycle_position_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before the course start"):
        cycle_position(START, START - dt.timedelta(days=1), 28)


def test_cycle_position_needs_a_positive_cycle_length():
    with pytest.raises(ValueError, match="positive"):
        cycle_position(START, START, 0)


# --- daily dosing, days 1-21 of 28 -------------------------------------------------------------


def test_days_1_to_21_are_dosing_days_and_22_to_28_rest():
    days = calendar(from_date=course_day(20), days=11)
    assert [(d.cycle, d.cycle_day, d.note) for d in days] == [
        (1, 20, DOSE),
        (1, 21, DOSE),
        (1, 22, REST),
        (1, 23, REST),
        (1, 24, REST),
        (1, 25, REST),
        (1, 26, REST),
        (1, 27, REST),
        (1, 28, REST),
        (2, 1, DOSE),
        (2, 2, DOSE),
    ]
    assert [d.dose_mg for d in days] == [25.0, 25.0] + [None] * 7 + [25.0, 25.0]


def test_a_four_week_calendar_from_the_start_has_21_doses():
    days = calendar()
    assert len(days) == 28
    assert [d.date for d in days] == [course_day(n) for n in range(1, 29)]
    assert sum(d.note == DOSE for d in days) == 21
    assert all(d.dose_mg == 25.0 for d in days if d.note == DOSE)


def test_continuous_schedule_doses_every_day():
    days = calendar(schedule=CONTINUOUS_28, dose_mg=10.0, from_date=course_day(20), days=14)
    assert all(d.note == DOSE and d.dose_mg == 10.0 for d in days)
    assert (days[9].cycle, days[9].cycle_day) == (2, 1)


def test_resume_rejoins_the_cycle_where_the_calendar_stands():
    # Interruptions do not move the calendar: a resume on day 26 is still a rest day of cycle 1.
    days = calendar(action=DoseAction.RESUME, dose_mg=20.0, from_date=course_day(26), days=5)
    assert [(d.cycle, d.cycle_day, d.note, d.dose_mg) for d in days] == [
        (1, 26, REST, None),
        (1, 27, REST, None),
        (1, 28, REST, None),
        (2, 1, DOSE, 20.0),
        (2, 2, DOSE, 20.0),
    ]


# --- every 48 hours (severe renal impairment, facts §2) -----------------------------------------


def test_every_48h_doses_on_odd_cycle_days_of_every_cycle():
    days = calendar(frequency=Frequency.EVERY_48H, dose_mg=15.0, days=56 + 3)
    dosed = [(d.cycle, d.cycle_day) for d in days if d.note == DOSE]
    odd_days = [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert dosed == [(1, n) for n in odd_days] + [(2, n) for n in odd_days] + [(3, 1), (3, 3)]
    assert all(d.dose_mg == 15.0 for d in days if d.note == DOSE)
    assert days[1].note == REST and days[1].dose_mg is None  # day 2
    assert days[21].note == REST  # day 22: rest week


def test_every_48h_parity_counts_from_the_course_start_not_from_the_calendar_start():
    days = calendar(frequency=Frequency.EVERY_48H, dose_mg=15.0, from_date=course_day(4), days=4)
    assert [(d.cycle_day, d.note) for d in days] == [(4, REST), (5, DOSE), (6, REST), (7, DOSE)]


def test_every_48h_on_a_continuous_schedule_keeps_alternating_across_cycles():
    days = calendar(
        schedule=CONTINUOUS_28,
        frequency=Frequency.EVERY_48H,
        dose_mg=2.5,
        from_date=course_day(27),
        days=4,
    )
    assert [(d.cycle, d.cycle_day, d.note) for d in days] == [
        (1, 27, DOSE),
        (1, 28, REST),
        (2, 1, DOSE),
        (2, 2, REST),
    ]


# --- hold, stop, not started, course complete ---------------------------------------------------


def test_hold_calendar_is_held_every_day_with_no_dose():
    days = calendar(action=DoseAction.HOLD, dose_mg=None, from_date=course_day(10), days=28)
    assert len(days) == 28
    assert {d.note for d in days} == {HELD}
    assert all(d.dose_mg is None for d in days)
    # the calendar runs on during a hold: positions are kept
    assert (days[0].cycle, days[0].cycle_day) == (1, 10)
    assert (days[19].cycle, days[19].cycle_day) == (2, 1)


def test_hold_before_any_start_has_no_cycle_position():
    days = calendar(course_start=None, action=DoseAction.HOLD, dose_mg=None, days=3)
    assert [(d.cycle, d.note) for d in days] == [(None, HELD)] * 3


def test_stop_calendar_is_stopped_every_day():
    days = calendar(action=DoseAction.STOP, dose_mg=None, from_date=course_day(5), days=7)
    assert [(d.note, d.cycle, d.dose_mg) for d in days] == [(STOPPED, None, None)] * 7


def test_start_without_a_course_start_begins_cycle_1_on_the_first_calendar_day():
    days = calendar(course_start=None, action=DoseAction.START, from_date=START, days=22)
    assert (days[0].cycle, days[0].cycle_day, days[0].note) == (1, 1, DOSE)
    assert (days[20].cycle_day, days[20].note) == (21, DOSE)
    assert (days[21].cycle_day, days[21].note) == (22, REST)


def test_days_before_a_planned_start_are_not_started():
    days = calendar(action=DoseAction.START, from_date=START - dt.timedelta(days=3), days=5)
    assert [(d.note, d.cycle, d.cycle_day) for d in days] == [
        (NOT_STARTED, None, None),
        (NOT_STARTED, None, None),
        (NOT_STARTED, None, None),
        (DOSE, 1, 1),
        (DOSE, 1, 2),
    ]


def test_continue_without_any_course_start_is_not_started_rather_than_invented():
    days = calendar(course_start=None, action=DoseAction.CONTINUE, days=3)
    assert [d.note for d in days] == [NOT_STARTED] * 3


def test_fl_course_ends_after_cycle_12():
    # FL/MZL: up to 12 cycles (facts §1). Cycle 12 day 20 is course day 11 * 28 + 20 = 328.
    days = calendar(dose_mg=20.0, max_cycles=12, from_date=course_day(328), days=12)
    assert [(d.cycle, d.cycle_day, d.note) for d in days[:9]] == [
        (12, 20, DOSE),
        (12, 21, DOSE),
        (12, 22, REST),
        (12, 23, REST),
        (12, 24, REST),
        (12, 25, REST),
        (12, 26, REST),
        (12, 27, REST),
        (12, 28, REST),
    ]
    assert [(d.note, d.dose_mg, d.cycle) for d in days[9:]] == [(COURSE_COMPLETE, None, None)] * 3


def test_cycle_12_is_still_dosed_when_the_limit_is_12():
    days = calendar(dose_mg=20.0, max_cycles=12, from_date=course_day(309), days=1)
    assert (days[0].cycle, days[0].cycle_day, days[0].note) == (12, 1, DOSE)


def test_no_limit_means_cycle_13_is_dosed():
    days = calendar(max_cycles=None, from_date=course_day(337), days=1)
    assert (days[0].cycle, days[0].note) == (13, DOSE)


def test_an_undecided_dose_keeps_the_dosing_day_with_no_amount():
    days = calendar(dose_mg=None, days=1)
    assert (days[0].note, days[0].dose_mg) == (DOSE, None)


@pytest.mark.parametrize("days", [0, -3])
def test_no_days_gives_an_empty_calendar(days):
    assert calendar(days=days) == []


# --- missed dose (facts §1: < 12 hours late take it, otherwise skip; never double) --------------


def test_missed_dose_advice():
    finding = missed_dose_advice(default_knowledge())
    assert finding.id == "schedule.missed_dose"
    assert finding.category is Category.SCHEDULE
    assert finding.severity is Severity.INFO
    assert finding.status is Status.SECONDARY
    assert "12 hours" in finding.summary
    assert "skip" in finding.summary
    assert "two doses" in finding.summary
    assert finding.inputs == {"hours_late_limit": 12}


# --- properties ---------------------------------------------------------------------------------


@st.composite
def schedules(draw):
    cycle = draw(st.integers(min_value=1, max_value=42))
    first = draw(st.integers(min_value=1, max_value=cycle))
    last = draw(st.integers(min_value=first, max_value=cycle))
    return CycleSchedule(days_on=(first, last), cycle_days=cycle)


dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31))


@settings(max_examples=200, deadline=None)
@given(
    schedule=schedules(),
    start=st.one_of(st.none(), dates),
    from_date=dates,
    days=st.integers(min_value=-5, max_value=120),
    action=st.sampled_from(DoseAction),
    frequency=st.sampled_from(Frequency),
    dose=st.one_of(st.none(), st.sampled_from([2.5, 5.0, 10.0, 15.0, 20.0, 25.0])),
    max_cycles=st.one_of(st.none(), st.integers(min_value=1, max_value=14)),
)
def test_calendar_invariants(schedule, start, from_date, days, action, frequency, dose, max_cycles):
    result = dosing_calendar(
        course_start=start,
        schedule=schedule,
        dose_mg=dose,
        frequency=frequency,
        from_date=from_date,
        days=days,
        action=action,
        max_cycles=max_cycles,
    )
    assert len(result) == max(days, 0)
    assert [d.date for d in result] == [
        from_date + dt.timedelta(days=i) for i in range(len(result))
    ]
    first, last = schedule.days_on
    for day in result:
        assert day.note in {DOSE, REST, HELD, STOPPED, NOT_STARTED, COURSE_COMPLETE}
        if day.note != DOSE:
            assert day.dose_mg is None
        if day.note == DOSE:
            assert day.dose_mg == dose
            assert first <= day.cycle_day <= last
            assert max_cycles is None or day.cycle <= max_cycles
        if day.cycle is not None:
            assert 1 <= day.cycle_day <= schedule.cycle_days
        if action is DoseAction.HOLD:
            assert day.note == HELD
        if action is DoseAction.STOP:
            assert day.note == STOPPED


@settings(max_examples=200, deadline=None)
@given(schedule=schedules(), start=dates, offset=st.integers(min_value=0, max_value=800))
def test_every_48h_doses_are_a_subset_of_daily_doses_and_never_on_consecutive_days(
    schedule, start, offset
):
    on = start + dt.timedelta(days=offset)
    daily = is_dosing_day(start, on, schedule, Frequency.DAILY)
    every_48h = is_dosing_day(start, on, schedule, Frequency.EVERY_48H)
    assert not every_48h or daily
    following = on + dt.timedelta(days=1)
    assert not (every_48h and is_dosing_day(start, following, schedule, Frequency.EVERY_48H))


# --- the report's "Next 4 weeks" through assess ---------------------------------------------------
#
# assess() builds the calendar from the dose decision: 28 days from as_of, cycles counted from
# the course start (facts §1: days 1–21 of 28, or continuous 28-day cycles; FL/MZL up to 12
# cycles) with the dose and frequency of the decision (facts §2: every 48 hours in severe renal
# impairment). Male, 68 y, 60 kg: CrCl = 60 / SCr.

AS_OF = dt.date(2026, 11, 20)
RECOVERED = [
    {"test": "anc", "value": 2000, "unit": "/uL", "date": "2026-11-18"},
    {"test": "platelets", "value": 150000, "unit": "/uL", "date": "2026-11-18"},
]


def _assessed_calendar(crcl, *, indication="mm_combination", events=None, counts=None, **patient):
    from lenaguard.assess import assess
    from tests.factories import lab, make_case

    case = make_case(
        as_of=AS_OF.isoformat(),
        indication=indication,
        patient={"age_years": 68, "weight_kg": 60, **patient},
        labs=[lab("creatinine", 60 / crcl, "mg/dL"), *(RECOVERED if counts is None else counts)],
        **({"therapy": {"events": events}} if events else {}),
    )
    assessment = assess(case, default_knowledge())
    return assessment, assessment.calendar


def _started(days_ago, dose, **event):
    start = AS_OF - dt.timedelta(days=days_ago)
    return {"date": start.isoformat(), "event": "start", "dose_mg": dose, **event}


def _cells(days):
    return [(d.cycle, d.cycle_day, d.dose_mg, d.note) for d in days]


def test_report_calendar_for_a_start_is_cycle_1_from_the_assessment_date():
    assessment, days = _assessed_calendar(90)
    assert assessment.dose.action is DoseAction.START
    assert len(days) == 28
    assert days[0].date == AS_OF
    assert _cells(days) == [(1, n, 25, DOSE) for n in range(1, 22)] + [
        (1, n, None, REST) for n in range(22, 29)
    ]


def test_report_calendar_for_a_severe_renal_start_doses_every_48_hours():
    _, days = _assessed_calendar(20)  # severe: 15 mg every 48 hours, days 1-21
    doses = [d.cycle_day for d in days if d.note == DOSE]
    assert doses == [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21]
    assert {d.dose_mg for d in days if d.note == DOSE} == {15}


def test_report_calendar_for_a_moderate_renal_maintenance_start_is_continuous():
    _, days = _assessed_calendar(40, indication="mm_maintenance")
    assert _cells(days) == [(1, n, 5, DOSE) for n in range(1, 29)]


def test_report_calendar_for_a_dialysis_start_keeps_days_1_to_21():
    assessment, days = _assessed_calendar(20, indication="fl", on_dialysis=True)
    assert assessment.dose.after_dialysis is True
    assert [d.dose_mg for d in days[:21]] == [5] * 21
    assert [d.note for d in days[21:]] == [REST] * 7


def test_report_calendar_for_continue_runs_on_into_the_next_cycle():
    # started 19 days ago: as_of is cycle 1 day 20
    assessment, days = _assessed_calendar(90, events=[_started(19, 25)])
    assert assessment.dose.action is DoseAction.CONTINUE
    assert _cells(days[:9]) == [(1, 20, 25, DOSE), (1, 21, 25, DOSE)] + [
        (1, n, None, REST) for n in range(22, 29)
    ]
    assert _cells(days[9:]) == [(2, n, 25, DOSE) for n in range(1, 20)]


def test_report_calendar_for_every_48_hours_keeps_the_parity_of_the_course_start():
    assessment, days = _assessed_calendar(20, events=[_started(19, 15, frequency="every_48h")])
    assert assessment.dose.action is DoseAction.CONTINUE
    assert [(d.cycle, d.cycle_day) for d in days if d.note == DOSE][:4] == [
        (1, 21),
        (2, 1),
        (2, 3),
        (2, 5),
    ]
    assert days[0].note == REST  # cycle 1 day 20: an off day


def test_report_calendar_for_a_hold_is_held_every_day_with_the_cycle_running_on():
    low = [RECOVERED[0], {**RECOVERED[1], "value": 20000}]
    assessment, days = _assessed_calendar(90, events=[_started(19, 25)], counts=low)
    assert assessment.dose.action is DoseAction.HOLD
    assert {d.note for d in days} == {HELD}
    assert all(d.dose_mg is None for d in days)
    assert (days[0].cycle, days[0].cycle_day) == (1, 20)
    assert (days[9].cycle, days[9].cycle_day) == (2, 1)


def test_report_calendar_for_a_resume_rejoins_the_cycle_where_it_stands():
    hold = {
        "date": (AS_OF - dt.timedelta(days=5)).isoformat(),
        "event": "hold",
        "reason": "thrombocytopenia",
    }
    # started 24 days ago: as_of is cycle 1 day 25, a rest day of days 1-21
    assessment, days = _assessed_calendar(90, events=[_started(24, 25), hold])
    assert assessment.dose.action is DoseAction.RESUME
    assert assessment.dose.dose_mg == 20  # next lower dose (facts §3, Table 1)
    assert _cells(days[:4]) == [(1, n, None, REST) for n in range(25, 29)]
    assert _cells(days[4:6]) == [(2, 1, 20, DOSE), (2, 2, 20, DOSE)]


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_report_calendar_in_cycle_12_ends_with_course_complete(indication):
    # cycle 12 day 20 = course day 328, i.e. started 327 days ago
    assessment, days = _assessed_calendar(90, indication=indication, events=[_started(327, 20)])
    assert assessment.dose.action is DoseAction.CONTINUE
    assert _cells(days[:2]) == [(12, 20, 20, DOSE), (12, 21, 20, DOSE)]
    assert [d.note for d in days[2:9]] == [REST] * 7
    assert [(d.note, d.cycle) for d in days[9:]] == [(COURSE_COMPLETE, None)] * 19


@pytest.mark.parametrize("indication", ["fl", "mzl"])
def test_report_calendar_after_cycle_12_is_stopped(indication):
    # 12 cycles complete on course day 337 (336 days after the start)
    assessment, days = _assessed_calendar(90, indication=indication, events=[_started(336, 20)])
    assert assessment.dose.action is DoseAction.STOP
    assert {(d.note, d.dose_mg) for d in days} == {(STOPPED, None)}


def test_report_calendar_without_a_dose_decision_is_empty():
    # no creatinine: no starting dose, so no calendar (nothing is invented)
    from lenaguard.assess import assess
    from tests.factories import make_case

    assert assess(make_case(labs=[]), default_knowledge()).calendar == []
