"""The starting dose: the label dose for the indication, lowered by the renal dose table.

The US label starts lenalidomide at a fixed dose per indication and lowers the *starting*
dose when creatinine clearance is reduced or the patient is on dialysis (sections cited from
the knowledge files).
A renally adjusted dose keeps the indication's dosing days and cycle length; only the dose and
frequency change. Maintenance after transplant also waits for blood-count recovery.

Pure functions only; every number comes from the `indications` and `renal` knowledge topics.
"""

from __future__ import annotations

from collections.abc import Sequence

from lenaguard.case import Case, LabResult
from lenaguard.errors import FieldValueError
from lenaguard.findings import Finding
from lenaguard.knowledge import Cited, KnowledgeBase, merge_citations, weakest
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.indications import (
    IndicationEntry,
    IndicationsKnowledge,
    StartRequirement,
)
from lenaguard.knowledge.topics.renal import RenalKnowledge, RenalStartingDose
from lenaguard.rules.base.results import DosePlan, RenalFunction, ResumePlan
from lenaguard.rules.dose.renal import (
    band_definition_entries,
    band_entries,
    band_range_words,
    not_studied_finding,
    renal_band,
)
from lenaguard.rules.dose.renal_reliability import RenalCaveat
from lenaguard.text import dose_words, format_number
from lenaguard.vocab import (
    Category,
    DoseAction,
    Frequency,
    Indication,
    LabTest,
    RenalBand,
    Severity,
)

_dosing_finding = Finding.maker(Category.DOSING)


_COUNT_UNIT = "/mcL"

RENAL_NOT_SETTLED_RULE = "starting_dose.renal_not_settled"
"""The rule id of a start held because the clearance cannot settle the renal dose."""


def _schedule_words(entry: IndicationEntry) -> str:
    first, last = entry.schedule.days_on
    return (
        f"on days {format_number(first)}–{format_number(last)} of each "
        f"{format_number(entry.schedule.cycle_days)}-day cycle"
    )


def _cell(indication: Indication, band: RenalBand, renal_kb: RenalKnowledge) -> RenalStartingDose:
    return renal_kb.column_for(indication)[1].rows[band]


def _plan(
    indication: Indication, band: RenalBand, kb: KnowledgeBase, band_evidence: list[Cited]
) -> DosePlan:
    renal_kb = kb.get(RenalKnowledge)
    entry = kb.get(IndicationsKnowledge).entry(indication)
    if band is RenalBand.NORMAL:
        dose, frequency, after_dialysis = entry.dose_mg, entry.frequency, False
        entries: list[Cited] = [entry, *band_evidence]
        rule = "starting_dose.label"
        source = "the label starting dose, no renal adjustment"
    else:
        column_key, column = renal_kb.column_for(indication)
        cell = column.rows[band]
        dose, frequency, after_dialysis = cell.dose_mg, cell.frequency, cell.after_dialysis
        entries = [cell, *band_evidence, entry]
        rule = f"starting_dose.renal.{column_key}.{band.value}"
        source = "the label's renal starting-dose table"
    timing = "; on dialysis days give it after dialysis" if after_dialysis else ""
    reason = (
        f"{entry.name}, {band.value} renal band ({band_range_words(band, renal_kb)}): start "
        f"{dose_words(dose, frequency)} {_schedule_words(entry)}{timing}, from "
        f"{source}."
    )
    return DosePlan(
        action=DoseAction.START,
        dose_mg=dose,
        frequency=frequency,
        days_on=entry.schedule.days_on,
        cycle_days=entry.schedule.cycle_days,
        after_dialysis=after_dialysis,
        reason=reason,
        rule=rule,
        status=weakest(item.status for item in entries),
        citations=merge_citations(*entries),
    )


