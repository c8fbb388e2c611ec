"""The monitoring decisions pinned exactly (issue 7): which CBC dates a schedule gives, the rule in
force and the due date at the edges (course day 1, phase boundaries, the last FL cycle, a restart
after a stop), the CBC dates of the dosing calendar, the overdue finding whole, and which other
checks (liver, thyroid, renal, digoxin) are listed with what reason.

Written against the mutants that survived `python benchmarks/mutation.py monitoring` (see
docs/mutation.md). Expected dates are worked out by hand from the facts file §4 (myeloma: every
7 days in cycles 1–2, days 1 and 15 of cycle 3, every 28 days from cycle 4; FL/MZL up to 12
cycles, every 28 days from cycle 5; every 7 days during an interruption) with day 1 = the first
dose (offset 0).
"""

from __future__ import annotations

import datetime as dt
import itertools

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.monitoring import CbcPhase, MonitoringKnowledge, Span
from lenaguard.rules.dose.monitoring import (
    CbcDue,
    CbcRegimen,
    _phase_offsets,
    _span_offsets,
    cbc_dates,
    cbc_next_due,
    decide_cbc_plan,
    evaluate,
    scheduled_offsets,
)
from lenaguard.vocab import DoseAction, Indication
from tests.factories import lab, make_case

KB = default_knowledge()
D = dt.date


def ev(date: str, event: str, dose: float | None = None, **extra) -> dict:
    entry = {"date": date, "event": event, **extra}
    if dose is not None:
        entry["dose_mg"] = dose
    return entry


def anc(date: str) -> dict:
    return lab("anc", 2000, "/uL", date=date)


def by_test(outcome) -> dict:
    return {item.test: item for item in outcome.monitoring}


def only(findings, finding_id: str):
    (found,) = [f for f in findings if f.id == finding_id]
    return found


# --- schedules as offsets -----------------------------------------------------------------------


def test_span_offsets_count_whole_weeks_and_cycles_from_offset_0():
    assert _span_offsets(Span(unit="weeks", first=1, last=8), 28) == (0, 55)
    assert _span_offsets(Span(unit="weeks", first=9), 28) == (56, None)
    assert _span_offsets(Span(unit="cycles", first=3, last=3), 28) == (56, 83)
    assert _span_offsets(Span(unit="cycles", first=4), 28) == (84, None)


def test_an_interval_phase_includes_its_last_day():
    phase = CbcPhase(span=Span(unit="cycles", first=1, last=1), interval_days=27)
    assert list(_phase_offsets(phase, 0, 28)) == [(0, 0), (27, 0)]


def test_a_cycle_days_phase_gives_only_its_own_cycles_up_to_the_cycle_s_last_day():
    phase = CbcPhase(span=Span(unit="cycles", first=2, last=2), cycle_days=[1, 28])
    assert list(_phase_offsets(phase, 1, 28)) == [(28, 1), (55, 1)]


def test_dates_of_overlapping_phases_are_given_once_with_the_first_phase():
    schedule = (
        KB.get(MonitoringKnowledge)
        .cbc.schedule_for(Indication.MM_COMBINATION)
        .model_copy(
            update={
                "phases": [
                    CbcPhase(span=Span(unit="cycles", first=1, last=1), interval_days=7),
                    CbcPhase(span=Span(unit="cycles", first=1, last=1), cycle_days=[1, 8]),
                    CbcPhase(span=Span(unit="cycles", first=2), interval_days=28),
                ]
            }
        )
    )
    assert list(itertools.islice(scheduled_offsets(schedule, 28), 6)) == [
        (0, 0),
        (7, 0),
        (14, 0),
        (21, 0),
        (28, 2),
        (56, 2),
    ]


# --- the CBC plan at its edges ------------------------------------------------------------------


def test_on_the_first_day_of_the_course_the_schedule_is_in_force_weekly():
    case = make_case(therapy={"events": [ev("2026-11-20", "start", 25)]}, labs=[anc("2026-11-20")])
    plan = decide_cbc_plan(case, KB)
    assert (plan.regimen, plan.due, plan.due_because, plan.overdue) == (
        CbcRegimen.SCHEDULED,
        D(2026, 11, 20),
        CbcDue.SCHEDULED,
        False,
    )
    assert (plan.interval_days, plan.cycle_position, plan.course_start) == (
        7,
        (1, 1),
        D(2026, 11, 20),
    )


