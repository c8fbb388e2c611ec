"""The current treatment course, read from the therapy timeline of a case.

A course begins at a `start` event (a later `start` after a `stop` begins a new course).
Cycles are counted from the course start; interruptions do not move the cycle calendar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from lenaguard.case import Case, TherapyEvent
from lenaguard.vocab import EventKind, Frequency, HoldReason


class CourseStatus(StrEnum):
    NOT_STARTED = "not_started"
    ACTIVE = "active"
    HELD = "held"
    STOPPED = "stopped"

    @property
    def started(self) -> bool:
        """Whether any course was ever started (a never-started course gets do_not_start)."""
        return self is not CourseStatus.NOT_STARTED


@dataclass(frozen=True)
class Course:
    """Where the patient stands in the current lenalidomide course on the assessment date."""

    status: CourseStatus
    start_date: dt.date | None
    """Start of the current course (None before any start)."""
    first_start_date: dt.date | None
    """Start of the first course ever recorded."""
    start_dose_mg: float | None
    """Dose at the start of the current course."""
    dose_mg: float | None
    """Current (or, when held or stopped, last given) dose."""
    frequency: Frequency
    days_on: tuple[int, int] | None
    """Dosing days when the timeline sets them; None means the indication's schedule."""
    held_since: dt.date | None
    hold_reason: HoldReason | None
    stopped_on: dt.date | None
    events: tuple[TherapyEvent, ...]
    """Events of the current course, oldest first."""

    @property
    def started(self) -> bool:
        return self.status is not CourseStatus.NOT_STARTED


def current_course(case: Case) -> Course:
    """Summarise the timeline as of the assessment date (events are validated in date order)."""
    events = [] if case.therapy is None else list(case.therapy.events)
    if not events:
        return Course(
            status=CourseStatus.NOT_STARTED,
            start_date=None,
            first_start_date=None,
            start_dose_mg=None,
            dose_mg=None,
            frequency=Frequency.DAILY,
            days_on=None,
            held_since=None,
            hold_reason=None,
            stopped_on=None,
            events=(),
        )
    starts = [index for index, event in enumerate(events) if event.event is EventKind.START]
    course_events = events[starts[-1] :]
    dose = frequency = days_on = held_since = hold_reason = stopped_on = None
    status = CourseStatus.ACTIVE
    for event in course_events:
        if event.event in (EventKind.START, EventKind.RESUME, EventKind.DOSE_CHANGE):
            dose = event.dose_mg
            frequency = event.frequency or Frequency.DAILY
            days_on = event.days_on
            status, held_since, hold_reason = CourseStatus.ACTIVE, None, None
        elif event.event is EventKind.HOLD:
            status, held_since, hold_reason = CourseStatus.HELD, event.date, event.reason
        elif event.event is EventKind.STOP:
            status, stopped_on = CourseStatus.STOPPED, event.date
    return Course(
        status=status,
        start_date=course_events[0].date,
        first_start_date=events[starts[0]].date,
        start_dose_mg=course_events[0].dose_mg,
        dose_mg=dose,
        frequency=frequency or Frequency.DAILY,
        days_on=days_on,
        held_since=held_since,
        hold_reason=hold_reason,
        stopped_on=stopped_on,
        events=tuple(course_events),
    )
