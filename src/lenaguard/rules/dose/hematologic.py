"""Blood-count rows of the label's dose-modification tables (USPI §2.1–§2.4).

For an active course: does the latest platelet count or ANC meet an interruption row? For a
held course: have the counts recovered to the row's restart level, and at which dose does
treatment restart? The answers are `Restraint`s for the dose decision plus findings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lenaguard.case import Case, LabResult
from lenaguard.findings import Finding, TestDue
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.dose_modification import (
    CountRow,
    DoseModificationKnowledge,
    IndicationTable,
    Phase,
    ResumeDose,
    Trigger,
)
from lenaguard.knowledge.topics.indications import CycleSchedule, IndicationsKnowledge
from lenaguard.rules.base.course import CourseStatus
from lenaguard.rules.base.results import DoseOption
from lenaguard.rules.dose.monitoring import CBC
from lenaguard.rules.dose.timeline import (
    LadderPosition,
    Restraint,
    Timeline,
    baseline_result,
    bleeding_reported,
    current_result,
    fever_reported,
    low_run,
    next_lower_restart,
    platelet_transfusions,
    results_until,
    span_days,
    within_first_weeks,
)
from lenaguard.text import capitalised, format_number, label_sections
from lenaguard.vocab import Category, Frequency, HoldReason, LabTest, Severity

_dosing_finding = Finding.maker(Category.DOSING)
_input_finding = Finding.maker(Category.INPUT)
_toxicity_finding = Finding.maker(Category.TOXICITY)


COUNT_TESTS = (LabTest.PLATELETS, LabTest.ANC)
"""The counts the tables act on, in the order the rules report them."""

HOLD_REASON = {LabTest.PLATELETS: HoldReason.THROMBOCYTOPENIA, LabTest.ANC: HoldReason.NEUTROPENIA}
TEST_FOR_REASON = {reason: test for test, reason in HOLD_REASON.items()}
_NAME = {LabTest.PLATELETS: "Platelet count", LabTest.ANC: "ANC"}
_NAME_IN_SENTENCE = {LabTest.PLATELETS: "platelet count", LabTest.ANC: "ANC"}


def count_text(value: float) -> str:
    """A count as the label writes it: 30000 → '30,000/mcL'."""
    return f"{format_number(value)}/mcL"


def dose_text(
    dose_mg: float | None,
    days_on: tuple[int, int] | None = None,
    frequency: Frequency = Frequency.DAILY,
) -> str:
    """A dose as a prescription reads: '20 mg once daily on days 1–21'."""
    if dose_mg is None:
        return "a dose the prescriber chooses"
    days = "" if days_on is None else f" on days {days_on[0]}–{days_on[1]}"
    return f"{format_number(dose_mg)} mg {frequency.words}{days}"


# --- which row applies ------------------------------------------------------------------------


def phase_at(
    table: IndicationTable,
    timeline: Timeline,
    label_start_mg: float,
    dose_mg: float | None,
    on: dt.date,
) -> Phase:
    """The table phase for a dose on a date: first weeks on the starting dose, or later."""
    if table.first_weeks is None:
        return Phase.ANY
    if dose_mg != label_start_mg:
        return Phase.LATER
    first = timeline.dose_first_given(dose_mg)
    if first is not None and within_first_weeks(first, on, table.first_weeks.weeks):
        return Phase.FIRST_WEEKS
    return Phase.LATER


def select_row(
    table: IndicationTable, test: LabTest, phase: Phase, baseline: float | None
) -> tuple[CountRow, bool]:
    """The row for a count in a phase; True second when the baseline was unknown.

    Without a baseline, the row for the highest baseline is used: it interrupts at the
    highest count and needs the highest count to restart, so it is the most cautious.
    """
    rows = table.rows_for(test)
    candidates = [row for row in rows if row.phase in (Phase.ANY, phase)] or rows
    bounded = [row for row in candidates if row.baseline_at_least or row.baseline_below]
    if not bounded:
        return candidates[0], False
    if baseline is None:
        cautious = max(bounded, key=lambda row: row.baseline_at_least or 0)
        return cautious, True
    for row in candidates:
        if row.fits_baseline(baseline):
            return row, False
    return bounded[0], False


# --- does a row fire --------------------------------------------------------------------------


def _value_low(trigger: Trigger, baseline: float | None):
    def is_low(value: float) -> bool:
        if trigger.below is not None:
            return value < trigger.below
        assert trigger.fraction_of_baseline is not None
        return baseline is not None and value <= trigger.fraction_of_baseline * baseline

    return is_low


@dataclass(frozen=True)
class TriggerCheck:
    trigger: Trigger
    value_low: bool
    fired: bool
    run: list[LabResult]


def check_trigger(
    trigger: Trigger,
    results: list[LabResult],
    index: int,
    baseline: float | None,
    fever: bool,
    transfused: bool,
) -> TriggerCheck:
    """Whether one trigger fires on the result at `index` of a series (oldest first)."""
    is_low = _value_low(trigger, baseline)
    value = results[index].canonical_value
    value_low = value is not None and is_low(value)
    run = low_run(results, index, is_low) if value_low else []
    fired = value_low
    if trigger.for_at_least_days is not None and span_days(run) < trigger.for_at_least_days:
        fired = False
    if trigger.with_fever and not fever:
        fired = False
    if trigger.with_platelet_transfusion and not transfused:
        fired = False
    return TriggerCheck(trigger=trigger, value_low=value_low, fired=fired, run=run)


def value_text(trigger: Trigger, baseline: float | None) -> str:
    """The value test of a trigger in words: 'under 30,000/mcL'."""
    if trigger.below is not None:
        return f"under {count_text(trigger.below)}"
    assert trigger.fraction_of_baseline is not None
    fraction = format_number(trigger.fraction_of_baseline)
    if baseline is None:
        return f"at or below {fraction} × the baseline count"
    limit = count_text(trigger.fraction_of_baseline * baseline)
    return f"at or below {fraction} × the baseline of {count_text(baseline)} ({limit})"


def trigger_text(trigger: Trigger, baseline: float | None, fever_celsius: float) -> str:
    """A trigger in words, with the numbers from the knowledge entry."""
    text = value_text(trigger, baseline)
    if trigger.for_at_least_days is not None:
        text += f" for at least {trigger.for_at_least_days} days"
    if trigger.with_fever:
        text += f" with fever of {format_number(fever_celsius)} °C or more"
    if trigger.with_platelet_transfusion:
        text += " with platelet transfusions"
    return text


@dataclass(frozen=True)
class CountCheck:
    """One count checked against the row that applies to it."""

    test: LabTest
    row: CountRow
    baseline: LabResult | None
    baseline_assumed: bool
    result: LabResult | None
    checks: tuple[TriggerCheck, ...]

    @property
    def fired(self) -> TriggerCheck | None:
        return next((check for check in self.checks if check.fired), None)

    @property
    def watch(self) -> TriggerCheck | None:
        """A trigger whose count is low but whose other conditions are not (yet) met."""
        if self.fired is not None:
            return None
        return next((check for check in self.checks if check.value_low), None)


def check_count(
    case: Case,
    table: IndicationTable,
    test: LabTest,
    phase: Phase,
    timeline: Timeline,
    result: LabResult | None,
) -> CountCheck:
    """Check the given (current) result of a count against its row."""
    baseline = baseline_result(case, test, timeline.course.start_date)
    baseline_value = None if baseline is None else baseline.canonical_value
    row, assumed = select_row(table, test, phase, baseline_value)
    checks: tuple[TriggerCheck, ...] = ()
    if result is not None:
        results = results_until(case, test, result.date)
        transfused = bool(platelet_transfusions(case, timeline.dosing_since))
        checks = tuple(
            check_trigger(
                trigger,
                results,
                len(results) - 1,
                baseline_value,
                fever_reported(case),
                transfused,
            )
            for trigger in row.triggers
        )
    return CountCheck(
        test=test,
        row=row,
        baseline=baseline,
        baseline_assumed=assumed,
        result=result,
        checks=checks,
    )


def fell_since(
    case: Case,
    row: CountRow,
    test: LabTest,
    since: dt.date,
    timeline: Timeline,
    until: dt.date | None = None,
) -> bool:
    """Whether any result from `since` to `until` (default as_of) met the row's triggers.

    Fever is known only as of the assessment date, so it counts for the latest result only,
    and only when the window runs to as_of. Platelet transfusions count from the start of the
    dosing period that the window falls in.
    """
    baseline = baseline_result(case, test, timeline.course.start_date)
    baseline_value = None if baseline is None else baseline.canonical_value
    end = case.as_of if until is None else until
    results = results_until(case, test, end)
    period = timeline.dosing_period_at(since)
    transfused = any(transfusion.date <= end for transfusion in platelet_transfusions(case, period))
    last = len(results) - 1
    for index, result in enumerate(results):
        if result.date < since:
            continue
        fever = until is None and fever_reported(case) and index == last
        for trigger in row.triggers:
            if check_trigger(trigger, results, index, baseline_value, fever, transfused).fired:
                return True
    return False


def falls_before(ctx: Context, test: LabTest, holds: int) -> int:
    """How many of the course's first `holds` interruptions were falls of this count.

    An interruption is a fall of the count when it was recorded for it (hold reason), or when
    the count met its row during an interruption recorded for something else: a platelet hold
    during which the ANC fell under 1,000/mcL makes the next neutropenia a later fall.
    """
    case, timeline = ctx.case, ctx.timeline
    falls = 0
    for episode in timeline.holds[:holds]:
        if episode.reason is HOLD_REASON[test]:
            falls += 1
            continue
        phase = phase_at(
            ctx.table, timeline, ctx.label_start_mg, episode.dose_before_mg, episode.held_on
        )
        baseline = baseline_result(case, test, timeline.course.start_date)
        row, _ = select_row(
            ctx.table, test, phase, None if baseline is None else baseline.canonical_value
        )
        until = None if episode.ended_on is None else episode.ended_on - dt.timedelta(days=1)
        if until is not None and until < episode.held_on:
            continue
        if fell_since(case, row, test, episode.held_on, timeline, until=until):
            falls += 1
    return falls


# --- restart dose -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RestartDose:
    dose_mg: float | None
    days_on: tuple[int, int] | None
    floor_reached: bool
    rule_suffix: str
    note: str | None = None
    """Why the proposal needs the prescriber's attention (a warning finding), if it does."""
    summary: str | None = None
    """One-line summary of that warning."""
    basis: str | None = None
    """Why this restart dose, when it is not simply the next lower dose."""
    starting_option: tuple[float, tuple[int, int] | None] | None = None
    """Other toxicity not recorded: the label's other restart (the starting dose and days)."""