def renal_starting_dose(
    indication: Indication | str,
    band: RenalBand | str,
    kb: KnowledgeBase,
    *,
    crcl_ml_min: float | None = None,
) -> DosePlan:
    """The label starting dose for an indication in a renal band (a table lookup).

    Used by the `lenaguard dose` calculator and to review ongoing doses. Give `crcl_ml_min`
    when it is known: a value exactly on a band threshold then also rests on the boundary rule
    (and its status). Raises ValueError when the CrCl does not fall in `band`.
    """
    renal_kb = kb.get(RenalKnowledge)
    band = RenalBand(band)
    if crcl_ml_min is not None:
        on_dialysis = band is RenalBand.DIALYSIS
        if renal_band(crcl_ml_min, on_dialysis, renal_kb) is not band:
            raise FieldValueError("crcl_ml_min", f"{crcl_ml_min:g} is not in the {band.value} band")
        evidence = band_entries(crcl_ml_min, on_dialysis, renal_kb)
    else:
        evidence = band_definition_entries(band, renal_kb)
    return _plan(Indication(indication), band, kb, evidence)


def starting_dose_notes(
    indication: Indication | str,
    band: RenalBand | str,
    kb: KnowledgeBase,
    *,
    crcl_ml_min: float | None = None,
) -> list[Finding]:
    """What goes with a starting-dose lookup (for the `lenaguard dose` calculator): the
    escalation the table cell (or, at normal function, the indication) allows, and the
    `renal.not_studied` warning when `crcl_ml_min` lies below the studied range."""
    renal_kb = kb.get(RenalKnowledge)
    indication, band = Indication(indication), RenalBand(band)
    findings: list[Finding] = []
    escalation = _escalation_finding(indication, band, kb)
    if escalation is not None:
        findings.append(escalation)
    not_studied = not_studied_finding(crcl_ml_min, band is RenalBand.DIALYSIS, renal_kb)
    if not_studied is not None:
        findings.append(not_studied)
    return findings


# --- findings -----------------------------------------------------------------------------------


def _needs_crcl_finding(entry: IndicationEntry, kb: KnowledgeBase) -> Finding:
    renal_kb = kb.get(RenalKnowledge)
    normal = renal_kb.bands.normal
    return _dosing_finding(
        renal_kb.baseline_requirement,
        entry,
        normal,
        name="start_needs_crcl",
        severity=Severity.WARNING,
        summary="No starting dose can be chosen: creatinine clearance is not known.",
        detail=(
            f"{renal_kb.baseline_requirement.text} With CrCl "
            f"{band_range_words(RenalBand.NORMAL, renal_kb)} the starting dose would be the "
            f"label dose, {dose_words(entry.dose_mg, entry.frequency)} "
            f"{_schedule_words(entry)}; below {format_number(normal.from_ml_min)} "
            f"{renal_kb.cockcroft_gault.result_unit} the label lowers it. See the renal "
            "findings for the inputs needed."
        ),
        inputs={"indication": entry.name},
    )


def _renal_escalation_finding(
    indication: Indication, band: RenalBand, cell: RenalStartingDose
) -> Finding | None:
    if cell.escalation is None:
        return None
    step = cell.escalation
    return _dosing_finding(
        cell,
        name="renal_escalation",
        severity=Severity.INFO,
        summary=(
            f"After {format_number(step.after_cycles)} cycles the dose may rise to "
            f"{format_number(step.to_mg)} mg {Frequency.DAILY.words} "
            f"{step.condition}."
        ),
        detail=(
            f"{cell.text} This applies to the renally reduced start "
            f"({band.value} band) for {indication.value}; later changes follow tolerance and "
            "the dose-modification rules."
        ),
        inputs={"band": band.value, "start_dose_mg": cell.dose_mg},
    )


def _indication_escalation_finding(entry: IndicationEntry) -> Finding | None:
    if entry.escalation is None:
        return None
    step = entry.escalation
    return _dosing_finding(
        step,
        name="escalation",
        severity=Severity.INFO,
        summary=(
            f"After {format_number(step.after_cycles)} cycles the dose may rise from "
            f"{format_number(entry.dose_mg)} mg to {format_number(step.to_mg)} mg "
            f"{step.condition}."
        ),
        detail=f"{entry.name}: a label dose increase from the usual starting dose.",
        inputs={"start_dose_mg": entry.dose_mg},
    )


