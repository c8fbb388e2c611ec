"""Patient-reported symptoms: a finding for each, with its urgency and the patient's instruction.

How the rules combine (see docs/rules/symptoms.md):

- Every reported symptom gives a finding `symptom.<name>` carrying its severity, its urgency and
  the plain-language instruction for the patient.
- Fever with a neutrophil count below the knowledge threshold adds a critical finding
  `symptom.fever_neutropenic`; fever with no neutrophil count adds `symptom.fever_anc_unknown`.
  Both come *on top of* the fever finding, so filtering unverified rules never hides the fever.
- Mouth sores with a rash, blistering rash or peeling skin give one critical finding that
  replaces the findings of those symptoms (their instructions would otherwise disagree).
- A rash reported with a blistering rash or peeling skin is covered by the graver finding.
- A symptom that cannot apply to the patient's sex (missed period in a male) gives an info
  finding saying it was not assessed.
- A missed period in a female patient is left to the pregnancy rules (`pregnancy.missed_period`,
  or `pregnancy.missed_period_not_frp` when her record says she cannot become pregnant): they
  know her reproductive status and tests, and their single critical finding carries the
  patient instruction of this topic. Two critical findings for one report would be noise.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.symptoms import SymptomCombination, SymptomsKnowledge
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.text import format_number
from lenaguard.vocab import Category, LabTest, Severity, Sex, Symptom

_symptom_finding = Finding.maker(Category.SYMPTOM)


def patient_instruction(symptom: Symptom, kb: KnowledgeBase) -> str:
    """What a patient reporting `symptom` should do, in plain language (for patient-facing use)."""
    return words(kb.get(SymptomsKnowledge).entry(symptom), "instruction")


def _matches(combo: SymptomCombination, reported: list[Symptom]) -> bool:
    return set(combo.all_of) <= set(reported) and bool(set(combo.any_of) & set(reported))


def _combined(reported: list[Symptom], knowledge: SymptomsKnowledge) -> list[Finding]:
    findings = []
    for combo in knowledge.combinations:
        if not _matches(combo, reported):
            continue
        present = [s for s in reported if s in combo.all_of or s in combo.any_of]
        findings.append(
            _symptom_finding(
                combo,
                name=f"{combo.id}",
                severity=combo.severity,
                summary=f"{combo.name.capitalize()} reported — {combo.urgency.words}",
                detail=(
                    f"Reported: {', '.join(knowledge.entry(s).name for s in present)}. "
                    f"Concern: {combo.concern} "
                    f"Tell the patient ({combo.urgency.words}): {words(combo, 'instruction')}"
                ),
                inputs={"symptoms": [s.value for s in present], "urgency": combo.urgency.value},
            )
        )
    return findings


def _consumed(reported: list[Symptom], knowledge: SymptomsKnowledge) -> set[Symptom]:
    """Symptoms whose own finding is replaced by a combination or a graver symptom."""
    consumed: set[Symptom] = set()
    for combo in knowledge.combinations:
        if _matches(combo, reported):
            consumed |= (set(combo.all_of) | set(combo.any_of)) & set(reported)
    for symptom in reported:
        if set(knowledge.entry(symptom).superseded_by) & set(reported):
            consumed.add(symptom)
    return consumed


def _left_to_pregnancy_rules(symptom: Symptom, case: Case, knowledge: SymptomsKnowledge) -> bool:
    entry = knowledge.entry(symptom)
    applies = entry.applies_to_sex is None or entry.applies_to_sex is case.patient.sex
    return entry.reported_by_pregnancy_rules and applies


def _single(symptom: Symptom, case: Case, knowledge: SymptomsKnowledge) -> Finding:
    entry = knowledge.entry(symptom)
    sex = case.patient.sex
    if entry.applies_to_sex is not None and entry.applies_to_sex is not sex:
        note = knowledge.not_applicable
        return _symptom_finding(
            entry,
            note,
            name=f"{symptom.value}_not_applicable",
            severity=Severity.INFO,
            summary=f"{entry.name.capitalize()} reported for a {sex.value} patient — not assessed",
            detail=note.detail,
            inputs={"symptom": symptom.value, "sex": sex.value},
        )
    detail = f"Concern: {entry.concern} Tell the patient ({entry.urgency.words}): {words(entry, 'instruction')}"
    if entry.female_note is not None and sex is Sex.FEMALE:
        detail = f"{detail} {entry.female_note}"
    return _symptom_finding(
        entry,
        name=f"{symptom.value}",
        severity=entry.severity,
        summary=f"{entry.name.capitalize()} reported — {entry.urgency.words}",
        detail=detail,
        inputs={"symptom": symptom.value, "urgency": entry.urgency.value, "sex": sex.value},
    )


def _neutropenic_fever(case: Case, knowledge: SymptomsKnowledge) -> list[Finding]:
    rule = knowledge.neutropenic_fever
    latest = case.latest(LabTest.ANC)
    if latest is None or latest.canonical_value is None:
        return [
            _symptom_finding(
                rule,
                name="fever_anc_unknown",
                severity=Severity.WARNING,
                summary=rule.anc_unknown_summary,
                detail=rule.anc_unknown_detail,
                inputs={"symptom": rule.symptom.value, "anc_per_ul": None},
            )
        ]
    anc = latest.canonical_value
    if anc >= rule.anc_below_per_ul:
        return []
    return [
        _symptom_finding(
            rule,
            name="fever_neutropenic",
            severity=rule.severity,
            summary=rule.summary,
            detail=(
                f"Fever reported with ANC {format_number(anc)}/mcL on {latest.date.isoformat()}, "
                f"below {format_number(rule.anc_below_per_ul)}/mcL. {rule.detail} "
                f"{rule.threshold_basis}"
            ),
            inputs={
                "symptom": rule.symptom.value,
                "anc_per_ul": anc,
                "anc_date": latest.date.isoformat(),
            },
        )
    ]


def evaluate(case: Case, kb: KnowledgeBase) -> RuleOutcome:
    """One finding per reported symptom, plus the combinations and the neutropenic-fever check."""
    knowledge = kb.get(SymptomsKnowledge)
    reported = list(dict.fromkeys(case.symptoms))
    consumed = _consumed(reported, knowledge)
    findings = _combined(reported, knowledge)
    findings += [
        _single(s, case, knowledge)
        for s in reported
        if s not in consumed and not _left_to_pregnancy_rules(s, case, knowledge)
    ]
    if knowledge.neutropenic_fever.symptom in reported:
        findings += _neutropenic_fever(case, knowledge)
    return RuleOutcome(findings=findings)