def test_before_the_last_weekly_count_of_cycle_2_the_interval_is_still_7_days():
    # Day 52 (cycle 2, day 24): the last weekly count was day 50, the next is cycle 3 day 1.
    case = make_case(therapy={"events": [ev("2026-09-30", "start", 25)]}, labs=[anc("2026-11-18")])
    plan = decide_cbc_plan(case, KB)
    assert (plan.due, plan.due_because, plan.interval_days, plan.next_scheduled) == (
        D(2026, 11, 25),
        CbcDue.SCHEDULED,
        7,
        D(2026, 11, 25),
    )


def test_a_held_course_without_any_cbc_has_no_position_and_is_due_now():
    events = [ev("2026-09-01", "start", 25), ev("2026-11-10", "hold", reason="neutropenia")]
    case = make_case(therapy={"events": events})
    plan = decide_cbc_plan(case, KB)
    assert (plan.regimen, plan.due, plan.due_because, plan.overdue, plan.cycle_position) == (
        CbcRegimen.INTERRUPTION,
        D(2026, 11, 20),
        CbcDue.HELD_NO_CBC,
        True,
        None,
    )
    outcome = evaluate(case, KB)
    schedule = only(outcome.findings, "monitoring.cbc_schedule")
    assert "None" not in schedule.detail
    assert schedule.detail.startswith("While lenalidomide is interrupted, check the blood count")
    overdue = only(outcome.findings, "monitoring.cbc_overdue")
    assert overdue.summary == "Blood count (CBC) overdue: no CBC on record; check it now."
    assert overdue.inputs == {
        "as_of": "2026-11-20",
        "last_cbc": None,
        "missed_scheduled_date": None,
        "regimen": "interruption",
    }


def test_a_count_due_in_the_last_fl_cycle_is_scheduled_and_one_after_it_ends_the_course():
    # FL course from 2025-12-19: cycle 12 starts 2026-10-23; counts every 28 days from cycle 5
    # fall on day 1 of each cycle, so the one after cycle 12 is 2026-11-20.
    events = [ev("2025-12-19", "start", 20)]
    case = make_case(
        indication="fl", as_of="2026-10-01", therapy={"events": events}, labs=[anc("2026-09-30")]
    )
    plan = decide_cbc_plan(case, KB)
    assert (plan.due, plan.due_because, plan.overdue, plan.last_cycle) == (
        D(2026, 10, 23),
        CbcDue.SCHEDULED,
        False,
        None,
    )
    case = make_case(
        indication="fl", as_of="2026-10-30", therapy={"events": events}, labs=[anc("2026-10-29")]
    )
    plan = decide_cbc_plan(case, KB)
    assert (plan.due, plan.due_because, plan.overdue, plan.last_cycle) == (
        D(2026, 11, 20),
        CbcDue.END_OF_COURSE,
        False,
        12,
    )
    item = cbc_next_due(
        indication=Indication.FL,
        course_start=D(2025, 12, 19),
        as_of=D(2026, 10, 30),
        held_since=None,
        last_cbc=D(2026, 10, 29),
        kb=KB,
    )
    assert (item.due, item.reason) == (
        D(2026, 11, 20),
        "End-of-course count: the schedule falls on the day after cycle 12, the last cycle the "
        "label gives (up to 12 cycles); counts after the course are the prescriber's decision; "
        "last CBC 2026-10-29.",
    )


def test_a_restart_after_a_stop_needs_a_new_baseline_count():
    case = make_case(
        therapy={"events": [ev("2026-09-01", "start", 25), ev("2026-10-01", "stop")]},
        labs=[anc("2026-11-18")],
    )
    plan = decide_cbc_plan(case, KB, action=DoseAction.START)
    assert (plan.regimen, plan.due, plan.due_because, plan.course_start) == (
        CbcRegimen.BASELINE,
        D(2026, 11, 20),
        CbcDue.BASELINE,
        None,
    )
    outcome = evaluate(case, KB, action=DoseAction.START)
    items = by_test(outcome)
    assert (
        items["cbc"].reason == "Baseline blood count before the first dose (last CBC 2026-11-18)."
    )
    assert items["creatinine"].reason.startswith(
        "Renal function (serum creatinine for Cockcroft-Gault creatinine clearance): no result on "
        "record; check before the first dose."
    )
    assert only(outcome.findings, "monitoring.cbc_schedule").inputs["cbc_due"] == "2026-11-20"


# --- the overdue finding and the other checks ----------------------------------------------------