def _escalation_finding(
    indication: Indication, band: RenalBand, kb: KnowledgeBase
) -> Finding | None:
    if band is RenalBand.NORMAL:
        return _indication_escalation_finding(kb.get(IndicationsKnowledge).entry(indication))
    cell = _cell(indication, band, kb.get(RenalKnowledge))
    return _renal_escalation_finding(indication, band, cell)


def _note_findings(entry: IndicationEntry, indication: Indication) -> list[Finding]:
    findings = []
    for index, note in enumerate(entry.notes, start=1):
        suffix = "" if index == 1 else f"_{index}"
        findings.append(
            _dosing_finding(
                note,
                name=f"indication_note{suffix}",
                severity=Severity.INFO,
                summary=words(note, "text"),
                detail=f"{entry.name}: a label point to plan for before or early in treatment.",
                inputs={"indication": indication.value},
            )
        )
    return findings


def _count_words(test: LabTest, result: LabResult | None) -> str:
    name = "ANC" if test is LabTest.ANC else "platelets"
    if result is None or result.canonical_value is None:
        return f"{name} not available"
    return (
        f"{name} {format_number(result.canonical_value)}{_COUNT_UNIT} on {result.date.isoformat()}"
    )


def _start_requirement(
    case: Case, requirement: StartRequirement, plan: DosePlan
) -> tuple[DosePlan, list[Finding]]:
    """Maintenance starts only after blood counts recover ('and/or': either count suffices)."""
    anc = case.latest(LabTest.ANC)
    platelets = case.latest(LabTest.PLATELETS)
    anc_value = None if anc is None else anc.canonical_value
    platelet_value = None if platelets is None else platelets.canonical_value
    met = [
        (anc_value is not None and anc_value >= requirement.anc_min_per_ul),
        (platelet_value is not None and platelet_value >= requirement.platelets_min_per_ul),
    ]
    condition = (
        f"ANC ≥ {format_number(requirement.anc_min_per_ul)}{_COUNT_UNIT} "
        f"{requirement.combine} platelets ≥ "
        f"{format_number(requirement.platelets_min_per_ul)}{_COUNT_UNIT}"
    )
    counts = f"{_count_words(LabTest.ANC, anc)}; {_count_words(LabTest.PLATELETS, platelets)}"
    inputs = {"anc_per_ul": anc_value, "platelets_per_ul": platelet_value}
    if any(met):
        return plan, [
            _dosing_finding(
                requirement,
                name="start_counts_met",
                severity=Severity.INFO,
                summary=f"Blood counts allow maintenance to start ({condition}).",
                detail=f"{words(requirement, 'wording')} Latest counts: {counts}.",
                inputs=inputs,
            )
        ]
    if anc_value is None or platelet_value is None:
        return plan, [
            _dosing_finding(
                requirement,
                name="start_counts_needed",
                severity=Severity.WARNING,
                summary=f"Blood counts are needed before maintenance starts ({condition}).",
                detail=(
                    f"{words(requirement, 'wording')} Latest counts: {counts}. Obtain a complete blood "
                    "count before the first dose."
                ),
                inputs=inputs,
                blocking=True,
            )
        ]
    assert plan.frequency is not None  # a start plan has a frequency
    hold = DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=None,
        days_on=plan.days_on,
        cycle_days=plan.cycle_days,
        after_dialysis=plan.after_dialysis,
        resume=ResumePlan(
            when=condition,
            dose_mg=plan.dose_mg,
            frequency=plan.frequency,
            days_on=plan.days_on,
        ),
        reason=(
            f"Maintenance waits for blood-count recovery ({condition}); latest {counts}. "
            f"Then start as planned: {plan.reason}"
        ),
        rule="starting_dose.maintenance_counts",
        status=weakest([requirement.status, plan.status]),
        citations=list(dict.fromkeys([*plan.citations, *requirement.cite])),
    )
    return hold, [
        _dosing_finding(
            requirement,
            name="start_counts_not_met",
            severity=Severity.WARNING,
            summary=f"Do not start maintenance yet: blood counts have not recovered ({condition}).",
            detail=f"{words(requirement, 'wording')} Latest counts: {counts}.",
            inputs=inputs,
            blocking=True,
        )
    ]


