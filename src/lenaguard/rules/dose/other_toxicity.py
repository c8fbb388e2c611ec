"""Non-hematologic toxicity, severe skin reactions and contraindications (USPI §2.5, §4, §5).

Precedence, as the dose decision applies it: a reason to stop for good (contraindication,
angioedema, anaphylaxis, grade 4 / exfoliative / bullous rash, SJS, TEN, DRESS) outranks
everything; then holds for grade 3–4 toxicity, tumor flare, hepatotoxicity and suspected
severe skin reactions; then the blood-count rows.

`decide_other_toxicity` returns the hold decision for a related non-blood toxicity as a typed
`OtherToxicityDecision` (the grade rule, hold, restart and dose); `other_toxicity_restraints`
words it into restraints and findings for the dose decision.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from pydantic import Field

from lenaguard.case import Case, OtherToxicity
from lenaguard.findings import Finding, RecordField
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited, Frozen
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.indications import CycleSchedule
from lenaguard.knowledge.topics.other_toxicity import GradeHold, OtherToxicityKnowledge
from lenaguard.rules.base.course import CourseStatus
from lenaguard.rules.dose.timeline import (
    LadderPosition,
    Restraint,
    Timeline,
    next_lower_restart,
)
from lenaguard.text import label_sections
from lenaguard.vocab import Category, HoldReason, LabTest, Severity, ToxicityKind

_input_finding = Finding.maker(Category.INPUT)
_toxicity_finding = Finding.maker(Category.TOXICITY)


@dataclass(frozen=True)
class StopReason:
    """A reason to stop lenalidomide for good."""

    rule: str
    reason: str
    entries: tuple[Cited, ...]


_KIND_WORDS = {
    ToxicityKind.SJS: "Stevens-Johnson syndrome",
    ToxicityKind.TEN: "toxic epidermal necrolysis",
    ToxicityKind.DRESS: "DRESS",
}


def _kind_words(kind: ToxicityKind | None) -> str:
    if kind in (None, ToxicityKind.OTHER):
        return "toxicity"
    return _KIND_WORDS.get(kind, kind.value.replace("_", " "))


def _stop_list(knowledge: OtherToxicityKnowledge) -> str:
    """The permanent-stop kinds in words: 'angioedema, ..., rash grade 4 or higher, ...'."""
    return ", ".join(
        _kind_words(entry.kind)
        + ("" if entry.at_least_grade is None else f" grade {entry.at_least_grade} or higher")
        for entry in knowledge.permanent_stop
    )


def _cited_sentence(wording: str, entry: Cited) -> str:
    """An entry's wording followed by its label section: 'Text (USPI §5.9).'"""
    return f"{wording.rstrip('.')} ({label_sections(entry)})"


def current_other_toxicity(case: Case) -> OtherToxicity | None:
    return None if case.therapy is None else case.therapy.other_toxicity


# --- contraindications and permanent stops ---------------------------------------------------


def contraindication_findings(case: Case, kb: KnowledgeBase, *, started: bool) -> list[Finding]:
    """Recorded contraindications (critical, blocking); unknown ones before the first dose."""
    knowledge = kb.get(OtherToxicityKnowledge)
    findings: list[Finding] = []
    for entry in knowledge.contraindications:
        value = getattr(case.conditions, entry.condition)
        if value is True:
            findings.append(
                _toxicity_finding(
                    entry,
                    name=f"contraindication_{entry.condition}",
                    severity=Severity.CRITICAL,
                    summary="Do not give lenalidomide: a contraindication is recorded.",
                    detail=f"{words(entry, 'wording')} ({label_sections(entry)}; case: conditions.{entry.condition}).",
                    inputs={entry.condition: True},
                    blocking=True,
                )
            )
        elif value is None and not started:
            findings.append(
                _input_finding(
                    entry,
                    name=f"{entry.condition}_unknown",
                    severity=Severity.INFO,
                    summary=f"Not recorded: conditions.{entry.condition}.",
                    detail=f"{words(entry, 'wording')} Record whether this applies before the first dose.",
                    inputs={entry.condition: None},
                    remedy=RecordField(field=f"conditions.{entry.condition}"),
                )
            )
    return findings


