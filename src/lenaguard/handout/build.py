"""Build a patient's handout from their assessment: the same decision every surface shows.

Nothing clinical is decided here. Whether to take capsules comes from the assessment's
readiness and dose plan; the days from its calendar; the test dates from its monitoring; the
rules for the risk category, the missed-dose rule, capsule handling and the symptoms from the
knowledge base. A case that is not ready, held or stopped gets a handout that says so and shows
no dosing day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from lenaguard.assess import Assessment
from lenaguard.calendar_grid import weeks
from lenaguard.case import Case
from lenaguard.handout.model import (
    Basis,
    CalendarCell,
    Contact,
    ContactKind,
    DoseWords,
    Handout,
    Plan,
    PregnancyRules,
    Rules,
    SymptomGroups,
    TestDate,
)
from lenaguard.knowledge import Citation, Cited, KnowledgeBase, weakest
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.other_toxicity import OtherToxicityKnowledge
from lenaguard.knowledge.topics.pregnancy import PregnancyKnowledge
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.knowledge.topics.symptoms import SymptomsKnowledge, Urgency
from lenaguard.rules.base.results import MonitoringItem
from lenaguard.vocab import DoseAction, Readiness, Severity, Sex, Symptom, ToxicityKind

__all__ = ["ALLERGY", "PREGNANCY_TEST", "build_handout", "contact_for", "plan_of"]

PREGNANCY_TEST = "pregnancy_test"
"""The assessment's test key of a pregnancy test; every other test is a blood test."""

ALLERGY = "allergy"
"""The handout's key for a severe allergic reaction (swelling of the face or throat), which the
label stops lenalidomide for (other_toxicity.permanent_stop: angioedema, anaphylaxis)."""

_ALLERGY_KINDS = (ToxicityKind.ANGIOEDEMA, ToxicityKind.ANAPHYLAXIS)


def contact_for(
    clinic_name: str | None, clinic_phone: str | None, prescriber_name: str | None = None
) -> Contact:
    """Whom to call: the clinic (settings), else the prescriber's record, else the care team."""
    clinic_name = (clinic_name or "").strip() or None
    clinic_phone = (clinic_phone or "").strip() or None
    if clinic_name or clinic_phone:
        return Contact(ContactKind.CLINIC, clinic_name, clinic_phone)
    prescriber_name = (prescriber_name or "").strip() or None
    if prescriber_name:
        return Contact(ContactKind.PRESCRIBER, prescriber_name)
    return Contact(ContactKind.CARE_TEAM)


def plan_of(assessment: Assessment) -> Plan:
    """Take, wait or stopped: read from the assessment's readiness and dose plan only."""
    dose = assessment.dose
    if dose is not None and dose.action in (DoseAction.STOP, DoseAction.DO_NOT_START):
        return Plan.STOPPED
    if (
        dose is not None
        and assessment.readiness is Readiness.READY
        and dose.action.gives_drug
        and dose.dose_mg is not None
    ):
        return Plan.TAKE
    return Plan.WAIT


def _basis(topic: str, entries: Iterable[Cited | MonitoringItem]) -> Basis:
    """What a section rests on: the entries' citations, at the weakest of their statuses."""
    entries = list(entries)
    citations: list[Citation] = []
    for entry in entries:
        for citation in entry.cite if isinstance(entry, Cited) else entry.citations:
            if citation not in citations:
                citations.append(citation)
    return Basis(topic, weakest(entry.status for entry in entries), tuple(citations))


def _with_refs(basis: Basis, bibliography: Bibliography) -> Basis:
    """The basis with its citations in their shortest readable form, each once."""
    refs: list[str] = []
    for citation in basis.citations:
        try:
            short = bibliography.by_id(citation.source).short_name
        except KeyError:
            short = citation.source
        section = citation.section.split()[0] if citation.section.startswith("§") else ""
        ref = f"{short} {section.rstrip(',;:')}".strip()
        if ref not in refs:
            refs.append(ref)
    # a bare source name adds nothing next to a section of the same source
    refs = [ref for ref in refs if not any(o != ref and o.startswith(ref + " ") for o in refs)]
    return replace(basis, refs=tuple(refs))


