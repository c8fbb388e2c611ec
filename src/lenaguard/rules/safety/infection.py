"""Hepatitis B and viral infections before and during lenalidomide.

`classify_hbv` puts the patient in one of five HBV classes from the latest serology on or
before the assessment date. `evaluate` turns the class, the therapy (anti-CD20 antibodies,
autologous stem-cell transplant) and the medication list into findings and monitoring items:
screening, HBV DNA, antiviral prophylaxis and its duration, monitoring for reactivation, the
reactivation thresholds, the choice of antiviral, and an active viral infection.
`decide_past_hbv` gives the plan for past (resolved) HBV as a typed `PastHbvDecision` (treat a
reactivation, prophylaxis in place, prophylaxis or monitoring, or monitoring on demand), which
the findings word.

The US label has no HBV rule; the rules follow ASCO 2020, AASLD 2018 and EASL 2017 and carry
their status (see knowledge/data/infection.yaml). None of these findings blocks prescribing:
ASCO says anticancer therapy is not delayed for HBV testing or prophylaxis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import Any

from pydantic import Field

from lenaguard.case import Case, LabResult
from lenaguard.dates import add_months
from lenaguard.findings import Finding, OrderTest, Remedy
from lenaguard.knowledge import Citation, KnowledgeBase, Status, merge_citations, weakest
from lenaguard.knowledge.base import Cited, Frozen
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.infection import (
    InfectionKnowledge,
    MonitoringSchedule,
    Reactivation,
)
from lenaguard.rules.base.course import CourseStatus, current_course
from lenaguard.rules.base.medications import RecognisedMedication, in_class
from lenaguard.rules.base.results import MonitoringItem, RuleOutcome
from lenaguard.text import format_number
from lenaguard.vocab import Category, LabTest, QualitativeResult, Severity

_infection_finding = Finding.maker(Category.INFECTION)


HBV_SEROLOGY = "hbv_serology"
"""The test an incomplete hepatitis B screen orders: the missing markers of the panel."""

TEST_NAMES = {
    LabTest.HBSAG: "HBsAg",
    LabTest.ANTI_HBC: "anti-HBc",
    LabTest.ANTI_HBS: "anti-HBs",
    LabTest.HBV_DNA: "HBV DNA",
    LabTest.ALT: "ALT",
}
"""How each test is written in messages."""

_SEROLOGY = (LabTest.HBSAG, LabTest.ANTI_HBC, LabTest.ANTI_HBS)


class HbvStatus(StrEnum):
    """The five HBV classes of the ASCO 2020 screening approach."""

    NOT_SCREENED = "not_screened"
    """No HBsAg, anti-HBc or anti-HBs result on record."""
    INCOMPLETE = "incomplete"
    """Some tests are missing and the results present do not decide the class."""
    SUSCEPTIBLE = "susceptible"
    """No HBV infection: HBsAg and anti-HBc negative (anti-HBs, immune or not, in the basis)."""
    PAST = "past"
    """Past (resolved) HBV: HBsAg negative, anti-HBc positive, any anti-HBs."""
    CHRONIC = "chronic"
    """Chronic HBV: HBsAg positive."""


class SerologyResult(Frozen):
    """One test result the classification used."""

    test: LabTest
    date: dt.date
    result: QualitativeResult | None = Field(
        description="negative or positive; null when only a value was given without a result."
    )
    value: float | None = Field(default=None, description="Value in the canonical unit, if any.")
    unit: str | None = None


class HbvSerology(Frozen):
    """The patient's HBV class on the assessment date and what it rests on."""

    status: HbvStatus
    summary: str
    basis: list[str] = Field(description="The results used and how they decide the class.")
    tests_used: list[SerologyResult]
    missing: list[LabTest] = Field(description="Screening tests with no result on record.")
    anti_hbs: QualitativeResult | None = Field(
        description="Interpreted anti-HBs (positive = immune); null when missing or uninterpreted."
    )
    hbv_dna: SerologyResult | None = None
    hbsag_reappeared_on: dt.date | None = Field(
        default=None, description="First positive HBsAg after an earlier negative (reactivation)."
    )
    evidence_status: Status
    citations: list[Citation] = Field(min_length=1)


class InfectionOutcome(RuleOutcome):
    """Findings and monitoring of the infection rules, with the HBV class."""

    hbv: HbvSerology
    high_risk_therapy: list[str] = Field(
        default_factory=list,
        description="Why the therapy is high risk for HBV reactivation (anti-CD20, transplant).",
    )


# --- calendar ----------------------------------------------------------------------------------


# --- classification ----------------------------------------------------------------------------


def _used(lab: LabResult) -> SerologyResult:
    return SerologyResult(
        test=lab.lab_test,
        date=lab.date,
        result=lab.result,
        value=lab.canonical_value,
        unit=lab.canonical_unit,
    )


def _describe(lab: LabResult) -> str:
    name = TEST_NAMES[lab.lab_test]
    if lab.result is not None and lab.canonical_value is not None:
        return (
            f"{name} {lab.result.value} ({format_number(lab.canonical_value)} "
            f"{lab.canonical_unit}) on {lab.date}"
        )
    if lab.result is not None:
        return f"{name} {lab.result.value} on {lab.date}"
    if lab.canonical_value is not None:
        return f"{name} {format_number(lab.canonical_value)} {lab.canonical_unit} on {lab.date}"
    return f"{name} on {lab.date}"