def stop_reasons(case: Case, kb: KnowledgeBase) -> tuple[list[StopReason], list[Finding]]:
    """Reasons to stop lenalidomide for good: contraindications and permanent-stop toxicity."""
    knowledge = kb.get(OtherToxicityKnowledge)
    stops: list[StopReason] = []
    findings = contraindication_findings(case, kb, started=True)
    for entry in knowledge.contraindications:
        if getattr(case.conditions, entry.condition) is True:
            stops.append(
                StopReason(
                    rule=f"other_toxicity.contraindication.{entry.condition}",
                    reason=_cited_sentence(words(entry, "wording"), entry),
                    entries=(entry,),
                )
            )
    toxicity = current_other_toxicity(case)
    if toxicity is not None and toxicity.kind is not None:
        entry = knowledge.stop_entry(toxicity.kind, toxicity.grade)
        if entry is not None:
            stops.append(
                StopReason(
                    rule=f"other_toxicity.permanent_stop.{toxicity.kind.value}",
                    reason=_cited_sentence(words(entry, "wording"), entry),
                    entries=(entry,),
                )
            )
            findings.append(
                _toxicity_finding(
                    entry,
                    name=f"permanent_stop_{toxicity.kind.value}",
                    severity=Severity.CRITICAL,
                    summary=(
                        f"Stop lenalidomide for good: {_kind_words(toxicity.kind)} is recorded "
                        f"(grade {toxicity.grade} now)."
                    ),
                    detail=f"{words(entry, 'wording')} Do not restart it ({label_sections(entry)}).",
                    inputs={"kind": toxicity.kind.value, "grade": toxicity.grade},
                    blocking=True,
                )
            )
    return stops, findings


# --- holds: the decision ----------------------------------------------------------------------


class ToxicityHoldRule(StrEnum):
    """Which grade rule governs a related non-blood toxicity in the patient's indication."""

    GRADE_HOLD = "grade_hold"
    """Any other related toxicity (label §2.5)."""
    TUMOR_FLARE = "tumor_flare"
    """Tumor flare reaction, in the lymphomas that have their own rule."""
    HEPATOTOXICITY = "hepatotoxicity"
    """Hepatotoxicity: restart once the liver enzymes are back to baseline."""

    @property
    def rule_id(self) -> str:
        return f"other_toxicity.{self.value}"


class OtherToxicityDecision(Frozen):
    """What the recorded related non-blood toxicity means for the current course today.

    Nothing applies (every flag false) unless the course is active or held, and a toxicity is
    recorded or the current hold is for other toxicity.
    """

    course_status: CourseStatus
    kind: ToxicityKind | None = None
    grade: int | None = Field(default=None, description="Null when no toxicity is recorded.")
    recorded_on: dt.date | None = Field(default=None, description="Date of the recorded grade.")
    held_on: dt.date | None = Field(
        default=None, description="Start of the current hold, when it is for other toxicity."
    )
    hold_rule: ToxicityHoldRule | None = None
    grade_rule: GradeHold | None = Field(
        default=None, description="The knowledge entry with the hold and restart grades."
    )
    entries: tuple[Cited, ...] = Field(default=(), description="What the hold rests on.")
    grade_needed: bool = Field(
        default=False, description="Held for other toxicity, and no current grade is recorded."
    )
    withheld: bool = Field(
        default=False, description="Lenalidomide is (or stays) interrupted for this toxicity."
    )
    at_hold_grade: bool = Field(default=False, description="The grade reaches the hold grade.")
    restart_allowed: bool = Field(
        default=False, description="The grade is at or below the rule's restart grade."
    )
    interrupt_now: bool = Field(
        default=False, description="At the hold grade while the course is still active."
    )
    restart_dose_mg: float | None = Field(
        default=None, description="One step down the ladder; null below the floor."
    )
    restart_days_on: tuple[int, int] | None = None
    floor_reached: bool = False
    last_event_date: dt.date | None = None
    grade_predates_last_event: bool = Field(
        default=False, description="The grade acted on is dated before the last timeline event."
    )
    tumor_flare_may_continue: bool = Field(
        default=False, description="A lower-grade tumor flare: lenalidomide may continue."
    )
    rash_consider_interrupting: bool = Field(
        default=False, description="A rash in the grade range where stopping is considered."
    )


