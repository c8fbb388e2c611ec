"""The CBC decision (`decide_cbc_plan`): which rule is in force and why the next count falls due.

Decision fields only, no wording. Expected dates are worked out by hand from the facts file §4
(myeloma: weekly in cycles 1–2, days 1 and 15 of cycle 3, every 28 days from cycle 4; FL/MZL
up to 12 cycles; a weekly count during an interruption) with day 1 = the first dose.
"""

from __future__ import annotations

import datetime as dt

from lenaguard.knowledge import default_knowledge
from lenaguard.knowledge.topics.monitoring import MonitoringKnowledge
from lenaguard.rules.dose.monitoring import CbcDue, CbcRegimen, decide_cbc_plan
from lenaguard.vocab import DoseAction, Indication
from tests.factories import lab, make_case

KB = default_knowledge()
AS_OF = dt.date(2026, 11, 20)


def day_of_course(n: int, as_of_day: int) -> dt.date:
    """Course day n of a course whose day `as_of_day` is AS_OF."""
    return AS_OF + dt.timedelta(days=n - as_of_day)


def on_course(as_of_day: int, last_cbc_day: int | None, indication: str = "mm_combination"):
    """An active course on its day `as_of_day`, with an ANC on `last_cbc_day` (if any)."""
    start = day_of_course(1, as_of_day)
    labs = []
    if last_cbc_day is not None:
        labs = [lab("anc", 2000, "/uL", date=day_of_course(last_cbc_day, as_of_day).isoformat())]
    events = [{"date": start.isoformat(), "event": "start", "dose_mg": 10}]
    return make_case(indication=indication, therapy={"events": events}, labs=labs), start


def held(hold_days_ago: int, last_cbc_days_ago: int | None):
    start = AS_OF - dt.timedelta(days=20)
    hold = AS_OF - dt.timedelta(days=hold_days_ago)
    labs = []
    if last_cbc_days_ago is not None:
        labs = [
            lab("anc", 800, "/uL", date=(AS_OF - dt.timedelta(days=last_cbc_days_ago)).isoformat())
        ]
    events = [
        {"date": start.isoformat(), "event": "start", "dose_mg": 25},
        {"date": hold.isoformat(), "event": "hold", "reason": "neutropenia"},
    ]
    return make_case(therapy={"events": events}, labs=labs), hold


def test_before_the_first_dose_a_baseline_count_is_due_today():
    plan = decide_cbc_plan(make_case(), KB)
    assert plan.regimen is CbcRegimen.BASELINE
    assert plan.due_because is CbcDue.BASELINE
    assert (plan.due, plan.overdue) == (AS_OF, False)
    assert plan.entry == plan.schedule
    assert plan.course_start is None and plan.cycle_position is None


def test_a_stop_ends_the_treatment_counts():
    case, _ = on_course(10, 8)
    plan = decide_cbc_plan(case, KB, action=DoseAction.STOP)
    assert plan.regimen is CbcRegimen.NONE
    assert (plan.due, plan.due_because, plan.overdue) == (None, None, False)


def test_on_schedule_the_next_weekly_count():
    case, start = on_course(10, 8)
    plan = decide_cbc_plan(case, KB)
    assert plan.regimen is CbcRegimen.SCHEDULED
    assert plan.due_because is CbcDue.SCHEDULED
    assert plan.due == plan.next_scheduled == day_of_course(15, 10)
    assert (plan.course_start, plan.cycle_position) == (start, (1, 10))
    assert plan.interval_days == 7
    assert plan.next_scheduled_phase == plan.schedule.phases[0]
    assert plan.last_cbc == day_of_course(8, 10)
    assert not plan.overdue


def test_no_count_on_record_during_treatment_is_overdue_now():
    case, _ = on_course(20, None)
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.NO_CBC
    assert (plan.due, plan.overdue) == (AS_OF, True)


def test_a_missed_weekly_count_names_the_missed_date():
    case, _ = on_course(10, 1)  # the day-8 count was not done
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.MISSED
    assert (plan.due, plan.overdue, plan.missed) == (AS_OF, True, day_of_course(8, 10))


def test_a_count_older_than_the_interval_in_force_is_overdue():
    # cycle 4 day 1 (day 85) starts the 28-day phase; the last count, on day 81, is 31 days old
    case, _ = on_course(112, 81)
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.INTERVAL_PASSED
    assert (plan.due, plan.overdue, plan.interval_days) == (AS_OF, True, 28)


def test_an_early_draw_brings_the_next_count_forward():
    case, _ = on_course(9, 6)  # drawn on day 6 for day 8: next one week later, day 13
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.AFTER_LAST_CBC
    assert plan.due == day_of_course(13, 9)
    assert plan.next_scheduled == day_of_course(15, 9)
    assert not plan.overdue


def test_after_the_last_fl_cycle_the_count_is_the_end_of_course_count():
    case, start = on_course(324, 322, indication="fl")  # cycle 12 day 16
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.END_OF_COURSE
    assert plan.last_cycle == 12
    assert plan.due == start + dt.timedelta(days=12 * 28)


def test_interruption_counts_weekly_from_the_later_of_hold_and_last_count():
    case, hold = held(hold_days_ago=3, last_cbc_days_ago=3)
    plan = decide_cbc_plan(case, KB)
    interruption = KB.get(MonitoringKnowledge).cbc.interruption
    assert plan.regimen is CbcRegimen.INTERRUPTION
    assert plan.due_because is CbcDue.HELD
    assert plan.entry == interruption
    assert (plan.held_since, plan.interval_days) == (hold, 7)
    assert (plan.due, plan.overdue) == (hold + dt.timedelta(days=7), False)


def test_an_interruption_count_past_its_week_is_overdue_since_that_day():
    case, hold = held(hold_days_ago=12, last_cbc_days_ago=12)
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.HELD_OVERDUE
    assert (plan.due, plan.overdue) == (AS_OF, True)
    assert plan.overdue_since == hold + dt.timedelta(days=7)


def test_an_interruption_without_any_count_is_overdue_now():
    case, _ = held(hold_days_ago=3, last_cbc_days_ago=None)
    plan = decide_cbc_plan(case, KB)
    assert plan.due_because is CbcDue.HELD_NO_CBC
    assert (plan.due, plan.overdue) == (AS_OF, True)


def test_the_dose_action_of_the_day_switches_the_regimen():
    case, _ = on_course(10, 10)
    hold_today = decide_cbc_plan(case, KB, action=DoseAction.HOLD)
    assert hold_today.regimen is CbcRegimen.INTERRUPTION
    assert (hold_today.held_since, hold_today.due) == (AS_OF, AS_OF + dt.timedelta(days=7))
    held_case, _ = held(hold_days_ago=3, last_cbc_days_ago=3)
    resumed = decide_cbc_plan(held_case, KB, action=DoseAction.RESUME)
    assert resumed.regimen is CbcRegimen.SCHEDULED


def test_the_plan_follows_the_indication_schedule():
    case, _ = on_course(10, 8, indication=Indication.MDS_DEL5Q.value)
    plan = decide_cbc_plan(case, KB)
    assert plan.indication is Indication.MDS_DEL5Q
    assert Indication.MDS_DEL5Q in plan.schedule.indications