def _capsules(dose_mg: float | None, strengths: list[float]) -> tuple[int | None, float | None]:
    """(capsules, strength) when one capsule strength makes the dose, the fewest capsules."""
    if dose_mg is None:
        return None, None
    for strength in sorted(strengths, reverse=True):
        count = dose_mg / strength
        if abs(count - round(count)) < 1e-9 and round(count) >= 1:
            return round(count), strength
    return None, None


def _test_dates(assessment: Assessment) -> tuple[TestDate, ...]:
    due: dict = defaultdict(set)
    for item in assessment.monitoring:
        due[item.due].add(item.test)
    for day in assessment.calendar:
        due[day.date].update(day.tests_due)
    return tuple(
        TestDate(
            date=date,
            pregnancy=PREGNANCY_TEST in tests,
            blood_tests=tuple(sorted(tests - {PREGNANCY_TEST})),
            overdue=date < assessment.as_of,
        )
        for date, tests in sorted(due.items())
        if tests
    )


def _cells(assessment: Assessment, plan: Plan, strengths: list[float]) -> tuple:
    grid = []
    for week in weeks(assessment.calendar):
        row = []
        for cell in week:
            day = cell.day
            take = plan is Plan.TAKE and day is not None and day.dose_mg is not None
            tests: list[str] = []
            if day is not None:
                if PREGNANCY_TEST in day.tests_due:
                    tests.append("pregnancy")
                if any(test != PREGNANCY_TEST for test in day.tests_due):
                    tests.append("blood")
            row.append(
                CalendarCell(
                    date=cell.date,
                    in_calendar=day is not None,
                    take=take,
                    capsules=_capsules(day.dose_mg, strengths)[0] if take and day else None,
                    tests=tuple(tests),
                )
            )
        grid.append(tuple(row))
    return tuple(grid)


def _rules(assessment: Assessment, case: Case, pregnancy: PregnancyKnowledge) -> Rules:
    category = assessment.rems_category
    female = category.female if category is not None else case.patient.sex is Sex.FEMALE
    pregnancy_rules = None
    if category is not None and category.reproductive_potential:
        tests = pregnancy.ongoing_tests
        pregnancy_rules = PregnancyRules(
            weeks_before=pregnancy.contraception.weeks_before,
            weeks_after=pregnancy.contraception.weeks_after,
            weekly_weeks=tests.weekly_phase_weeks,
            regular_every_weeks=tests.regular_menses_interval_weeks,
            irregular_every_weeks=tests.irregular_menses_interval_weeks,
        )
    male = not female
    return Rules(
        category=category,
        pregnancy=pregnancy_rules,
        male_weeks_after=pregnancy.male_after_stopping.weeks_after if male else None,
        blood_donation_weeks_after=pregnancy.blood_donation.weeks_after,
        no_breastfeeding=female,
    )


def _tells_to_stop(instruction: str) -> bool:
    """Whether a symptom's patient instruction (knowledge) tells the patient to stop the drug."""
    return instruction.lower().startswith("stop taking")


def _symptoms(symptoms: SymptomsKnowledge, rules: Rules) -> tuple[SymptomGroups, list[Cited]]:
    """Group the symptoms by what to do, as their knowledge entries grade them: critical ones
    that need care now are emergencies (a possible pregnancy: call the prescriber at once);
    other urgent ones mean calling the clinic now; same-day ones, today."""
    emergency: list[str] = []
    call_now: list[str] = []
    call_today: list[str] = []
    used: list[Cited] = []
    female = rules.category.female if rules.category is not None else False
    for key in Symptom:
        entry = symptoms.entry(key)
        if entry.applies_to_sex is Sex.FEMALE and not (female and rules.pregnancy):
            continue
        if entry.urgency is Urgency.ROUTINE:
            continue
        used.append(entry)
        if entry.urgency is Urgency.SAME_DAY:
            call_today.append(key.value)
        elif entry.applies_to_sex is not None or entry.severity is not Severity.CRITICAL:
            call_now.append(key.value)
        else:
            emergency.append(key.value)
    stop = {
        entry_key
        for entry_key in (*emergency, *call_now)
        if _tells_to_stop(symptoms.entry(Symptom(entry_key)).instruction)
    }
    groups = SymptomGroups(
        emergency=(*emergency, ALLERGY),
        call_now=tuple(call_now),
        call_today=tuple(call_today),
        stop=frozenset({*stop, ALLERGY}),
    )
    return groups, used