def restart_dose(
    row: CountRow,
    fall_number: int,
    position: LadderPosition,
    schedule: CycleSchedule,
    timeline: Timeline,
    other_toxicity: bool | None,
) -> RestartDose:
    """The restart dose a row gives for the n-th fall of its count in the course."""
    rule = row.first_fall if fall_number == 1 else row.later_falls
    if position.below_floor:  # already under the label's lowest dose: no proposal of ours
        return RestartDose(None, None, True, "")
    if rule is ResumeDose.STARTING_DOSE_IF_ONLY_TOXICITY:
        if other_toxicity is False:
            course = timeline.course
            start = course.start_dose_mg if course.start_dose_mg is not None else position.dose_mg
            start_event = course.events[0] if course.events else None
            start_days = start_event.days_on if start_event is not None else None
            basis = (
                f"the initial starting dose of this course ({format_number(start)} mg), "
                "because this is the first fall and it was the only toxicity"
            )
            if start <= position.dose_mg:
                return RestartDose(
                    start,
                    start_days or schedule.days_on,
                    False,
                    "first_fall_only_toxicity",
                    basis=basis,
                )
            return RestartDose(
                position.dose_mg,
                position.days_on,
                False,
                "first_fall_only_toxicity",
                note=(
                    f"The label allows a restart at the initial starting dose "
                    f"({format_number(start)} mg); lenaguard proposes the dose given before the "
                    f"interruption ({format_number(position.dose_mg)} mg) and never a dose above it."
                ),
                summary=(
                    "The initial starting dose is above the dose given before this interruption: "
                    "lenaguard proposes the dose before it."
                ),
                basis=(
                    f"the dose given before the interruption, because this is the first fall "
                    f"and it was the only toxicity, and the initial starting dose "
                    f"({format_number(start)} mg) would be higher"
                ),
            )
        dose, days, floor = next_lower_restart(position, schedule)
        if other_toxicity is None:
            course = timeline.course
            start = course.start_dose_mg if course.start_dose_mg is not None else position.dose_mg
            start_event = course.events[0] if course.events else None
            start_days = (start_event.days_on if start_event else None) or schedule.days_on
            return RestartDose(
                dose,
                days,
                floor,
                "first_fall_other_toxicity_unknown",
                starting_option=(min(start, position.dose_mg), start_days),
                note=(
                    "Other toxicity is not recorded (therapy.other_toxicity). If neutropenia was "
                    "the only toxicity the label allows a restart at the initial starting dose; "
                    "until that is recorded lenaguard proposes the next lower dose."
                ),
                summary=(
                    "The restart dose after this first neutropenia depends on other toxicity, "
                    "which is not recorded."
                ),
            )
        return RestartDose(dose, days, floor, "first_fall_other_toxicity")
    dose, days, floor = next_lower_restart(position, schedule)
    suffix = "later_fall" if row.first_fall is not row.later_falls and fall_number > 1 else ""
    return RestartDose(dose, days, floor, suffix)


