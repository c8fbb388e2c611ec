"""What the dose rules need to know from the treatment timeline and the lab series.

The timeline gives the current dose and its rung on the indication's dose ladder, whether the
patient is at the floor, and the interruptions of the current course (so that a first fall can
be told from a later one). The lab series gives the current counts, the pre-treatment
(baseline) counts, how long a count has stayed low, and the context the label's rows mention:
fever and platelet transfusions.

Decisions recorded here (see docs/rules/dose-modification.md):
- A count is *current* when it is dated on or after the last event of the course; an older
  count describes the patient before the last change and cannot decide the next one.
- The *baseline* is the latest result on or before the first day of the course (pre-dose
  day-1 counts are baseline counts).
- A count has stayed low "for N days" when consecutive results, all low, span at least N days
  from the first to the latest (a single low result spans zero days).
- "Within the first 4 weeks" on a dose counts the first dose day as day 1, so day 28 is within
  and day 29 is after.
- Falls of a count are counted within the current course: holds recorded for that count,
  and holds recorded for something else during which the count met its row (see
  `hematologic.falls_before`). `Timeline.falls` counts the recorded reasons only.
- Every-48-hour doses are placed on the once-daily ladder by mg per cycle (half the daily
  amount) and never step below the floor taken once daily.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lenaguard.case import Case, LabResult, Transfusion
from lenaguard.knowledge.base import Cited
from lenaguard.knowledge.topics.dose_modification import IndicationTable, Ladder, LadderStep
from lenaguard.knowledge.topics.indications import CycleSchedule
from lenaguard.rules.base.course import Course, CourseStatus, current_course
from lenaguard.rules.base.results import DoseOption
from lenaguard.vocab import EventKind, Frequency, HoldReason, LabTest, Symptom, TransfusionKind

_DOSING_EVENTS = (EventKind.START, EventKind.RESUME, EventKind.DOSE_CHANGE)


@dataclass(frozen=True)
class HoldEpisode:
    """One interruption of the current course."""

    reason: HoldReason
    held_on: dt.date
    ended_on: dt.date | None
    """Date of the resume or stop that ended it; None while it lasts."""
    dose_before_mg: float | None
    days_on_before: tuple[int, int] | None
    number: int
    """1 for the first hold with this reason in the course, 2 for the second, ..."""


@dataclass(frozen=True)
class Timeline:
    """The current course with its interruptions, as of the assessment date."""

    course: Course
    holds: tuple[HoldEpisode, ...]
    last_event_date: dt.date | None
    dosing_since: dt.date | None
    """Date of the latest start, resume or dose change: the start of the current dosing period."""

    @property
    def current_hold(self) -> HoldEpisode | None:
        if self.course.status is CourseStatus.HELD and self.holds:
            return self.holds[-1]
        return None

    def falls(self, reason: HoldReason) -> int:
        """How many holds with this reason the current course has (the open one included)."""
        return sum(1 for episode in self.holds if episode.reason is reason)

    def dosing_period_at(self, on: dt.date) -> dt.date | None:
        """Start of the dosing period in force on a date: the latest start, resume or dose
        change on or before it (None before the course)."""
        since = None
        for event in self.course.events:
            if event.date > on:
                break
            if event.event in _DOSING_EVENTS:
                since = event.date
        return since

    def dose_first_given(self, dose_mg: float) -> dt.date | None:
        """The first date in the current course from which this dose was given."""
        for event in self.course.events:
            if event.event in _DOSING_EVENTS and event.dose_mg == dose_mg:
                return event.date
        return None


def build_timeline(case: Case) -> Timeline:
    """Read the current course and its hold episodes from the case's timeline."""
    course = current_course(case)
    holds: list[HoldEpisode] = []
    counts: dict[HoldReason, int] = {}
    dose: float | None = None
    days_on: tuple[int, int] | None = None
    dosing_since: dt.date | None = None
    for event in course.events:
        if event.event in _DOSING_EVENTS:
            if holds and holds[-1].ended_on is None:
                holds[-1] = _ended(holds[-1], event.date)
            dose, days_on, dosing_since = event.dose_mg, event.days_on, event.date
        elif event.event is EventKind.HOLD and event.reason is not None:
            counts[event.reason] = counts.get(event.reason, 0) + 1
            holds.append(
                HoldEpisode(
                    reason=event.reason,
                    held_on=event.date,
                    ended_on=None,
                    dose_before_mg=dose,
                    days_on_before=days_on,
                    number=counts[event.reason],
                )
            )
        elif event.event is EventKind.STOP and holds and holds[-1].ended_on is None:
            holds[-1] = _ended(holds[-1], event.date)
    last = course.events[-1].date if course.events else None
    return Timeline(
        course=course, holds=tuple(holds), last_event_date=last, dosing_since=dosing_since
    )