def _names(tests: Iterable[LabTest]) -> str:
    """Test names as a list in words: 'HBsAg, anti-HBc and anti-HBs'."""
    names = [TEST_NAMES[test] for test in tests]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _hbsag_reappeared(case: Case) -> dt.date | None:
    """The first positive HBsAg after the last negative one, if HBsAg is now positive."""
    series = [lab for lab in case.series(LabTest.HBSAG) if lab.date <= case.as_of]
    if not series or series[-1].result is not QualitativeResult.POSITIVE:
        return None
    reappeared: dt.date | None = None
    for lab in series:
        if lab.result is QualitativeResult.NEGATIVE:
            reappeared = None
        elif lab.result is QualitativeResult.POSITIVE and reappeared is None:
            reappeared = lab.date
    earlier_negative = any(lab.result is QualitativeResult.NEGATIVE for lab in series)
    return reappeared if earlier_negative else None


def _anti_hbs_words(anti_hbs: LabResult | None) -> str:
    if anti_hbs is None:
        return "anti-HBs not tested"
    if anti_hbs.result is QualitativeResult.POSITIVE:
        return "anti-HBs positive"
    if anti_hbs.result is QualitativeResult.NEGATIVE:
        return "anti-HBs negative"
    return (
        "anti-HBs reported as a value without a positive/negative interpretation "
        "(add the laboratory's result)"
    )


def classify_hbv(case: Case, kb: KnowledgeBase) -> HbvSerology:
    """The HBV class from the latest HBsAg, anti-HBc, anti-HBs (and HBV DNA) on or before as_of.

    HBsAg positive decides chronic HBV, and HBsAg negative with anti-HBc positive decides past
    HBV, even when another test is missing (the missing tests are still listed). Otherwise any
    missing test makes the class incomplete.
    """
    knowledge = kb.get(InfectionKnowledge)
    latest = {test: case.latest(test) for test in _SEROLOGY}
    dna = case.latest(LabTest.HBV_DNA)
    hbsag, anti_hbc, anti_hbs = (latest[test] for test in _SEROLOGY)
    missing = [test for test in _SEROLOGY if latest[test] is None]
    used = [lab for lab in (*latest.values(), dna) if lab is not None]
    basis = [_describe(lab) for lab in used]
    entries: list[Cited] = [knowledge.screening]
    reappeared = _hbsag_reappeared(case)

    hbsag_result = None if hbsag is None else hbsag.result
    anti_hbc_result = None if anti_hbc is None else anti_hbc.result
    anti_hbs_result = None if anti_hbs is None else anti_hbs.result
    positive, negative = QualitativeResult.POSITIVE, QualitativeResult.NEGATIVE

    if len(missing) == len(_SEROLOGY):
        status = HbvStatus.NOT_SCREENED
        summary = (
            f"Not screened for hepatitis B: no {_names(_SEROLOGY)} result on or before "
            f"{case.as_of}."
        )
        basis.append(f"No {_names(_SEROLOGY)} result on or before {case.as_of}.")
    elif hbsag_result is positive:
        status = HbvStatus.CHRONIC
        summary = "Chronic HBV: HBsAg positive."
        basis.append("HBsAg positive decides chronic HBV.")
        if reappeared is not None:
            entries.append(knowledge.reactivation)
            summary = (
                f"Chronic HBV: HBsAg positive again since {reappeared} after an earlier "
                "negative result (HBV reactivation)."
            )
            basis.append(f"HBsAg turned positive on {reappeared} after a negative result.")
    elif hbsag_result is negative and anti_hbc_result is positive:
        status = HbvStatus.PAST
        summary = (
            f"Past (resolved) HBV: HBsAg negative, anti-HBc positive; {_anti_hbs_words(anti_hbs)}."
        )
        basis.append("HBsAg negative with anti-HBc positive decides past HBV, whatever anti-HBs.")
    elif missing:
        status = HbvStatus.INCOMPLETE
        summary = f"HBV screening incomplete: no {_names(missing)} result on record."
        basis.append(f"Missing: {_names(missing)}; the results present do not decide the class.")
    else:
        status = HbvStatus.SUSCEPTIBLE
        if anti_hbs_result is positive:
            immunity = "anti-HBs positive (immune, consistent with vaccination)"
        elif anti_hbs_result is negative:
            immunity = "anti-HBs negative (not immune)"
        else:
            immunity = _anti_hbs_words(anti_hbs)
        summary = f"No HBV infection: HBsAg and anti-HBc negative; {immunity}."
        basis.append("HBsAg and anti-HBc negative: no current or past HBV infection.")
    if missing and status in (HbvStatus.CHRONIC, HbvStatus.PAST):
        basis.append(f"Not tested yet: {_names(missing)}.")

    return HbvSerology(
        status=status,
        summary=summary,
        basis=basis,
        tests_used=[_used(lab) for lab in used],
        missing=missing,
        anti_hbs=anti_hbs_result,
        hbv_dna=None if dna is None else _used(dna),
        hbsag_reappeared_on=reappeared,
        evidence_status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )


# --- context of one evaluation -----------------------------------------------------------------