def build_handout(
    assessment: Assessment, case: Case, kb: KnowledgeBase, contact: Contact | None = None
) -> Handout:
    """The handout of the patient `assessment` is about (`case` is the case it assessed)."""
    if case.patient.id != assessment.patient_id:
        raise ValueError("the case and the assessment are about different patients")
    indications = kb.get(IndicationsKnowledge)
    pregnancy = kb.get(PregnancyKnowledge)
    symptoms_kb = kb.get(SymptomsKnowledge)
    toxicity = kb.get(OtherToxicityKnowledge)
    bibliography = kb.get(Bibliography)
    strengths = list(indications.capsule_strengths_mg.values)

    plan = plan_of(assessment)
    dose = None
    plan_entry = assessment.dose
    if plan is Plan.TAKE and plan_entry is not None and plan_entry.dose_mg is not None:
        capsules, strength = _capsules(plan_entry.dose_mg, strengths)
        dose = DoseWords(
            dose_mg=plan_entry.dose_mg,
            capsules=capsules,
            capsule_mg=strength,
            every_other_day=plan_entry.frequency is not None
            and plan_entry.frequency.value == "every_48h",
            after_dialysis=plan_entry.after_dialysis,
            days_on=plan_entry.days_on,
            cycle_days=plan_entry.cycle_days,
        )
    rules = _rules(assessment, case, pregnancy)
    groups, symptom_entries = _symptoms(symptoms_kb, rules)
    allergy_entries = [entry for entry in toxicity.permanent_stop if entry.kind in _ALLERGY_KINDS]

    sources: dict[str, Basis] = {}
    if plan_entry is not None:
        sources["plan"] = Basis("dose", plan_entry.status, tuple(plan_entry.citations))
    if assessment.monitoring:
        sources["tests"] = _basis("monitoring", assessment.monitoring)
    if rules.pregnancy is not None:
        sources["birth_control"] = _basis(
            "pregnancy",
            [pregnancy.contraception, pregnancy.ongoing_tests, pregnancy.missed_period],
        )
    if rules.male_weeks_after is not None:
        sources["condoms"] = _basis(
            "pregnancy", [pregnancy.male_condom, pregnancy.male_after_stopping]
        )
    donation = [pregnancy.blood_donation]
    if rules.no_breastfeeding:
        donation.append(pregnancy.lactation)
    sources["donation"] = _basis("pregnancy", donation)
    sources["missed_dose"] = _basis("indications", [indications.missed_dose])
    handling = indications.handling
    sources["handling"] = _basis(
        "indications",
        [
            indications.administration,
            handling.keep_closed,
            handling.caregiver,
            handling.storage,
            handling.returning,
        ],
    )
    sources["symptoms"] = _basis("symptoms", [*symptom_entries, *allergy_entries])

    return Handout(
        patient_id=assessment.patient_id,
        as_of=assessment.as_of,
        plan=plan,
        dose=dose,
        weeks=_cells(assessment, plan, strengths),
        test_dates=_test_dates(assessment),
        rules=rules,
        missed_dose_hours=indications.missed_dose.hours_late_limit,
        symptoms=groups,
        contact=contact or Contact(ContactKind.CARE_TEAM),
        knowledge_version=assessment.knowledge_version,
        lenaguard_version=assessment.lenaguard_version,
        sources={name: _with_refs(basis, bibliography) for name, basis in sources.items()},
    )