def test_a_missed_scheduled_count_and_the_other_checks_on_treatment():
    # Day 51 (cycle 2, day 23) of a course from 2026-10-01; the last CBC was day 30, so the count
    # of day 50 (2026-11-19) was missed. Liver enzymes from the start day, TSH only from day 2,
    # creatinine today, digoxin under two names.
    case = make_case(
        therapy={"events": [ev("2026-10-01", "start", 25)]},
        labs=[
            anc("2026-10-30"),
            lab("alt", 20, "U/L", date="2026-10-01"),
            lab("ast", 20, "U/L", date="2026-11-20"),
            lab("tsh", 1.0, "mIU/L", date="2026-10-02"),
            lab("creatinine", 1.0, "mg/dL", date="2026-11-20"),
        ],
        medications=[{"name": "digoxin"}, {"name": "Lanoxin"}],
    )
    outcome = evaluate(case, KB)
    overdue = only(outcome.findings, "monitoring.cbc_overdue")
    assert overdue.summary == "Blood count (CBC) overdue: last CBC 2026-10-30; check it now."
    assert overdue.inputs == {
        "as_of": "2026-11-20",
        "last_cbc": "2026-10-30",
        "missed_scheduled_date": "2026-11-19",
        "regimen": "scheduled",
    }
    items = by_test(outcome)
    assert sorted(items) == ["cbc", "digoxin_level", "liver_enzymes", "tsh"]
    assert all(item.due == D(2026, 11, 20) for item in items.values())
    reminder = (
        "The label sets no interval: lenaguard lists it with the next blood count as a reminder; "
        "the prescriber decides how often."
    )
    assert items["liver_enzymes"].reason == (
        "Liver enzymes (ALT, AST): periodically during treatment; the label gives no fixed "
        f"interval. Latest result 2026-11-20. {reminder}"
    )
    assert items["tsh"].reason == (
        "Thyroid function (TSH): before the start and during treatment; no fixed interval is "
        f"given. Latest result 2026-10-02. {reminder} No result from before the course start is "
        "on record."
    )
    assert items["digoxin_level"].reason == (
        "Digoxin blood level (Lanoxin, digoxin with lenalidomide): periodically while digoxin is "
        f"taken with lenalidomide; no fixed interval is given. {reminder} Lenalidomide raised the "
        "peak digoxin level (Cmax) in a study; the total exposure (AUC) did not change "
        "significantly."
    )


def test_a_baseline_result_dated_today_counts():
    case = make_case(labs=[lab("tsh", 1.0, "mIU/L", date="2026-11-20")])
    items = by_test(evaluate(case, KB))
    assert "tsh" not in items
    assert items["liver_enzymes"].due == D(2026, 11, 20)


# --- CBC dates of the dosing calendar -----------------------------------------------------------


def test_cbc_dates_while_held_are_weekly_from_the_due_date_to_the_last_day_inclusive():
    case = make_case(
        therapy={
            "events": [
                ev("2026-09-01", "start", 25),
                ev("2026-11-10", "hold", reason="neutropenia"),
            ]
        },
        labs=[anc("2026-11-15")],
    )
    assert cbc_dates(case, KB, action=None, until=D(2026, 11, 29)) == [
        D(2026, 11, 22),
        D(2026, 11, 29),
    ]
    assert cbc_dates(case, KB, action=None, until=D(2026, 11, 22)) == [D(2026, 11, 22)]
    assert cbc_dates(case, KB, action=None, until=D(2026, 11, 21)) == []


def test_cbc_dates_of_a_hold_starting_today_are_weekly_from_a_week_after_the_last_count():
    case = make_case(therapy={"events": [ev("2026-10-01", "start", 25)]}, labs=[anc("2026-11-19")])
    assert cbc_dates(case, KB, action=DoseAction.HOLD, until=D(2026, 12, 4)) == [
        D(2026, 11, 27),
        D(2026, 12, 4),
    ]


def test_cbc_dates_on_treatment_follow_the_schedule_without_repeating_the_due_date():
    # Day 51 of a course from 2026-10-01, last CBC on day 50: due on cycle 3 day 1 (2026-11-26),
    # then cycle 3 day 15 (2026-12-10).
    case = make_case(therapy={"events": [ev("2026-10-01", "start", 25)]}, labs=[anc("2026-11-19")])
    assert cbc_dates(case, KB, action=None, until=D(2026, 12, 10)) == [
        D(2026, 11, 26),
        D(2026, 12, 10),
    ]


def test_cbc_dates_of_a_course_starting_today_follow_the_schedule_from_today():
    case = make_case(labs=[anc("2026-11-18")])
    assert cbc_dates(case, KB, action=DoseAction.START, until=D(2026, 12, 4)) == [
        D(2026, 11, 20),
        D(2026, 11, 27),
        D(2026, 12, 4),
    ]
    # Without a start today only the baseline count is known.
    assert cbc_dates(case, KB, action=None, until=D(2026, 12, 4)) == [D(2026, 11, 20)]