class HighRiskReason(StrEnum):
    """Why the therapy puts a patient with HBV at high risk of reactivation (ASCO 2020)."""

    TRANSPLANT_INDICATION = "transplant_indication"
    """The indication is maintenance after an autologous stem-cell transplant."""
    TRANSPLANT_RECORDED = "transplant_recorded"
    """An autologous stem-cell transplant is recorded (conditions.autologous_hsct)."""
    ANTI_CD20_REGIMEN = "anti_cd20_regimen"
    """The indication's regimen gives an anti-CD20 antibody with lenalidomide."""
    ANTI_CD20_MEDICATION = "anti_cd20_medication"
    """An anti-CD20 antibody is in the medication list."""


@dataclass(frozen=True)
class _Context:
    case: Case
    knowledge: InfectionKnowledge
    hbv: HbvSerology
    high_barrier: list[RecognisedMedication]
    low_barrier: list[RecognisedMedication]
    high_risk_reasons: list[HighRiskReason]
    high_risk: list[str]
    """The high-risk reasons in words."""
    high_risk_entries: list[Cited]
    hsct_unknown: bool
    stopped_on: dt.date | None

    @property
    def infected(self) -> bool:
        return self.hbv.status in (HbvStatus.CHRONIC, HbvStatus.PAST)


def _drug_name_list(found: list[RecognisedMedication]) -> list[str]:
    names = []
    for item in found:
        name = item.drug.names[0] if item.drug is not None else item.medication.name or ""
        if name not in names:
            names.append(name)
    return names


def _drug_names(found: list[RecognisedMedication]) -> str:
    return ", ".join(_drug_name_list(found))


def _high_risk(
    case: Case, knowledge: InfectionKnowledge, anti_cd20: list[RecognisedMedication]
) -> tuple[list[HighRiskReason], list[Cited], bool]:
    """Why the therapy is high risk for HBV reactivation, the entries used, and HSCT unknown."""
    reasons: list[HighRiskReason] = []
    entries: list[Cited] = []
    hsct_by_indication = case.indication in knowledge.autologous_hsct_indications.indications
    if hsct_by_indication:
        reasons.append(HighRiskReason.TRANSPLANT_INDICATION)
        entries.append(knowledge.autologous_hsct_indications)
    elif case.conditions.autologous_hsct:
        reasons.append(HighRiskReason.TRANSPLANT_RECORDED)
    if case.indication in knowledge.anti_cd20_indications.indications:
        reasons.append(HighRiskReason.ANTI_CD20_REGIMEN)
        entries.append(knowledge.anti_cd20_indications)
    if anti_cd20:
        reasons.append(HighRiskReason.ANTI_CD20_MEDICATION)
    if reasons:
        entries.append(knowledge.high_risk_therapy)
    hsct_unknown = not hsct_by_indication and case.conditions.autologous_hsct is None
    return reasons, entries, hsct_unknown


def _high_risk_words(
    case: Case,
    kb: KnowledgeBase,
    reasons: list[HighRiskReason],
    anti_cd20: list[RecognisedMedication],
) -> list[str]:
    """Each high-risk reason in words, naming the indication, the regimen or the drugs."""
    indication = case.indication.value
    partner = (
        kb.get(IndicationsKnowledge).entry(case.indication).combination or "an anti-CD20 antibody"
    )
    words = {
        HighRiskReason.TRANSPLANT_INDICATION: (
            f"autologous stem-cell transplant (indication {indication}: "
            "maintenance after the transplant)"
        ),
        HighRiskReason.TRANSPLANT_RECORDED: (
            "autologous stem-cell transplant recorded (conditions.autologous_hsct)"
        ),
        HighRiskReason.ANTI_CD20_REGIMEN: (
            f"anti-CD20 antibody ({partner} with lenalidomide, indication {indication})"
        ),
        HighRiskReason.ANTI_CD20_MEDICATION: (
            f"anti-CD20 antibody in the medication list: {_drug_names(anti_cd20)}"
        ),
    }
    return [words[reason] for reason in reasons]


def _context(case: Case, kb: KnowledgeBase, hbv: HbvSerology) -> _Context:
    knowledge = kb.get(InfectionKnowledge)
    catalogue = kb.get(DrugCatalogue)
    choice = knowledge.antiviral_choice
    anti_cd20 = in_class(case, catalogue, knowledge.high_risk_therapy.anti_cd20_drug_class)
    reasons, entries, hsct_unknown = _high_risk(case, knowledge, anti_cd20)
    course = current_course(case)
    return _Context(
        case=case,
        knowledge=knowledge,
        hbv=hbv,
        high_barrier=in_class(case, catalogue, choice.preferred_drug_class),
        low_barrier=in_class(case, catalogue, choice.outdated_drug_class),
        high_risk_reasons=reasons,
        high_risk=_high_risk_words(case, kb, reasons, anti_cd20),
        high_risk_entries=entries,
        hsct_unknown=hsct_unknown,
        stopped_on=course.stopped_on if course.status is CourseStatus.STOPPED else None,
    )


def _finding(
    ctx: _Context,
    *entries: Cited,
    slug: str,
    severity: Severity,
    summary: str,
    detail: str,
    inputs: dict[str, Any] | None = None,
    remedy: Remedy | None = None,
) -> Finding:
    base: dict[str, Any] = {"hbv_status": ctx.hbv.status.value}
    return _infection_finding(
        *entries,
        name=slug,
        severity=severity,
        summary=summary,
        detail=detail,
        inputs={**base, **(inputs or {})},
        remedy=remedy,
    )


