"""Non-hematologic toxicity, severe skin reactions and contraindications (USPI §2.5, §4, §5).

Precedence, as the dose decision applies it: a reason to stop for good (contraindication,
angioedema, anaphylaxis, grade 4 / exfoliative / bullous rash, SJS, TEN, DRESS) outranks
everything; then holds for grade 3–4 toxicity, tumor flare, hepatotoxicity and suspected
severe skin reactions; then the blood-count rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from lenaguard.case import Case, OtherToxicity
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Cited
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
                    detail=f"{entry.wording} ({label_sections(entry)}; case: conditions.{entry.condition}).",
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
                    detail=f"{entry.wording} Record whether this applies before the first dose.",
                    inputs={entry.condition: None},
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
                    reason=_cited_sentence(entry.wording, entry),
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
                    reason=_cited_sentence(entry.wording, entry),
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
                    detail=f"{entry.wording} Do not restart it ({label_sections(entry)}).",
                    inputs={"kind": toxicity.kind.value, "grade": toxicity.grade},
                    blocking=True,
                )
            )
    return stops, findings


# --- holds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _HoldRule:
    rule: str
    grade_rule: GradeHold
    entries: tuple[Cited, ...]
    what: str


def _hold_rule(
    case: Case, knowledge: OtherToxicityKnowledge, kind: ToxicityKind | None
) -> _HoldRule:
    """Which grade rule governs a toxicity kind in this indication."""
    flare = knowledge.tumor_flare
    if kind is ToxicityKind.TUMOR_FLARE and case.indication in flare.indications:
        return _HoldRule(
            "other_toxicity.tumor_flare", flare, (flare, knowledge.grade_hold), "tumor flare"
        )
    if kind is ToxicityKind.HEPATOTOXICITY:
        liver = knowledge.hepatotoxicity
        return _HoldRule("other_toxicity.hepatotoxicity", liver, (liver,), "hepatotoxicity")
    grade = knowledge.grade_hold
    return _HoldRule("other_toxicity.grade_hold", grade, (grade,), _kind_words(kind))


def _restart_when(rule: _HoldRule) -> str:
    limit = rule.grade_rule.restart_at_most_grade
    if rule.rule == "other_toxicity.hepatotoxicity":
        return f"liver enzymes back to baseline (hepatotoxicity grade {limit})"
    return f"{rule.what} at grade {limit} or lower (physician's discretion)"


def other_toxicity_restraints(
    case: Case,
    kb: KnowledgeBase,
    timeline: Timeline,
    position: LadderPosition,
    schedule: CycleSchedule,
) -> tuple[list[Restraint], list[Finding]]:
    """Holds for related non-blood toxicity, and whether a held course may restart."""
    knowledge = kb.get(OtherToxicityKnowledge)
    restraints: list[Restraint] = []
    findings: list[Finding] = []
    course = timeline.course
    if course.status not in (CourseStatus.ACTIVE, CourseStatus.HELD):
        return restraints, findings
    toxicity = current_other_toxicity(case)
    episode = timeline.current_hold
    held_for_toxicity = episode is not None and episode.reason is HoldReason.OTHER_TOXICITY
    dose, days, floor = next_lower_restart(position, schedule)

    if toxicity is None:
        if held_for_toxicity:
            entry = knowledge.grade_hold
            restraints.append(
                Restraint(
                    rule="other_toxicity.grade_hold",
                    reason=f"Lenalidomide held since {episode.held_on.isoformat()} for other toxicity",
                    when="the current grade of the toxicity is recorded and allows a restart",
                    met=False,
                    dose_mg=dose,
                    days_on=days,
                    entries=(entry,),
                    floor_reached=floor,
                )
            )
            findings.append(
                _input_finding(
                    entry,
                    name="other_toxicity_grade_needed",
                    severity=Severity.WARNING,
                    summary="Record the current grade of the toxicity that led to the hold.",
                    detail=(
                        f"{entry.wording} The case has no therapy.other_toxicity, so lenaguard "
                        "cannot tell whether the toxicity has improved enough to restart."
                    ),
                )
            )
        return restraints, findings

    kind, grade = toxicity.kind, toxicity.grade
    rule = _hold_rule(case, knowledge, kind)
    over = grade >= rule.grade_rule.hold_at_grade
    if over or held_for_toxicity:
        if over:
            reason = (
                f"Related {_kind_words(kind)} grade {grade} is recorded "
                f"({label_sections(rule.grade_rule)})"
            )
        else:
            reason = (
                f"Lenalidomide held since {episode.held_on.isoformat()} for other toxicity; "
                f"{_kind_words(kind)} is now grade {grade} ({label_sections(rule.grade_rule)})"
            )
        dose_basis = ""
        if rule.rule == "other_toxicity.tumor_flare":
            general = knowledge.grade_hold
            dose_basis = (
                f"the tumor flare text gives no restart dose, so lenaguard uses the next lower "
                f"dose of the rule for other related toxicity of grade "
                f"{general.hold_at_grade} or higher ({label_sections(general)})"
            )
        restraints.append(
            Restraint(
                rule=rule.rule,
                reason=f"{reason}; {dose_basis}" if dose_basis else reason,
                when=_restart_when(rule),
                met=grade <= rule.grade_rule.restart_at_most_grade,
                dose_mg=dose,
                days_on=days,
                entries=rule.entries,
                floor_reached=floor,
            )
        )
        if over and course.status is CourseStatus.ACTIVE:
            findings.append(
                _toxicity_finding(
                    *rule.entries,
                    name=f"{rule.rule.split('.')[-1]}_interrupt",
                    severity=Severity.CRITICAL,
                    summary=f"Interrupt lenalidomide: {reason}.",
                    detail=(
                        f"{rule.grade_rule.wording} Restart once {_restart_when(rule)}."
                        + (f" Restart dose: {dose_basis}." if dose_basis else "")
                    ),
                    inputs={"kind": kind.value if kind else None, "grade": grade},
                )
            )
        stale = toxicity.date is not None and timeline.last_event_date is not None
        if over and stale and toxicity.date < timeline.last_event_date:
            findings.append(
                _input_finding(
                    *rule.entries,
                    name="other_toxicity_outdated",
                    severity=Severity.WARNING,
                    summary="The recorded toxicity grade predates the last timeline event.",
                    detail=(
                        f"therapy.other_toxicity is dated {toxicity.date.isoformat()}, before the "
                        f"last event on {timeline.last_event_date.isoformat()}. lenaguard acts on it; "
                        "update it if the grade has changed."
                    ),
                )
            )

    flare = knowledge.tumor_flare
    if (
        kind is ToxicityKind.TUMOR_FLARE
        and case.indication in flare.indications
        and 0 < grade < flare.hold_at_grade
        and course.status is CourseStatus.ACTIVE
    ):
        findings.append(
            _toxicity_finding(
                flare,
                name="tumor_flare_continue",
                severity=Severity.INFO,
                summary=f"Tumor flare grade {grade}: lenalidomide may continue.",
                detail=f"{flare.continue_wording} {flare.wording} ({label_sections(flare)}).",
                inputs={"kind": kind.value, "grade": grade},
            )
        )
    rash = knowledge.rash_consider
    if kind in rash.kinds and rash.min_grade <= grade <= rash.max_grade:
        findings.append(
            _toxicity_finding(
                rash,
                name="rash_consider_interrupting",
                severity=Severity.WARNING,
                summary=f"Rash grade {grade}: consider interrupting or stopping lenalidomide.",
                detail=(
                    f"{_cited_sentence(rash.wording, rash)}. It is stopped for good for: "
                    f"{_stop_list(knowledge)}."
                ),
                inputs={"kind": kind.value if kind else None, "grade": grade},
            )
        )
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
        detail=entry.wording,
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
                f"{listed}. {entry.wording} If the prescriber judges it related, record "
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
                detail=f"{entry.wording} ({label_sections(entry)})",
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
                detail=f"{entry.wording} Record whether the tumor burden is high.",
                inputs={entry.condition: None},
            )
        ]
    return []