def _ended(episode: HoldEpisode, on: dt.date) -> HoldEpisode:
    return HoldEpisode(
        reason=episode.reason,
        held_on=episode.held_on,
        ended_on=on,
        dose_before_mg=episode.dose_before_mg,
        days_on_before=episode.days_on_before,
        number=episode.number,
    )


# --- dose ladder -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LadderPosition:
    """Where a dose sits on an indication's ladder."""

    ladder: Ladder
    covered: bool
    """False when no ladder is written for the course's starting dose (a fallback is used)."""
    dose_mg: float
    days_on: tuple[int, int]
    level: int | None
    """Index of the matching step (0 = top); None when the dose is not a step of the ladder."""
    next_lower: LadderStep | None
    """The step a reduction goes to; None at or below the floor."""
    above_top: bool
    below_floor: bool = False
    """Fewer mg per cycle than the label's lowest dose (e.g. a dose the prescriber chose)."""

    @property
    def floor(self) -> LadderStep:
        return self.ladder.steps[-1]

    @property
    def at_floor(self) -> bool:
        """At or below the lowest step: the label gives no lower dose."""
        return self.next_lower is None


def ladder_for(table: IndicationTable, start_dose_mg: float | None) -> tuple[Ladder, bool]:
    """The ladder written for this starting dose, else the general one, else the first.

    The second value is False when the table has no ladder for this starting dose.
    """
    for ladder in table.ladders:
        if ladder.for_start_mg is not None and start_dose_mg in ladder.for_start_mg:
            return ladder, True
    for ladder in table.ladders:
        if ladder.for_start_mg is None:
            return ladder, True
    return table.ladders[0], False


def step_days(step: LadderStep, schedule: CycleSchedule) -> tuple[int, int]:
    return step.days_on or schedule.days_on


def intensity(
    dose_mg: float, days_on: tuple[int, int], frequency: Frequency = Frequency.DAILY
) -> float:
    """A measure proportional to mg per cycle: how ladder steps are ordered and compared.

    It is the dose taken per 48 hours times the dosing days of the cycle, so that a course
    dosed every 48 hours counts half as much as the same dose once daily (15 mg every 48 hours
    sits between 5 and 10 mg daily). Only comparisons of this measure are meaningful.
    """
    first, last = days_on
    per_48_hours = dose_mg if frequency is Frequency.EVERY_48H else dose_mg + dose_mg
    return per_48_hours * (last - first + 1)


def ladder_position(
    ladder: Ladder,
    covered: bool,
    dose_mg: float,
    days_on: tuple[int, int] | None,
    schedule: CycleSchedule,
    frequency: Frequency = Frequency.DAILY,
) -> LadderPosition:
    """Place a dose (with its dosing days and frequency) on a ladder.

    Lower steps have fewer mg per cycle. The ladder is written for once-daily dosing and its
    floor is a daily dose ("never below 2.5 mg daily"): an every-48-hour course steps down the
    same doses, keeping its frequency, but never to a step that gives fewer mg per cycle than
    the floor given once daily (MCL 10 mg every 48 hours is at the floor: 5 mg every 48 hours
    would be half of 5 mg daily).
    """
    days = days_on or schedule.days_on
    current = intensity(dose_mg, days, frequency)
    floor = ladder.steps[-1]
    floor_mg = intensity(floor.dose_mg, step_days(floor, schedule))
    level = next(
        (
            index
            for index, step in enumerate(ladder.steps)
            if step.dose_mg == dose_mg and step_days(step, schedule) == days
        ),
        None,
    )
    lower = next(
        (
            step
            for step in ladder.steps
            if intensity(step.dose_mg, step_days(step, schedule), frequency) < current
            and intensity(step.dose_mg, step_days(step, schedule), frequency) >= floor_mg
        ),
        None,
    )
    top = ladder.steps[0]
    return LadderPosition(
        ladder=ladder,
        covered=covered,
        dose_mg=dose_mg,
        days_on=days,
        level=level,
        next_lower=lower,
        above_top=current > intensity(top.dose_mg, step_days(top, schedule)),
        below_floor=current < floor_mg,
    )