def _months(count: int) -> str:
    unit = "month" if count == 1 else "months"
    return f"{format_number(count)} {unit}"


def _every(count: int) -> str:
    return "monthly" if count == 1 else f"every {format_number(count)} months"


def _until(ctx: _Context, months: int) -> str:
    """How long after therapy something continues, with the date when lenalidomide stopped."""
    text = f"for at least {_months(months)} after the last anticancer therapy"
    if ctx.stopped_on is not None:
        text += (
            f" (lenalidomide stopped on {ctx.stopped_on}: at least until "
            f"{add_months(ctx.stopped_on, months)}, later if other anticancer therapy continues)"
        )
    return text


# --- monitoring --------------------------------------------------------------------------------


def _item(test: LabTest, due: dt.date, reason: str, *entries: Cited) -> MonitoringItem:
    return MonitoringItem(
        test=test.value,
        due=due,
        reason=reason,
        status=weakest(entry.status for entry in entries),
        citations=merge_citations(*entries),
    )


def _scheduled(
    ctx: _Context, schedule: MonitoringSchedule, why: str, *extra: Cited
) -> list[MonitoringItem]:
    """One item per test of the schedule: due one interval after its latest result, or now."""
    items = []
    for test in schedule.tests:
        last = ctx.case.latest(test)
        interval = _every(schedule.every_months)
        if schedule.every_months_max is not None:
            interval = (
                f"every {format_number(schedule.every_months)} to "
                f"{format_number(schedule.every_months_max)} months"
            )
        if last is None:
            due = ctx.case.as_of
            when = "no result on record: due now"
        else:
            due = add_months(last.date, schedule.every_months)
            when = f"last on {last.date}"
            if schedule.every_months_max is not None:
                latest_due = add_months(last.date, schedule.every_months_max)
                when += f"; due from {due}, at the latest by {latest_due}"
            if due < ctx.case.as_of:
                when += " (overdue)"
        reason = f"{why}: {TEST_NAMES[test]} {interval} ({when})."
        items.append(_item(test, due, reason, schedule, *extra))
    return items


def _merge_items(items: list[MonitoringItem]) -> list[MonitoringItem]:
    """One item per test: the earliest due wins."""
    by_test: dict[str, MonitoringItem] = {}
    for item in items:
        kept = by_test.get(item.test)
        if kept is None or item.due < kept.due:
            by_test[item.test] = item
    return sorted(by_test.values(), key=lambda item: (item.due, item.test))


# --- rules -------------------------------------------------------------------------------------


def _screening(ctx: _Context) -> tuple[list[Finding], list[MonitoringItem]]:
    knowledge, hbv = ctx.knowledge, ctx.hbv
    if not hbv.missing:
        return [], []
    screening = knowledge.screening
    assay = f" (anti-HBc {screening.anti_hbc_assay})" if LabTest.ANTI_HBC in hbv.missing else ""
    advice = f"Test {_names(hbv.missing)} {screening.timing}{assay}. {screening.do_not_delay}"
    inputs = {"missing": [test.value for test in hbv.missing]}
    if hbv.status is HbvStatus.NOT_SCREENED:
        finding = _finding(
            ctx,
            screening,
            knowledge.eu_serology_before_start,
            slug="hbv_screening_needed",
            severity=Severity.WARNING,
            summary=f"Hepatitis B screening needed: {_names(hbv.missing)}.",
            detail=f"{advice} {knowledge.eu_serology_before_start.text}",
            inputs=inputs,
            remedy=OrderTest(test=HBV_SEROLOGY),
        )
    else:
        decided = hbv.status in (HbvStatus.CHRONIC, HbvStatus.PAST)
        finding = _finding(
            ctx,
            screening,
            slug="hbv_screening_incomplete",
            severity=Severity.INFO if decided else Severity.WARNING,
            summary=f"Hepatitis B screening incomplete: {_names(hbv.missing)} missing.",
            detail=(
                f"{advice} The class ({hbv.status.value}) is already decided by the results "
                "present; complete the panel."
                if decided
                else f"{advice} Until then the HBV class cannot be decided."
            ),
            inputs=inputs,
            remedy=OrderTest(test=HBV_SEROLOGY),
        )
    items = [
        _item(
            test,
            ctx.case.as_of,
            f"HBV screening before anticancer therapy: {TEST_NAMES[test]} (no result on record: "
            "due now; anticancer therapy is not delayed for it).",
            screening,
        )
        for test in hbv.missing
    ]
    return [finding], items


def _positive(case: Case, test: LabTest) -> bool:
    latest = case.latest(test)
    return latest is not None and latest.result is QualitativeResult.POSITIVE