def other_toxicity_present(case: Case) -> bool | None:
    """Whether a related non-blood toxicity is recorded now: None when not recorded."""
    if case.therapy is None or case.therapy.other_toxicity is None:
        return None
    return case.therapy.other_toxicity.grade > 0


# --- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What every count rule needs: the case, its knowledge, and where the course stands."""

    case: Case
    kb: KnowledgeBase
    timeline: Timeline
    position: LadderPosition

    @property
    def knowledge(self) -> DoseModificationKnowledge:
        return self.kb.get(DoseModificationKnowledge)

    @property
    def table(self) -> IndicationTable:
        return self.knowledge.table(self.case.indication)

    @property
    def schedule(self) -> CycleSchedule:
        return self.kb.get(IndicationsKnowledge).entry(self.case.indication).schedule

    @property
    def label_start_mg(self) -> float:
        return self.kb.get(IndicationsKnowledge).entry(self.case.indication).dose_mg


def _rule_id(ctx: Context, row: CountRow, suffix: str = "") -> str:
    parts = ["dose_modification", ctx.case.indication.value, row.id]
    if suffix:
        parts.append(suffix)
    return ".".join(parts)


def _entries(ctx: Context, row: CountRow, *more: Cited) -> tuple[Cited, ...]:
    return (row, ctx.position.ladder, *more)