# --- lab series ------------------------------------------------------------------------------


def baseline_result(case: Case, test: LabTest, course_start: dt.date | None) -> LabResult | None:
    """The latest result of a test on or before the first day of the course."""
    if course_start is None:
        return None
    return case.latest(test, on_or_before=course_start)


def current_result(case: Case, test: LabTest, since: dt.date | None) -> LabResult | None:
    """The latest result on or before as_of, if dated on or after `since` (else None)."""
    latest = case.latest(test)
    if latest is None or latest.canonical_value is None:
        return None
    if since is not None and latest.date < since:
        return None
    return latest


def results_until(case: Case, test: LabTest, until: dt.date) -> list[LabResult]:
    """Numeric results of a test up to a date, oldest first."""
    return [
        result
        for result in case.series(test)
        if result.date <= until and result.canonical_value is not None
    ]


def low_run(results: list[LabResult], end: int, is_low) -> list[LabResult]:
    """The consecutive results ending at index `end` for which `is_low(value)` holds."""
    run: list[LabResult] = []
    for result in reversed(results[: end + 1]):
        if result.canonical_value is None or not is_low(result.canonical_value):
            break
        run.append(result)
    return list(reversed(run))


def span_days(run: list[LabResult]) -> int:
    """Days from the first to the last result of a run (0 for one result)."""
    if not run:
        return 0
    return (run[-1].date - run[0].date).days


def fever_reported(case: Case) -> bool:
    """Whether the case reports fever now (symptoms carry no temperature)."""
    return Symptom.FEVER in case.symptoms


def bleeding_reported(case: Case) -> bool:
    return Symptom.BLEEDING in case.symptoms


def platelet_transfusions(case: Case, since: dt.date | None) -> list[Transfusion]:
    """Platelet transfusions dated in the current dosing period (from `since` to as_of)."""
    return [
        transfusion
        for transfusion in case.transfusions
        if transfusion.kind is TransfusionKind.PLATELETS
        and (since is None or transfusion.date >= since)
        and transfusion.date <= case.as_of
    ]


def within_first_weeks(first_dose: dt.date, on: dt.date, weeks: int) -> bool:
    """Whether `on` falls in the first `weeks` weeks counting `first_dose` as day 1."""
    return on - first_dose < dt.timedelta(weeks=weeks)


def cycles_completed(start: dt.date, on: dt.date, cycle_days: int) -> int:
    """Whole cycles finished between the course start and `on` (interruptions do not count)."""
    if on < start:
        return 0
    return (on - start).days // cycle_days


# --- what the toxicity rules hand to the dose decision ----------------------------------------


@dataclass(frozen=True)
class Restraint:
    """One reason not to give the current dose now, and the way back to treatment.

    Rules of each topic (blood counts, other toxicity) return restraints; the dose decision
    holds while any restraint is unmet and restarts at the lowest dose the restraints allow.
    """

    rule: str
    """Id of the rule that raised it."""
    reason: str
    """Why treatment is (or stays) interrupted, in one sentence."""
    when: str
    """The condition for restarting, in words."""
    met: bool
    """Whether that condition is met now."""
    dose_mg: float | None
    """Restart dose; None when the label leaves it to the prescriber."""
    days_on: tuple[int, int] | None
    entries: tuple[Cited, ...]
    """The knowledge entries it rests on (status and citations)."""
    floor_reached: bool = False
    """True when the label's next lower dose would be below the floor."""
    options: tuple[DoseOption, ...] = ()
    """The label's alternatives when the restart dose rests on something not recorded."""
    record: str | None = None
    """The case-file field that settles between the options."""


def next_lower_restart(
    position: LadderPosition, schedule: CycleSchedule
) -> tuple[float | None, tuple[int, int] | None, bool]:
    """Dose, dosing days and floor flag of a restart one step down the ladder."""
    step = position.next_lower
    if step is None:
        return None, None, True
    return step.dose_mg, step_days(step, schedule), False