def _dna(ctx: _Context) -> tuple[list[Finding], list[MonitoringItem]]:
    """HBV DNA needed after a positive HBsAg or anti-HBc; DNA found without a decided class."""
    knowledge, hbv, case = ctx.knowledge, ctx.hbv, ctx.case
    rule = knowledge.dna_when
    positives = [test for test in rule.when_positive if _positive(case, test)]
    if positives and hbv.hbv_dna is None:
        finding = _finding(
            ctx,
            rule,
            slug="hbv_dna_needed",
            severity=Severity.WARNING,
            summary=f"HBV DNA needed: {_names(positives)} positive and no HBV DNA on record.",
            detail=f"{rule.text} Order an HBV DNA (viral load) now.",
            inputs={"positive": [test.value for test in positives]},
        )
        reason = f"HBV DNA after a positive {_names(positives)} (no result on record: due now)."
        return [finding], [_item(LabTest.HBV_DNA, case.as_of, reason, rule)]
    dna = hbv.hbv_dna
    undecided = hbv.status in (HbvStatus.NOT_SCREENED, HbvStatus.INCOMPLETE, HbvStatus.SUSCEPTIBLE)
    if dna is not None and dna.value is not None and dna.value > 0 and undecided:
        finding = _finding(
            ctx,
            knowledge.screening,
            rule,
            slug="hbv_dna_detected",
            severity=Severity.WARNING,
            summary=(
                f"HBV DNA detected ({format_number(dna.value)} IU/mL on {dna.date}) while the "
                f"serology is {hbv.status.value.replace('_', ' ')}."
            ),
            detail=(
                "Detectable HBV DNA means HBV infection. Complete and review HBsAg, anti-HBc and "
                f"anti-HBs, and involve a hepatologist. {knowledge.screening.text}"
            ),
            inputs={"hbv_dna_iu_ml": dna.value, "hbv_dna_date": dna.date.isoformat()},
        )
        return [finding], []
    return [], []


def _reactivation_signs(hbv: HbvSerology, rule: Reactivation) -> tuple[bool, bool]:
    """(HBsAg back after a negative result, HBV DNA at or above the threshold in past HBV)."""
    hbsag_back = rule.hbsag_reappearance and hbv.hbsag_reappeared_on is not None
    dna = hbv.hbv_dna
    dna_high = (
        hbv.status is HbvStatus.PAST
        and dna is not None
        and dna.value is not None
        and dna.value >= rule.hbv_dna_treat_at_or_above_iu_ml
    )
    return hbsag_back, dna_high


def _reactivation(ctx: _Context) -> tuple[list[Finding], list[MonitoringItem]]:
    """The reactivation thresholds applied to the HBsAg and HBV DNA series."""
    knowledge, hbv = ctx.knowledge, ctx.hbv
    rule = knowledge.reactivation
    threshold = rule.hbv_dna_treat_at_or_above_iu_ml
    dna = hbv.hbv_dna
    hbsag_back, dna_high = _reactivation_signs(hbv, rule)
    reasons: list[str] = []
    if hbsag_back and hbv.hbsag_reappeared_on is not None:
        reasons.append(f"HBsAg positive again since {hbv.hbsag_reappeared_on}")
    past = hbv.status is HbvStatus.PAST
    if dna_high and dna is not None and dna.value is not None:
        reasons.append(
            f"HBV DNA {format_number(dna.value)} IU/mL on {dna.date} "
            f"(≥ {format_number(threshold)} IU/mL)"
        )
    choice = knowledge.antiviral_choice
    if reasons:
        finding = _finding(
            ctx,
            rule,
            choice,
            knowledge.chronic.hepatology,
            slug="hbv_reactivation",
            severity=Severity.CRITICAL,
            summary=f"HBV reactivation: {'; '.join(reasons)}.",
            detail=(
                f"{rule.text} Start antiviral treatment with {choice.preferred_names} now "
                "(or, if one is already taken, review it with the hepatologist) and manage "
                f"with a hepatologist. {knowledge.lenalidomide_viral_reactivation.text}"
            ),
            inputs={
                "hbsag_reappeared_on": None
                if hbv.hbsag_reappeared_on is None
                else hbv.hbsag_reappeared_on.isoformat(),
                "hbv_dna_iu_ml": None if dna is None else dna.value,
                "hbv_dna_threshold_iu_ml": threshold,
                "antivirals": _drug_names(ctx.high_barrier + ctx.low_barrier) or None,
            },
        )
        return [finding], []
    if past and dna is not None and dna.value is not None and 0 < dna.value < threshold:
        due = add_months(dna.date, rule.repeat_dna_every_months_below)
        every = _every(rule.repeat_dna_every_months_below)
        finding = _finding(
            ctx,
            rule,
            slug="hbv_dna_low_level",
            severity=Severity.WARNING,
            summary=(
                f"Past HBV with quantifiable HBV DNA {format_number(dna.value)} IU/mL on "
                f"{dna.date} (below {format_number(threshold)} IU/mL): repeat HBV DNA {every}."
            ),
            detail=f"{rule.text} Next HBV DNA due by {due}.",
            inputs={"hbv_dna_iu_ml": dna.value, "hbv_dna_threshold_iu_ml": threshold},
        )
        reason = (
            f"Quantifiable HBV DNA below {format_number(threshold)} IU/mL in past HBV: "
            f"repeat {every} (last on {dna.date})."
        )
        return [finding], [_item(LabTest.HBV_DNA, due, reason, rule)]
    return [], []


