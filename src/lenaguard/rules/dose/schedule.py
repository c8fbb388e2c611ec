"""The dosing (cycle) calendar: where a date falls in the course, and what happens each day.

Conventions (docs/rules/schedule-and-monitoring.md):

- Cycles are counted from the course start: the first dose is cycle 1, day 1, and each cycle
  lasts the indication's `cycle_days`. Interruptions do not move the calendar (the convention
  of `rules.course`): after a hold the patient rejoins the cycle on the date it has reached.
- Every 48 hours (severe renal impairment): a dose on the course start and on every second
  calendar day after it, only on the cycle's dosing days. With 28-day cycles this is cycle
  days 1, 3, 5, … of every cycle. The parity is counted from the course start, so a hold does
  not shift it either.
- A course limited to `max_cycles` (FL, MZL) shows "course complete" after its last cycle.
- Missed doses follow the indications file's `missed_dose` entry (see `missed_dose_advice`).
"""

from __future__ import annotations

import datetime as dt

from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import CycleSchedule, IndicationsKnowledge
from lenaguard.rules.base.results import CalendarDay
from lenaguard.text import format_number
from lenaguard.vocab import Category, DoseAction, Frequency, Severity

_schedule_finding = Finding.maker(Category.SCHEDULE)


DOSE = "dose"
REST = "rest"
HELD = "held"
STOPPED = "stopped"
NOT_STARTED = "not started"
COURSE_COMPLETE = "course complete"
"""The calendar's day notes."""

_ONE_DAY = dt.timedelta(days=1)


def cycle_position(course_start: dt.date, on: dt.date, cycle_days: int) -> tuple[int, int]:
    """(cycle, day of cycle), both counted from 1, of date `on` in a course begun `course_start`.

    Raises ValueError when `on` is before the course start or `cycle_days` is not positive:
    there is no cycle position then, and callers check for it.
    """
    if cycle_days < 1:
        raise ValueError(f"cycle_days must be positive, got {cycle_days}")
    elapsed = (on - course_start).days
    if elapsed < 0:
        raise ValueError(f"{on} is before the course start {course_start}")
    cycles_done, day_index = divmod(elapsed, cycle_days)
    return cycles_done + 1, day_index + 1


def _even(number: int) -> bool:
    """True for 0, 2, 4, …: every 48 hours means every second day counted from day 0."""
    return number & 1 == 0


def is_dosing_day(
    course_start: dt.date, on: dt.date, schedule: CycleSchedule, frequency: Frequency
) -> bool:
    """Whether `on` is a day a dose is taken, by the cycle schedule and the frequency."""
    if on < course_start:
        return False
    _, day = cycle_position(course_start, on, schedule.cycle_days)
    first, last = schedule.days_on
    if not first <= day <= last:
        return False
    if frequency is Frequency.EVERY_48H:
        return _even((on - course_start).days)
    return True


def _day(
    on: dt.date,
    *,
    start: dt.date | None,
    schedule: CycleSchedule,
    dose_mg: float | None,
    frequency: Frequency,
    action: DoseAction,
    max_cycles: int | None,
) -> CalendarDay:
    if action is DoseAction.STOP:
        return CalendarDay(date=on, cycle=None, cycle_day=None, dose_mg=None, note=STOPPED)
    cycle = cycle_day = None
    if start is not None and on >= start:
        cycle, cycle_day = cycle_position(start, on, schedule.cycle_days)
    if action is DoseAction.HOLD:
        return CalendarDay(date=on, cycle=cycle, cycle_day=cycle_day, dose_mg=None, note=HELD)
    if start is None or cycle is None:
        return CalendarDay(date=on, cycle=None, cycle_day=None, dose_mg=None, note=NOT_STARTED)
    if max_cycles is not None and cycle > max_cycles:
        return CalendarDay(date=on, cycle=None, cycle_day=None, dose_mg=None, note=COURSE_COMPLETE)
    if is_dosing_day(start, on, schedule, frequency):
        return CalendarDay(date=on, cycle=cycle, cycle_day=cycle_day, dose_mg=dose_mg, note=DOSE)
    return CalendarDay(date=on, cycle=cycle, cycle_day=cycle_day, dose_mg=None, note=REST)


def dosing_calendar(
    *,
    course_start: dt.date | None,
    schedule: CycleSchedule,
    dose_mg: float | None,
    frequency: Frequency,
    from_date: dt.date,
    days: int,
    action: DoseAction,
    max_cycles: int | None,
) -> list[CalendarDay]:
    """The `days` calendar days from `from_date` (inclusive), one CalendarDay each.

    - stop: every day "stopped"; hold: every day "held" (no dose; the cycle position is kept
      when the course has started, because the calendar runs on during a hold).
    - start without `course_start`: the course starts on `from_date` (cycle 1, day 1).
    - before the course start, or with no course start for continue/resume: "not started".
    - after cycle `max_cycles`: "course complete".
    - otherwise "dose" on dosing days (with `dose_mg`; null when the dose is not decided)
      and "rest" on the other days.
    A `days` of zero or less gives an empty calendar.
    """
    start = course_start
    if start is None and action is DoseAction.START:
        start = from_date
    return [
        _day(
            from_date + _ONE_DAY * offset,
            start=start,
            schedule=schedule,
            dose_mg=dose_mg,
            frequency=frequency,
            action=action,
            max_cycles=max_cycles,
        )
        for offset in range(max(days, 0))
    ]


def missed_dose_advice(kb: KnowledgeBase) -> Finding:
    """What to do about a missed dose (the indications file's `missed_dose` entry)."""
    missed = kb.get(IndicationsKnowledge).missed_dose
    hours = format_number(missed.hours_late_limit)
    return _schedule_finding(
        missed,
        name="missed_dose",
        severity=Severity.INFO,
        summary=(
            f"Missed dose: take it if less than {hours} hours late, otherwise skip it; "
            "never take two doses to make up."
        ),
        detail=missed.text,
        inputs={"hours_late_limit": missed.hours_late_limit},
    )