def _resume_when(row: CountRow, test: LabTest) -> str:
    text = f"{_NAME_IN_SENTENCE[test]} is back to {count_text(row.resume_at_least)} or more"
    if row.resume_without_bleeding:
        text += " without hemostatic failure (no bleeding)"
    return text


def _count_findings(ctx: Context, check: CountCheck) -> list[Finding]:
    """Findings about a baseline assumption, fever used as a trigger, or a count to watch."""
    findings: list[Finding] = []
    test = check.test
    if check.baseline_assumed and check.result is not None:
        findings.append(
            _input_finding(
                check.row,
                name=f"{test.value}_baseline_needed",
                severity=Severity.WARNING,
                summary=f"No pre-treatment {_NAME[test]} result: the row for the highest baseline is used.",
                detail=(
                    f"The early rows of this table depend on the count before the first dose. "
                    f"None is recorded on or before {ctx.timeline.course.start_date}, so lenaguard "
                    f"uses the most cautious row: {words(check.row, 'wording')} Add the baseline count."
                ),
                inputs={"course_start": str(ctx.timeline.course.start_date)},
            )
        )
    fired = check.fired
    if fired is not None and fired.trigger.with_fever:
        fever = ctx.knowledge.fever
        findings.append(
            _toxicity_finding(
                check.row,
                fever,
                name=f"{test.value}_fever_assumed",
                severity=Severity.WARNING,
                summary=(
                    f"Reported fever counted as fever of {format_number(fever.at_least_celsius)} °C "
                    "or more: confirm the temperature."
                ),
                detail=(
                    f"{words(fever, 'wording')} The case records fever as a symptom without a temperature; "
                    "lenaguard treats it as meeting the label's threshold. Measure the temperature "
                    "to confirm."
                ),
                inputs={"symptoms": [s.value for s in ctx.case.symptoms]},
            )
        )
    watch = check.watch
    if watch is not None and check.result is not None and check.result.canonical_value is not None:
        trigger = watch.trigger
        value = check.result.canonical_value
        baseline = None if check.baseline is None else check.baseline.canonical_value
        missing: list[str] = []
        repeat_by: list[dt.date] = []
        for low in (c for c in check.checks if c.value_low):
            if low.trigger.for_at_least_days is not None:
                first_low = low.run[0].date if low.run else check.result.date
                by = first_low + dt.timedelta(days=low.trigger.for_at_least_days)
                repeat_by.append(by)
                missing.append(
                    f"it is still {value_text(low.trigger, baseline)} on {by.isoformat()} "
                    f"(low since {first_low.isoformat()})"
                )
            if low.trigger.with_fever:
                celsius = format_number(ctx.knowledge.fever.at_least_celsius)
                missing.append(f"fever of {celsius} °C or more develops")
            if low.trigger.with_platelet_transfusion:
                missing.append("platelet transfusions are needed")
        missing = list(dict.fromkeys(missing))
        all_triggers = "; or ".join(
            trigger_text(t, baseline, ctx.knowledge.fever.at_least_celsius)
            for t in check.row.triggers
        )
        findings.append(
            _toxicity_finding(
                *_entries(ctx, check.row),
                name=f"{test.value}_low_watch",
                severity=Severity.WARNING,
                summary=(
                    f"{_NAME[test]} {count_text(value)} on {check.result.date.isoformat()} is "
                    f"{value_text(trigger, baseline)}: not yet a reason to interrupt; watch it."
                ),
                detail=(
                    f"Interrupt if {' or '.join(missing)}. The row interrupts when the count is "
                    f"{all_triggers} ({label_sections(check.row)}). Repeat the blood count."
                ),
                inputs={test.value: value, "date": check.result.date.isoformat()},
                tests_due=[TestDue(test=CBC, by=min(repeat_by))] if repeat_by else None,
            )
        )
    return findings