def _chronic(ctx: _Context) -> tuple[list[Finding], list[MonitoringItem]]:
    knowledge = ctx.knowledge
    chronic, choice = knowledge.chronic, knowledge.antiviral_choice
    prophylaxis = chronic.prophylaxis
    schedule, after_stop = chronic.monitoring_on_antiviral, chronic.after_antiviral_stop
    plan = (
        f"Continue the antiviral during lenalidomide and {_until(ctx, prophylaxis.months_after_last_therapy)}. "
        f"{TEST_NAMES[LabTest.HBV_DNA]} and {TEST_NAMES[LabTest.ALT]} at baseline and "
        f"{_every(schedule.every_months)} on the antiviral; after it is stopped, ALT "
        f"{_every(after_stop.alt_every_months)} for {_months(after_stop.for_months)}, then "
        f"{_every(after_stop.then_every_months)}. {chronic.hepatology.text}"
    )
    entries = (prophylaxis, choice, schedule, after_stop, chronic.hepatology)
    inputs = {
        "high_barrier_antivirals": _drug_names(ctx.high_barrier) or None,
        "low_barrier_antivirals": _drug_names(ctx.low_barrier) or None,
    }
    if ctx.high_barrier:
        finding = _finding(
            ctx,
            *entries,
            slug="hbv_chronic_prophylaxis_met",
            severity=Severity.INFO,
            summary=(
                f"Chronic HBV: antiviral prophylaxis in place ({_drug_names(ctx.high_barrier)})."
            ),
            detail=f"{prophylaxis.text} {plan}",
            inputs=inputs,
        )
    elif ctx.low_barrier:
        finding = _finding(
            ctx,
            *entries,
            slug="hbv_chronic_prophylaxis_low_barrier",
            severity=Severity.WARNING,
            summary=(
                f"Chronic HBV: low-barrier antiviral listed ({_drug_names(ctx.low_barrier)}); "
                f"use {choice.preferred_names} instead."
            ),
            detail=f"{prophylaxis.text} {choice.text} {plan}",
            inputs=inputs,
        )
    else:
        finding = _finding(
            ctx,
            *entries,
            knowledge.screening,
            slug="hbv_chronic_prophylaxis_needed",
            severity=Severity.CRITICAL,
            summary=(
                f"Chronic HBV and no HBV antiviral in the medication list: start {choice.preferred_names} "
                "prophylaxis."
            ),
            detail=(
                f"{prophylaxis.text} Lenalidomide itself is not delayed for this. {choice.text} "
                f"{plan}"
            ),
            inputs=inputs,
        )
    items = _scheduled(ctx, schedule, "Chronic HBV, at baseline and on the antiviral")
    return [finding], items


class PastHbvPlan(StrEnum):
    """What past (resolved) HBV calls for during lenalidomide."""

    TREAT_REACTIVATION = "treat_reactivation"
    """Reactivation found: treated now (see the reactivation finding), not prevented."""
    PROPHYLAXIS_IN_PLACE = "prophylaxis_in_place"
    """High-risk therapy and a preferred antiviral taken: continue it."""
    PROPHYLAXIS_OR_MONITORING = "prophylaxis_or_monitoring"
    """High-risk therapy and no preferred antiviral: give one, or monitor closely."""
    MONITOR = "monitor"
    """Other anticancer therapy: monitor and treat on demand."""


class PastHbvDecision(Frozen):
    """What past (resolved) HBV calls for on the assessment date, and what decided it."""

    plan: PastHbvPlan
    high_risk_therapy: list[HighRiskReason] = Field(
        description="Why the therapy is high risk for reactivation; empty: other therapy."
    )
    high_barrier_antivirals: list[str] = Field(description="Preferred antivirals being taken.")
    low_barrier_antivirals: list[str] = Field(
        description="Antivirals taken that have a low barrier to resistance."
    )
    ask_about_transplant: bool = Field(
        description="Other therapy, but whether a stem-cell transplant applies is not recorded."
    )
    lenalidomide_stopped_on: dt.date | None = None
    prophylaxis_until: dt.date | None = Field(
        default=None,
        description="High-risk therapy after a stop: prophylaxis runs at least until this date.",
    )
    monitoring: MonitoringSchedule | None = Field(
        default=None, description="The monitoring schedule in force, if any."
    )
    entries: tuple[Cited, ...] = Field(min_length=1, description="What the plan rests on.")


def _decide_past(ctx: _Context) -> PastHbvDecision:
    knowledge = ctx.knowledge
    past, choice, reactivation = knowledge.past, knowledge.antiviral_choice, knowledge.reactivation
    decision = partial(
        PastHbvDecision,
        high_risk_therapy=ctx.high_risk_reasons,
        high_barrier_antivirals=_drug_name_list(ctx.high_barrier),
        low_barrier_antivirals=_drug_name_list(ctx.low_barrier),
        ask_about_transplant=False,
        lenalidomide_stopped_on=ctx.stopped_on,
    )
    if any(_reactivation_signs(ctx.hbv, reactivation)):
        return decision(plan=PastHbvPlan.TREAT_REACTIVATION, entries=(reactivation,))
    if ctx.high_risk:
        prophylaxis = past.high_risk_prophylaxis
        until = (
            None
            if ctx.stopped_on is None
            else add_months(ctx.stopped_on, prophylaxis.months_after_last_therapy)
        )
        low_risk = knowledge.correction("resolved_hbv_low_risk")
        entries = (*ctx.high_risk_entries, prophylaxis, choice, low_risk)
        if ctx.high_barrier:
            return decision(
                plan=PastHbvPlan.PROPHYLAXIS_IN_PLACE, prophylaxis_until=until, entries=entries
            )
        monitoring = past.high_risk_monitoring
        return decision(
            plan=PastHbvPlan.PROPHYLAXIS_OR_MONITORING,
            prophylaxis_until=until,
            monitoring=monitoring,
            entries=(*entries, monitoring, reactivation),
        )
    panel = knowledge.correction("resolved_hbv_alt_hbsag_only")
    return decision(
        plan=PastHbvPlan.MONITOR,
        ask_about_transplant=ctx.hsct_unknown,
        monitoring=past.other_therapy_monitoring,
        entries=(past.other_therapy, reactivation, panel),
    )