def _hold_rule(
    case: Case, knowledge: OtherToxicityKnowledge, kind: ToxicityKind | None
) -> tuple[ToxicityHoldRule, GradeHold, tuple[Cited, ...]]:
    """Which grade rule governs a toxicity kind in this indication, and its entries."""
    flare = knowledge.tumor_flare
    if kind is ToxicityKind.TUMOR_FLARE and case.indication in flare.indications:
        return ToxicityHoldRule.TUMOR_FLARE, flare, (flare, knowledge.grade_hold)
    if kind is ToxicityKind.HEPATOTOXICITY:
        liver = knowledge.hepatotoxicity
        return ToxicityHoldRule.HEPATOTOXICITY, liver, (liver,)
    grade = knowledge.grade_hold
    return ToxicityHoldRule.GRADE_HOLD, grade, (grade,)


def decide_other_toxicity(
    case: Case,
    kb: KnowledgeBase,
    timeline: Timeline,
    position: LadderPosition,
    schedule: CycleSchedule,
) -> OtherToxicityDecision:
    """Whether related non-blood toxicity holds the course, and whether it may restart."""
    knowledge = kb.get(OtherToxicityKnowledge)
    course = timeline.course
    toxicity = current_other_toxicity(case)
    episode = timeline.current_hold
    held_for_toxicity = episode is not None and episode.reason is HoldReason.OTHER_TOXICITY
    dose, days, floor = next_lower_restart(position, schedule)
    decision = partial(
        OtherToxicityDecision,
        course_status=course.status,
        held_on=episode.held_on if episode is not None and held_for_toxicity else None,
        restart_dose_mg=dose,
        restart_days_on=days,
        floor_reached=floor,
        last_event_date=timeline.last_event_date,
    )
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.HELD):
        return decision()
    if toxicity is None:
        if not held_for_toxicity:
            return decision()
        entry = knowledge.grade_hold
        return decision(
            hold_rule=ToxicityHoldRule.GRADE_HOLD,
            grade_rule=entry,
            entries=(entry,),
            grade_needed=True,
            withheld=True,
        )
    kind, grade = toxicity.kind, toxicity.grade
    hold_rule, grade_rule, entries = _hold_rule(case, knowledge, kind)
    over = grade >= grade_rule.hold_at_grade
    dated = toxicity.date is not None and timeline.last_event_date is not None
    flare, rash = knowledge.tumor_flare, knowledge.rash_consider
    return decision(
        kind=kind,
        grade=grade,
        recorded_on=toxicity.date,
        hold_rule=hold_rule,
        grade_rule=grade_rule,
        entries=entries,
        withheld=over or held_for_toxicity,
        at_hold_grade=over,
        restart_allowed=grade <= grade_rule.restart_at_most_grade,
        interrupt_now=over and course.status is CourseStatus.ACTIVE,
        grade_predates_last_event=over and dated and toxicity.date < timeline.last_event_date,
        tumor_flare_may_continue=(
            kind is ToxicityKind.TUMOR_FLARE
            and case.indication in flare.indications
            and 0 < grade < flare.hold_at_grade
            and course.status is CourseStatus.ACTIVE
        ),
        rash_consider_interrupting=kind in rash.kinds and rash.min_grade <= grade <= rash.max_grade,
    )


# --- holds: in words --------------------------------------------------------------------------


def _restart_when(decision: OtherToxicityDecision) -> str:
    assert decision.grade_rule is not None
    limit = decision.grade_rule.restart_at_most_grade
    if decision.hold_rule is ToxicityHoldRule.HEPATOTOXICITY:
        return f"liver enzymes back to baseline (hepatotoxicity grade {limit})"
    what = (
        "tumor flare"
        if decision.hold_rule is ToxicityHoldRule.TUMOR_FLARE
        else _kind_words(decision.kind)
    )
    return f"{what} at grade {limit} or lower (physician's discretion)"


def _grade_needed_words(
    decision: OtherToxicityDecision, entry: GradeHold
) -> tuple[Restraint, Finding]:
    """A hold for other toxicity with no grade on record: the restart cannot be judged."""
    assert decision.held_on is not None
    restraint = Restraint(
        rule="other_toxicity.grade_hold",
        reason=f"Lenalidomide held since {decision.held_on.isoformat()} for other toxicity",
        when="the current grade of the toxicity is recorded and allows a restart",
        met=False,
        dose_mg=decision.restart_dose_mg,
        days_on=decision.restart_days_on,
        entries=(entry,),
        floor_reached=decision.floor_reached,
    )
    finding = _input_finding(
        entry,
        name="other_toxicity_grade_needed",
        severity=Severity.WARNING,
        summary="Record the current grade of the toxicity that led to the hold.",
        detail=(
            f"{words(entry, 'wording')} The case has no therapy.other_toxicity, so lenaguard "
            "cannot tell whether the toxicity has improved enough to restart."
        ),
    )
    return restraint, finding