def _hold_restraint(
    ctx: Context,
    check: CountCheck,
    fall_number: int,
    met: bool,
    reason: str,
    other_count_fell: bool = False,
) -> tuple[Restraint, list[Finding]]:
    """The restraint of one count row; a fall of the other count counts as other toxicity."""
    other_toxicity = True if other_count_fell else other_toxicity_present(ctx.case)
    restart = restart_dose(
        check.row,
        fall_number,
        ctx.position,
        ctx.schedule,
        ctx.timeline,
        other_toxicity,
    )
    findings: list[Finding] = []
    rule = _rule_id(ctx, check.row, restart.rule_suffix)
    if restart.note is not None:
        findings.append(
            _dosing_finding(
                *_entries(ctx, check.row),
                name=f"{check.test.value}_restart_dose_choice",
                severity=Severity.WARNING,
                summary=restart.summary or restart.note,
                detail=restart.note,
                inputs={"fall_number": fall_number},
            )
        )
    if restart.basis is not None:
        reason = f"{reason}; the restart dose is {restart.basis}"
    entries = _entries(ctx, check.row, ctx.knowledge.interruption_cbc)
    options: tuple[DoseOption, ...] = ()
    record = None
    if restart.starting_option is not None:
        options = _restart_options(ctx, check, restart)
        entries = (*entries, ctx.knowledge.other_toxicity_unknown)
        record = OTHER_TOXICITY_FIELD
    restraint = Restraint(
        rule=rule,
        reason=reason,
        when=_resume_when(check.row, check.test),
        met=met,
        dose_mg=restart.dose_mg,
        days_on=restart.days_on,
        entries=entries,
        floor_reached=restart.floor_reached,
        options=options,
        record=record,
    )
    return restraint, findings


OTHER_TOXICITY_FIELD = "therapy.other_toxicity"
"""The case-file field that decides a myeloma restart dose after a first neutropenia."""


def _restart_options(
    ctx: Context, check: CountCheck, restart: RestartDose
) -> tuple[DoseOption, ...]:
    """The label's two restarts after a first neutropenia, when other toxicity is unrecorded."""
    start_dose, start_days = restart.starting_option
    row = check.row
    frequency = ctx.timeline.course.frequency
    return (
        DoseOption(
            when="neutropenia was the only toxicity",
            dose_mg=start_dose,
            frequency=frequency,
            days_on=start_days,
            status=row.status,
            citations=list(row.cite),
        ),
        DoseOption(
            when="there was other toxicity",
            dose_mg=restart.dose_mg,
            frequency=frequency,
            days_on=restart.days_on,
            status=row.status,
            citations=list(row.cite),
        ),
    )