def decide_past_hbv(case: Case, kb: KnowledgeBase) -> PastHbvDecision | None:
    """The plan for past (resolved) HBV on `case.as_of`; None when the HBV class is not past."""
    hbv = classify_hbv(case, kb)
    if hbv.status is not HbvStatus.PAST:
        return None
    return _decide_past(_context(case, kb, hbv))


def _past_inputs(ctx: _Context) -> dict[str, Any]:
    return {
        "high_risk_therapy": ctx.high_risk or None,
        "autologous_hsct": ctx.case.conditions.autologous_hsct,
        "high_barrier_antivirals": _drug_names(ctx.high_barrier) or None,
        "low_barrier_antivirals": _drug_names(ctx.low_barrier) or None,
    }


def _treat_when(knowledge: InfectionKnowledge) -> str:
    reactivation = knowledge.reactivation
    threshold = format_number(reactivation.hbv_dna_treat_at_or_above_iu_ml)
    return (
        f"start an antiviral when HBsAg reappears or HBV DNA reaches ≥ {threshold} IU/mL; "
        f"repeat HBV DNA {_every(reactivation.repeat_dna_every_months_below)} while it is "
        f"quantifiable but below {threshold} IU/mL"
    )


def _past_high_risk_words(
    decision: PastHbvDecision, ctx: _Context
) -> tuple[list[Finding], list[MonitoringItem]]:
    """Past HBV with a high-risk therapy: prophylaxis in place, or prophylaxis or monitoring."""
    knowledge = ctx.knowledge
    past, choice = knowledge.past, knowledge.antiviral_choice
    prophylaxis, low_risk = (
        past.high_risk_prophylaxis,
        knowledge.correction("resolved_hbv_low_risk"),
    )
    why = "; ".join(ctx.high_risk)
    if decision.plan is PastHbvPlan.PROPHYLAXIS_IN_PLACE:
        finding = _finding(
            ctx,
            *decision.entries,
            slug="hbv_past_high_risk_prophylaxis_met",
            severity=Severity.INFO,
            summary=(
                "Past HBV with a high-risk therapy: antiviral prophylaxis in place "
                f"({_drug_names(ctx.high_barrier)})."
            ),
            detail=(
                f"High risk of HBV reactivation because of: {why}. Continue the antiviral "
                f"during therapy and {_until(ctx, prophylaxis.months_after_last_therapy)}."
            ),
            inputs=_past_inputs(ctx),
        )
        return [finding], []
    monitoring = decision.monitoring
    assert monitoring is not None  # prophylaxis or monitoring names its schedule
    low = (
        f" The antiviral listed ({_drug_names(ctx.low_barrier)}) has a low barrier to "
        f"resistance: {choice.text}"
        if ctx.low_barrier
        else ""
    )
    finding = _finding(
        ctx,
        *decision.entries,
        slug="hbv_past_high_risk",
        severity=Severity.WARNING,
        summary=(
            "Past HBV with a high-risk therapy: high risk of HBV reactivation; give "
            f"{choice.preferred_names} prophylaxis, or monitor closely."
        ),
        detail=(
            f"High risk because of: {why}. Preferred: {choice.preferred_names} during "
            f"therapy and {_until(ctx, prophylaxis.months_after_last_therapy)}. "
            f"Alternative, only with reliable follow-up: {_names(monitoring.tests)} "
            f"{_every(monitoring.every_months)} during therapy and up to "
            f"{_months(monitoring.months_after_last_therapy or 0)} after it; "
            f"{_treat_when(knowledge)}.{low} Note: the {low_risk.document} claims that "
            f"{low_risk.claim}; the sources say that {words(low_risk, 'correction')}."
        ),
        inputs=_past_inputs(ctx),
    )
    items = _scheduled(ctx, monitoring, "Past HBV, high-risk therapy, no prophylaxis")
    return [finding], items