def _withheld_words(
    decision: OtherToxicityDecision, knowledge: OtherToxicityKnowledge
) -> tuple[Restraint, list[Finding]]:
    """The restraint of a toxicity hold, and the findings that ask to interrupt or update."""
    assert decision.grade_rule is not None and decision.hold_rule is not None
    kind, grade, grade_rule = decision.kind, decision.grade, decision.grade_rule
    if decision.at_hold_grade:
        reason = (
            f"Related {_kind_words(kind)} grade {grade} is recorded ({label_sections(grade_rule)})"
        )
    else:
        assert decision.held_on is not None
        reason = (
            f"Lenalidomide held since {decision.held_on.isoformat()} for other toxicity; "
            f"{_kind_words(kind)} is now grade {grade} ({label_sections(grade_rule)})"
        )
    dose_basis = ""
    if decision.hold_rule is ToxicityHoldRule.TUMOR_FLARE:
        general = knowledge.grade_hold
        dose_basis = (
            f"the tumor flare text gives no restart dose, so lenaguard uses the next lower "
            f"dose of the rule for other related toxicity of grade "
            f"{general.hold_at_grade} or higher ({label_sections(general)})"
        )
    restraint = Restraint(
        rule=decision.hold_rule.rule_id,
        reason=f"{reason}; {dose_basis}" if dose_basis else reason,
        when=_restart_when(decision),
        met=decision.restart_allowed,
        dose_mg=decision.restart_dose_mg,
        days_on=decision.restart_days_on,
        entries=decision.entries,
        floor_reached=decision.floor_reached,
    )
    findings: list[Finding] = []
    if decision.interrupt_now:
        findings.append(
            _toxicity_finding(
                *decision.entries,
                name=f"{decision.hold_rule.value}_interrupt",
                severity=Severity.CRITICAL,
                summary=f"Interrupt lenalidomide: {reason}.",
                detail=(
                    f"{words(grade_rule, 'wording')} Restart once {_restart_when(decision)}."
                    + (f" Restart dose: {dose_basis}." if dose_basis else "")
                ),
                inputs={"kind": kind.value if kind else None, "grade": grade},
            )
        )
    if decision.grade_predates_last_event:
        assert decision.recorded_on is not None and decision.last_event_date is not None
        findings.append(
            _input_finding(
                *decision.entries,
                name="other_toxicity_outdated",
                severity=Severity.WARNING,
                summary="The recorded toxicity grade predates the last timeline event.",
                detail=(
                    f"therapy.other_toxicity is dated {decision.recorded_on.isoformat()}, before "
                    f"the last event on {decision.last_event_date.isoformat()}. lenaguard acts on "
                    "it; update it if the grade has changed."
                ),
            )
        )
    return restraint, findings


def _lower_grade_findings(
    decision: OtherToxicityDecision, knowledge: OtherToxicityKnowledge
) -> list[Finding]:
    """A lower-grade tumor flare that may continue; a rash where stopping is considered."""
    kind, grade = decision.kind, decision.grade
    findings: list[Finding] = []
    if decision.tumor_flare_may_continue and kind is not None:
        flare = knowledge.tumor_flare
        findings.append(
            _toxicity_finding(
                flare,
                name="tumor_flare_continue",
                severity=Severity.INFO,
                summary=f"Tumor flare grade {grade}: lenalidomide may continue.",
                detail=f"{words(flare, 'continue_wording')} {words(flare, 'wording')} ({label_sections(flare)}).",
                inputs={"kind": kind.value, "grade": grade},
            )
        )
    if decision.rash_consider_interrupting:
        rash = knowledge.rash_consider
        findings.append(
            _toxicity_finding(
                rash,
                name="rash_consider_interrupting",
                severity=Severity.WARNING,
                summary=f"Rash grade {grade}: consider interrupting or stopping lenalidomide.",
                detail=(
                    f"{_cited_sentence(words(rash, 'wording'), rash)}. It is stopped for good for: "
                    f"{_stop_list(knowledge)}."
                ),
                inputs={"kind": kind.value if kind else None, "grade": grade},
            )
        )
    return findings