def _baseline_words(check: CountCheck) -> str:
    """'; baseline 82,000/mcL on 2026-10-20' for rows chosen by the baseline, else ''."""
    row, baseline = check.row, check.baseline
    if row.baseline_at_least is None and row.baseline_below is None:
        return ""
    if baseline is None or baseline.canonical_value is None:
        return "; no baseline count recorded"
    if any(trigger.fraction_of_baseline is not None for trigger in row.triggers):
        return f"; baseline dated {baseline.date.isoformat()}"  # its value is in the trigger text
    return f"; baseline {count_text(baseline.canonical_value)} on {baseline.date.isoformat()}"


def _fall_words(number: int) -> str:
    return "first fall" if number == 1 else f"fall number {number}"


def active_restraints(ctx: Context) -> tuple[list[Restraint], list[Finding], list[CountCheck]]:
    """Counts of an active course: which rows interrupt treatment now."""
    case, timeline = ctx.case, ctx.timeline
    restraints: list[Restraint] = []
    findings: list[Finding] = []
    checks: list[CountCheck] = []
    missing: list[LabTest] = []
    for test in COUNT_TESTS:
        result = current_result(case, test, timeline.last_event_date)
        on = result.date if result is not None else case.as_of
        phase = phase_at(ctx.table, timeline, ctx.label_start_mg, timeline.course.dose_mg, on)
        check = check_count(case, ctx.table, test, phase, timeline, result)
        checks.append(check)
        if result is None:
            missing.append(test)
            continue
        findings += _count_findings(ctx, check)
    fired_checks = [
        check
        for check in checks
        if check.fired is not None
        and check.result is not None
        and check.result.canonical_value is not None
    ]
    for check in fired_checks:
        test, result, fired = check.test, check.result, check.fired
        assert result is not None and result.canonical_value is not None and fired is not None
        number = falls_before(ctx, test, len(timeline.holds)) + 1
        baseline = None if check.baseline is None else check.baseline.canonical_value
        fall = (
            f"{_fall_words(number)} in this course; {label_sections(check.row)}"
            f"{_baseline_words(check)}"
        )
        count = (
            f"{_NAME[test]} {count_text(result.canonical_value)} on {result.date.isoformat()} is "
            f"{trigger_text(fired.trigger, baseline, ctx.knowledge.fever.at_least_celsius)}"
        )
        reason = f"{count} ({fall})"
        restraint, extra = _hold_restraint(
            ctx, check, number, met=False, reason=reason, other_count_fell=len(fired_checks) > 1
        )
        restraints.append(restraint)
        findings += extra
        findings.append(
            _toxicity_finding(
                *restraint.entries,
                name=f"{test.value}_interrupt",
                severity=Severity.CRITICAL,
                summary=f"Interrupt lenalidomide: {count}.",
                detail=(
                    f"{capitalised(fall)}. {words(check.row, 'wording')} Restart once {restraint.when}, at "
                    f"{dose_text(restraint.dose_mg, restraint.days_on, timeline.course.frequency)}."
                ),
                inputs={
                    test.value: result.canonical_value,
                    "date": result.date.isoformat(),
                    "current_dose_mg": timeline.course.dose_mg,
                    "fall_number": number,
                },
            )
        )
    if missing:
        findings.append(
            _cbc_needed(ctx, missing, timeline.last_event_date, severity=Severity.WARNING)
        )
    return restraints, findings, checks


def _cbc_needed(
    ctx: Context, missing: list[LabTest], since: dt.date | None, severity: Severity
) -> Finding:
    names = " and ".join(_NAME_IN_SENTENCE[test] for test in missing)
    after = f" dated on or after {since.isoformat()} (the last timeline event)" if since else ""
    return _input_finding(
        ctx.knowledge.interruption_cbc,
        *[row for test in missing for row in ctx.table.rows_for(test)],
        name="cbc_needed",
        severity=severity,
        summary=f"A blood count is needed: no current {names}.",
        detail=(
            f"The dose rules need a platelet count and an ANC{after}. Without them lenaguard "
            "cannot check the interruption and restart rows of the label's table."
        ),
        inputs={"missing": [test.value for test in missing], "since": str(since)},
    )