def _past_monitor_words(
    decision: PastHbvDecision, ctx: _Context
) -> tuple[list[Finding], list[MonitoringItem]]:
    """Past HBV with other anticancer therapy: monitor, treat on demand; ask about a transplant."""
    knowledge = ctx.knowledge
    past = knowledge.past
    advice, panel = past.other_therapy, knowledge.correction("resolved_hbv_alt_hbsag_only")
    monitoring = decision.monitoring
    assert monitoring is not None  # monitoring on demand names its schedule
    treat_when = _treat_when(knowledge)
    findings = [
        _finding(
            ctx,
            *decision.entries,
            slug="hbv_past_monitor",
            severity=Severity.INFO,
            summary=(
                "Past HBV without anti-CD20 therapy or a stem-cell transplant on record: monitor "
                f"{_names(advice.tests)} and treat on demand."
            ),
            detail=(
                f"{advice.text} {treat_when[0].upper()}{treat_when[1:]}. The panel includes "
                f"HBV DNA: the {panel.document} claims that {panel.claim}; the sources say that "
                f"{words(panel, 'correction')}. The interval is given with the monitoring items "
                "(status unverified)."
            ),
            inputs=_past_inputs(ctx),
        )
    ]
    if decision.ask_about_transplant:
        findings.append(
            _finding(
                ctx,
                knowledge.high_risk_therapy,
                past.high_risk_prophylaxis,
                slug="hbv_past_transplant_unknown",
                severity=Severity.WARNING,
                summary=(
                    "Past HBV and autologous stem-cell transplant not recorded "
                    "(conditions.autologous_hsct unknown)."
                ),
                detail=(
                    f"{knowledge.high_risk_therapy.text} If the patient has had or will have a "
                    "transplant, the high-risk rules apply: "
                    f"{past.high_risk_prophylaxis.text} Record conditions.autologous_hsct."
                ),
                inputs=_past_inputs(ctx),
            )
        )
    return findings, _scheduled(ctx, monitoring, "Past HBV, other anticancer therapy")


def _past(ctx: _Context) -> tuple[list[Finding], list[MonitoringItem]]:
    """Past HBV in findings and monitoring items (nothing once reactivation is treated)."""
    decision = _decide_past(ctx)
    if decision.plan is PastHbvPlan.TREAT_REACTIVATION:
        return [], []
    if decision.plan is PastHbvPlan.MONITOR:
        return _past_monitor_words(decision, ctx)
    return _past_high_risk_words(decision, ctx)


def _antiviral_choice(ctx: _Context) -> list[Finding]:
    if not ctx.low_barrier:
        return []
    knowledge = ctx.knowledge
    choice = knowledge.antiviral_choice
    months = knowledge.chronic.prophylaxis.months_after_last_therapy
    sample = knowledge.correction("lamivudine_six_to_twelve_months")
    relevant = ctx.infected or ctx.hbv.hbsag_reappeared_on is not None
    return [
        _finding(
            ctx,
            choice,
            knowledge.chronic.prophylaxis,
            sample,
            slug="hbv_antiviral_low_barrier",
            severity=Severity.WARNING if relevant else Severity.INFO,
            summary=(
                f"{_drug_names(ctx.low_barrier)}: low barrier to resistance; "
                f"{choice.preferred_names} is preferred for HBV prophylaxis."
            ),
            detail=(
                f"{choice.text} Duration: during therapy and for ≥ {format_number(months)} "
                f"months after the last anticancer therapy (ASCO). Disagreement shown: the "
                f"{sample.document} recommends {sample.claim}; the sources say: "
                f"{words(sample, 'correction')}."
            ),
            inputs={"low_barrier_antivirals": _drug_names(ctx.low_barrier)},
        )
    ]


def _lenalidomide_specific(ctx: _Context) -> list[Finding]:
    if not ctx.infected:
        return []
    statement = ctx.knowledge.lenalidomide_viral_reactivation
    return [
        _finding(
            ctx,
            statement,
            slug="lenalidomide_viral_reactivation",
            severity=Severity.INFO,
            summary="Viral reactivation (HBV, VZV) has been reported with lenalidomide.",
            detail=statement.text,
        )
    ]


def _active_viral_infection(ctx: _Context) -> list[Finding]:
    if ctx.case.conditions.active_viral_infection is not True:
        return []
    statement = ctx.knowledge.active_viral_infection
    return [
        _finding(
            ctx,
            statement,
            slug="active_viral_infection",
            severity=Severity.WARNING,
            summary=(
                "Active, uncontrolled viral infection: consider delaying lenalidomide "
                "(clinical judgement, not a US label rule)."
            ),
            detail=statement.text,
            inputs={"active_viral_infection": True},
        )
    ]


def evaluate(case: Case, kb: KnowledgeBase) -> InfectionOutcome:
    """Infection and hepatitis B findings and monitoring for the assessment date."""
    hbv = classify_hbv(case, kb)
    ctx = _context(case, kb, hbv)
    findings: list[Finding] = []
    items: list[MonitoringItem] = []
    reactivation = _reactivation(ctx)
    reactivated = bool(reactivation[0]) and reactivation[0][0].id.endswith(".hbv_reactivation")
    parts = [_screening(ctx), _dna(ctx), reactivation]
    if hbv.status is HbvStatus.CHRONIC:
        chronic_findings, chronic_items = _chronic(ctx)
        # Reactivation needs antiviral treatment now: the prophylaxis advice would contradict it.
        parts.append(([] if reactivated else chronic_findings, chronic_items))
    elif hbv.status is HbvStatus.PAST and not reactivated:
        # Reactivated past HBV is treated, not given "prophylaxis or monitoring".
        parts.append(_past(ctx))
    for part_findings, part_items in parts:
        findings += part_findings
        items += part_items
    findings += _antiviral_choice(ctx)
    findings += _lenalidomide_specific(ctx)
    findings += _active_viral_infection(ctx)
    return InfectionOutcome(
        findings=findings,
        monitoring=_merge_items(items),
        hbv=hbv,
        high_risk_therapy=ctx.high_risk,
    )