def renal_start_not_settled(plan: DosePlan, caveats: list[RenalCaveat]) -> DosePlan:
    """A start plan turned into 'not yet': the renal dose is not settled on today's clearance.

    The plan holds (no dose today) and its resume names no dose: the band the table dose came
    from may change once the caveats are resolved. The table dose on today's values is kept in
    the reason, marked as not settled. A maintenance plan already waiting for blood counts keeps
    its condition, with the renal one added.
    """
    why = "; ".join(caveat.reason for caveat in caveats)
    settle = "; ".join(caveat.settle_when for caveat in caveats)
    when = f"{settle}; then choose the starting dose from the renal table on a reliable clearance"
    if plan.action is DoseAction.HOLD and plan.resume is not None:
        when = f"{plan.resume.when}, and {when}"
        frequency = plan.resume.frequency
    else:
        frequency = plan.frequency or Frequency.DAILY
    entries = [entry for caveat in caveats for entry in caveat.entries]
    return DosePlan(
        action=DoseAction.HOLD,
        dose_mg=None,
        frequency=None,
        days_on=plan.days_on,
        cycle_days=plan.cycle_days,
        after_dialysis=plan.after_dialysis,
        resume=ResumePlan(when=when, dose_mg=None, frequency=frequency, days_on=plan.days_on),
        reason=(
            f"Renal starting dose not settled: {why} (see "
            f"{', '.join(caveat.finding_id for caveat in caveats)}). On today's values, not "
            f"settled: {plan.reason}"
        ),
        rule=RENAL_NOT_SETTLED_RULE,
        status=weakest([plan.status, *(entry.status for entry in entries)]),
        citations=list(dict.fromkeys([*plan.citations, *merge_citations(*entries)])),
    )


def starting_dose(
    case: Case,
    renal: RenalFunction | None,
    kb: KnowledgeBase,
    *,
    caveats: Sequence[RenalCaveat] = (),
) -> tuple[DosePlan | None, list[Finding]]:
    """The starting dose for the case's indication and renal band, with what goes with it.

    For a case not yet started (or as a reference for any case). Returns no plan when renal
    function is unknown, with a finding saying what the dose would be at normal clearance.
    Adds escalation notes, the maintenance count requirement (a hold plan when neither count
    has recovered) and the indication's notes. A clearance in the range the label's study did
    not include is reported once, by `rules.renal.assess_renal` (`renal.not_studied`); the dose
    is still shown.

    `caveats` (from `rules.dose.renal_reliability`) say the clearance cannot settle the renal
    dose: the plan is then held with no dose named (`renal_start_not_settled`), and no
    escalation note is given for a band that is not settled.
    """
    indications = kb.get(IndicationsKnowledge)
    renal_kb = kb.get(RenalKnowledge)
    indication = case.indication
    entry = indications.entry(indication)
    findings = _note_findings(entry, indication)
    if renal is None:
        return None, [_needs_crcl_finding(entry, kb), *findings]

    on_dialysis = renal.band is RenalBand.DIALYSIS
    band = renal.band
    evidence = band_entries(renal.crcl_ml_min, on_dialysis, renal_kb)
    plan = _plan(indication, band, kb, evidence)

    escalation = None if caveats else _escalation_finding(indication, band, kb)
    if escalation is not None:
        findings.append(escalation)

    if entry.start_requirement is not None:
        plan, count_findings = _start_requirement(case, entry.start_requirement, plan)
        findings.extend(count_findings)
    if caveats:
        plan = renal_start_not_settled(plan, list(caveats))
    return plan, findings