def other_toxicity_restraints(
    case: Case,
    kb: KnowledgeBase,
    timeline: Timeline,
    position: LadderPosition,
    schedule: CycleSchedule,
) -> tuple[list[Restraint], list[Finding]]:
    """Holds for related non-blood toxicity, and whether a held course may restart."""
    knowledge = kb.get(OtherToxicityKnowledge)
    decision = decide_other_toxicity(case, kb, timeline, position, schedule)
    restraints: list[Restraint] = []
    findings: list[Finding] = []
    if decision.grade_needed:
        restraint, finding = _grade_needed_words(decision, knowledge.grade_hold)
        return [restraint], [finding]
    if decision.withheld:
        restraint, hold_findings = _withheld_words(decision, knowledge)
        restraints.append(restraint)
        findings += hold_findings
    findings += _lower_grade_findings(decision, knowledge)
    return restraints, findings


def suspected_severe_rash(case: Case, kb: KnowledgeBase) -> tuple[list[Restraint], list[Finding]]:
    """Patient-reported blistering or peeling skin: hold until a clinician has seen it."""
    entry = kb.get(OtherToxicityKnowledge).suspected_severe_rash
    reported = [symptom for symptom in case.symptoms if symptom in entry.symptoms]
    if not reported:
        return [], []
    names = ", ".join(symptom.value.replace("_", " ") for symptom in reported)
    restraint = Restraint(
        rule="other_toxicity.suspected_severe_rash",
        reason=f"The patient reports {names} ({label_sections(entry)})",
        when="a clinician has examined the skin and excluded a severe skin reaction",
        met=False,
        dose_mg=None,
        days_on=None,
        entries=(entry,),
    )
    finding = _toxicity_finding(
        entry,
        name="suspected_severe_rash",
        severity=Severity.CRITICAL,
        summary=f"Hold lenalidomide: the patient reports {names}.",
        detail=words(entry, "wording"),
        inputs={"symptoms": [symptom.value for symptom in reported]},
    )
    return [restraint], [finding]


# --- other findings ---------------------------------------------------------------------------


def liver_enzyme_findings(case: Case, kb: KnowledgeBase, timeline: Timeline) -> list[Finding]:
    """ALT or AST above the lab's upper limit during the course, when no hepatotoxicity is recorded."""
    entry = kb.get(OtherToxicityKnowledge).hepatotoxicity
    toxicity = current_other_toxicity(case)
    if toxicity is not None and toxicity.kind is ToxicityKind.HEPATOTOXICITY:
        return []
    start = timeline.course.start_date
    raised = []
    for test in (LabTest.ALT, LabTest.AST):
        latest = case.latest(test)
        if latest is None or latest.canonical_value is None or start is None:
            continue
        limits = latest.canonical_reference_range()
        high = None if limits is None else limits[1]
        if latest.date >= start and high is not None and latest.canonical_value > high:
            raised.append(latest)
    if not raised:
        return []
    listed = "; ".join(
        f"{r.lab_test.value.upper()} {r.value:g} {r.unit} on {r.date.isoformat()}" for r in raised
    )
    return [
        _toxicity_finding(
            entry,
            name="liver_enzymes_raised",
            severity=Severity.WARNING,
            summary="Liver enzymes above the laboratory's upper limit on lenalidomide.",
            detail=(
                f"{listed}. {words(entry, 'wording')} If the prescriber judges it related, record "
                "therapy.other_toxicity with kind hepatotoxicity and its grade."
            ),
            inputs={r.lab_test.value: r.canonical_value for r in raised},
        )
    ]


def tumor_lysis_findings(
    case: Case, kb: KnowledgeBase, timeline: Timeline, cycle_days: int
) -> list[Finding]:
    """High tumor burden: monitor closely; unknown burden is reported in the first cycle."""
    entry = kb.get(OtherToxicityKnowledge).tumor_lysis
    burden = getattr(case.conditions, entry.condition)
    if burden is True:
        return [
            _toxicity_finding(
                entry,
                name="tumor_lysis_risk",
                severity=Severity.WARNING,
                summary="High tumor burden: watch closely for tumor lysis syndrome.",
                detail=f"{words(entry, 'wording')} ({label_sections(entry)})",
                inputs={entry.condition: True},
            )
        ]
    start = timeline.course.start_date
    if burden is None and start is not None and (case.as_of - start).days < cycle_days:
        return [
            _input_finding(
                entry,
                name="high_tumor_burden_unknown",
                severity=Severity.INFO,
                summary="Tumor burden not recorded (conditions.high_tumor_burden).",
                detail=f"{words(entry, 'wording')} Record whether the tumor burden is high.",
                inputs={entry.condition: None},
            )
        ]
    return []