def held_restraints(ctx: Context) -> tuple[list[Restraint], list[Finding], list[CountCheck]]:
    """Counts of a held course: have they recovered, and at which dose does treatment restart."""
    case, timeline = ctx.case, ctx.timeline
    episode = timeline.current_hold
    assert episode is not None
    restraints: list[Restraint] = []
    findings: list[Finding] = []
    checks: list[CountCheck] = []
    missing: list[LabTest] = []
    phase = phase_at(
        ctx.table, timeline, ctx.label_start_mg, episode.dose_before_mg, episode.held_on
    )
    reason_test = TEST_FOR_REASON.get(episode.reason)
    earlier = len(timeline.holds) - 1
    fallen: list[tuple[LabTest, CountCheck, LabResult | None]] = []
    for test in COUNT_TESTS:
        result = current_result(case, test, episode.held_on)
        check = check_count(case, ctx.table, test, phase, timeline, result)
        checks.append(check)
        if result is None:
            missing.append(test)
        fell = test is reason_test or fell_since(case, check.row, test, episode.held_on, timeline)
        if result is not None:
            # The reason count is low by definition during its hold: no "watch" for it.
            findings += [
                f for f in _count_findings(ctx, check) if not (fell and f.id.endswith("_low_watch"))
            ]
        if fell:
            fallen.append((test, check, result))
    fallen.sort(key=lambda item: item[0] is not reason_test)  # the hold's own count first
    for test, check, result in fallen:
        row = check.row
        number = falls_before(ctx, test, earlier) + 1
        value = None if result is None else result.canonical_value
        recovered = value is not None and value >= row.resume_at_least
        bleeding = row.resume_without_bleeding and bleeding_reported(case)
        met = recovered and not bleeding and check.fired is None
        if result is None or value is None:
            state = f"no {_NAME_IN_SENTENCE[test]} since the hold on {episode.held_on.isoformat()}"
        else:
            state = f"{_NAME_IN_SENTENCE[test]} {count_text(value)} on {result.date.isoformat()}"
        origin = (
            f"Lenalidomide held since {episode.held_on.isoformat()} for {episode.reason.value}"
            if test is reason_test
            else f"the {_NAME_IN_SENTENCE[test]} also fell during the interruption"
        )
        reason = f"{origin} ({_fall_words(number)}; {label_sections(row)}{_baseline_words(check)}); {state}"
        restraint, extra = _hold_restraint(
            ctx, check, number, met=met, reason=reason, other_count_fell=len(fallen) > 1
        )
        restraints.append(restraint)
        findings += extra
        if bleeding and recovered:
            findings.append(
                _toxicity_finding(
                    *restraint.entries,
                    name="platelets_bleeding_on_recovery",
                    severity=Severity.CRITICAL,
                    summary="Platelets have recovered but bleeding is reported: do not restart yet.",
                    detail=(
                        f"{words(row, 'wording')} The case reports bleeding; a clinician must judge whether "
                        "hemostasis has failed before lenalidomide restarts."
                    ),
                    inputs={"symptoms": [s.value for s in case.symptoms]},
                )
            )
    if missing:
        findings.append(_cbc_needed(ctx, missing, episode.held_on, severity=Severity.WARNING))
        restraints.append(
            Restraint(
                rule="dose_modification.cbc_needed",
                reason=(
                    "no current blood count since the interruption on "
                    f"{episode.held_on.isoformat()}"
                ),
                when=f"a blood count dated on or after {episode.held_on.isoformat()}",
                met=False,
                dose_mg=ctx.position.dose_mg,
                days_on=ctx.position.days_on,
                entries=(ctx.knowledge.interruption_cbc,),
            )
        )
    return restraints, findings, checks


def hematologic_restraints(
    case: Case, kb: KnowledgeBase, timeline: Timeline, position: LadderPosition
) -> tuple[list[Restraint], list[Finding], list[CountCheck]]:
    """Restraints and findings from the blood counts, for an active or held course."""
    ctx = Context(case=case, kb=kb, timeline=timeline, position=position)
    if timeline.course.status is CourseStatus.HELD:
        return held_restraints(ctx)
    if timeline.course.status is CourseStatus.ACTIVE:
        return active_restraints(ctx)
    return [], [], []
