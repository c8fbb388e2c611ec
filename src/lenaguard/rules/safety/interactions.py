"""Drug interactions: the case's co-medications checked against the label's interaction list.

Medications are recognised through the drug catalogue (name, brand, synonym or RxNorm code) and
matched to interaction statements by drug class. Three choices matter here (see
docs/rules/interactions.md):

- CYP3A4 inhibitors and inducers never raise an alert: lenalidomide is not metabolised by
  CYP450, so they only get an `info` finding that says no interaction is expected.
- Anticoagulants and antiplatelet drugs are not a lenalidomide interaction; the warning is about
  a low platelet count together with such a drug.
- Estrogen-containing contraception is flagged for thrombosis risk and never called forbidden;
  the note that it may be her REMS contraception is given only to a female who can (or, with an
  unknown history, may) become pregnant, decided by `rules.rems.rems_risk_category`.

This module returns findings only; monitoring items (digoxin levels, PT/INR) come from the
monitoring rules.
"""

from __future__ import annotations

from lenaguard.case import Case
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.statements import words
from lenaguard.knowledge.topics.drugs import DrugCatalogue
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.interactions import InteractionsKnowledge
from lenaguard.rules.base.medications import RecognisedMedication, recognise_all
from lenaguard.rules.base.results import RuleOutcome
from lenaguard.rules.safety.rems import rems_risk_category
from lenaguard.text import format_number
from lenaguard.vocab import Category, LabTest, Severity, Sex

_interaction_finding = Finding.maker(Category.INTERACTION)


def medication_label(found: RecognisedMedication) -> str:
    """How a case medication is named in messages: as written, with the generic name if known."""
    medication = found.medication
    written = medication.name or f"RxNorm {medication.rxnorm}"
    if found.drug is None:
        return written
    generic = found.drug.names[0]
    if generic.lower() in written.lower():
        return written
    return f"{written} ({generic})"


def _in_classes(
    recognised: list[RecognisedMedication], classes: list[str]
) -> list[RecognisedMedication]:

    wanted = set(classes)
    return [found for found in recognised if found.drug and wanted & set(found.drug.classes)]


def _names(found: list[RecognisedMedication]) -> list[str]:
    return list(dict.fromkeys(medication_label(item) for item in found))


def _digoxin(recognised: list[RecognisedMedication], kb: InteractionsKnowledge) -> list[Finding]:
    entry = kb.digoxin
    found = _in_classes(recognised, entry.classes)
    if not found:
        return []
    names = _names(found)
    effect = (
        f"With lenalidomide, the digoxin peak level (Cmax) rose by "
        f"{format_number(entry.cmax_increase_percent)}%, and {entry.auc} ({entry.study})."
    )
    return [
        _interaction_finding(
            entry,
            name="digoxin",
            severity=entry.severity,
            summary=entry.summary,
            detail=f"{', '.join(names)}: {effect} {entry.detail}",
            inputs={"medications": names},
        )
    ]


def _warfarin(
    case: Case, recognised: list[RecognisedMedication], kb: InteractionsKnowledge
) -> list[Finding]:
    entry = kb.warfarin
    found = _in_classes(recognised, entry.classes)
    if not found:
        return []
    names = _names(found)
    with_reason = _names(_in_classes(recognised, [entry.reason_class]))
    monitor = case.indication in entry.monitor_indications or bool(with_reason)
    return [
        _interaction_finding(
            entry,
            name="warfarin",
            severity=entry.severity if monitor else entry.otherwise_severity,
            summary=entry.summary if monitor else entry.otherwise_summary,
            detail=f"{', '.join(names)}: {entry.detail if monitor else entry.otherwise_detail}",
            inputs={
                "medications": names,
                "indication": case.indication.value,
                entry.reason_class: with_reason,
            },
        )
    ]


def _may_become_pregnant(case: Case, base: KnowledgeBase) -> bool:
    """A female of reproductive potential, presumed so when her history is unknown (REMS)."""
    if case.patient.sex is not Sex.FEMALE:
        return False
    category = rems_risk_category(case.patient.sex, case.age_years, case.patient.reproductive, base)
    return category.reproductive_potential is True


def _thrombosis_risk(
    case: Case,
    recognised: list[RecognisedMedication],
    kb: InteractionsKnowledge,
    base: KnowledgeBase,
) -> list[Finding]:
    entry = kb.thrombosis_risk
    found = _in_classes(recognised, entry.classes)
    if not found:
        return []
    names = _names(found)
    entries = [entry]
    detail = f"{', '.join(names)}: {entry.detail}"
    note = kb.estrogen_contraception
    if _may_become_pregnant(case, base) and _in_classes(found, note.classes):
        entries.append(note)
        detail = f"{detail} {words(note, 'text')}"
    return [
        _interaction_finding(
            *entries,
            name="thrombosis_risk",
            severity=entry.severity,
            summary=entry.summary,
            detail=detail,
            inputs={"medications": names, "sex": case.patient.sex.value},
        )
    ]


def _bleeding(
    case: Case, recognised: list[RecognisedMedication], kb: InteractionsKnowledge
) -> list[Finding]:
    entry = kb.bleeding_with_low_platelets
    found = _in_classes(recognised, entry.classes)
    if not found:
        return []
    names = _names(found)
    latest = case.latest(LabTest.PLATELETS)
    if latest is None or latest.canonical_value is None:
        return [
            _interaction_finding(
                entry,
                name="bleeding_platelets_unknown",
                severity=Severity.WARNING,
                summary=entry.platelets_unknown_summary,
                detail=f"{', '.join(names)}: {entry.platelets_unknown_detail}",
                inputs={"medications": names, "platelets_per_ul": None},
            )
        ]
    count = latest.canonical_value
    if count >= entry.platelets_below_per_ul:
        return []
    threshold = format_number(entry.platelets_below_per_ul)
    return [
        _interaction_finding(
            entry,
            name="bleeding_low_platelets",
            severity=entry.severity,
            summary=entry.summary,
            detail=(
                f"Platelets {format_number(count)}/mcL on {latest.date.isoformat()}, below "
                f"{threshold}/mcL, with {', '.join(names)}. {entry.detail} "
                f"{entry.not_an_interaction} {entry.threshold_basis}"
            ),
            inputs={
                "medications": names,
                "platelets_per_ul": count,
                "platelets_date": latest.date.isoformat(),
            },
        )
    ]


def _no_cyp(
    case: Case,
    recognised: list[RecognisedMedication],
    kb: InteractionsKnowledge,
    base: KnowledgeBase,
) -> list[Finding]:
    """Info only, never an alert: lenalidomide has no CYP interaction. When dexamethasone is
    given, the detail points to its own finding instead of saying no monitoring is needed."""
    entry = kb.no_cyp_interaction
    found = _in_classes(recognised, entry.classes)
    if not found:
        return []
    names = _names(found)
    detail = f"{', '.join(names)}: {entry.detail} {entry.wrong_claim}"
    dexamethasone = kb.dexamethasone_cyp3a4
    if _dexamethasone_given(case, recognised, base, dexamethasone.with_class) is not None:
        detail += f" {dexamethasone.no_cyp_note}"
    return [
        _interaction_finding(
            entry,
            name="no_cyp_interaction",
            severity=entry.severity,
            summary=entry.summary,
            detail=detail,
            inputs={"medications": names},
        )
    ]


def _dexamethasone_given(
    case: Case, recognised: list[RecognisedMedication], base: KnowledgeBase, drug_class: str
) -> str | None:
    """How dexamethasone is given, in words: listed, or part of the indication's regimen."""
    listed = _names(_in_classes(recognised, [drug_class]))
    if listed:
        return ", ".join(listed)
    entry = base.get(IndicationsKnowledge).entry(case.indication)
    if entry.combination == drug_class:
        return f"dexamethasone, part of the labelled regimen ({entry.name})"
    return None


def _dexamethasone_cyp3a4(
    case: Case,
    recognised: list[RecognisedMedication],
    kb: InteractionsKnowledge,
    base: KnowledgeBase,
) -> list[Finding]:
    """Dexamethasone with a CYP3A4 inhibitor or inducer: its exposure may change (a warning
    about dexamethasone; lenalidomide itself has no CYP interaction)."""
    entry = kb.dexamethasone_cyp3a4
    found = _in_classes(recognised, entry.classes)
    dexamethasone = _dexamethasone_given(case, recognised, base, entry.with_class)
    if not found or dexamethasone is None:
        return []
    inhibitors = _names(_in_classes(found, [entry.inhibitor_class]))
    inducers = _names(_in_classes(found, [entry.inducer_class]))
    parts = []
    if inhibitors:
        parts.append(f"{', '.join(inhibitors)}: {entry.inhibitor_text}")
    if inducers:
        parts.append(f"{', '.join(inducers)}: {entry.inducer_text}")
    return [
        _interaction_finding(
            entry,
            name="dexamethasone_cyp3a4",
            severity=entry.severity,
            summary=entry.summary,
            detail=f"With {dexamethasone}. {' '.join(parts)} {entry.not_lenalidomide} {entry.detail}",
            inputs={"inhibitors": inhibitors, "inducers": inducers, "dexamethasone": dexamethasone},
        )
    ]


def _unrecognised(
    recognised: list[RecognisedMedication], kb: InteractionsKnowledge
) -> list[Finding]:
    names = _names([found for found in recognised if found.drug is None])
    if not names:
        return []
    entry = kb.unrecognised
    return [
        _interaction_finding(
            entry,
            name="unrecognised_medications",
            severity=entry.severity,
            summary=entry.summary,
            detail=f"Not recognised: {', '.join(names)}. {entry.detail}",
            inputs={"medications": names},
        )
    ]


def evaluate(case: Case, kb: KnowledgeBase) -> RuleOutcome:
    """Interaction findings for the case's medications (findings only, no monitoring items)."""
    knowledge = kb.get(InteractionsKnowledge)
    ignored = set(knowledge.ignored_classes)
    recognised = [
        found
        for found in recognise_all(case, kb.get(DrugCatalogue))
        if found.drug is None or not ignored & set(found.drug.classes)
    ]
    findings = [
        *_digoxin(recognised, knowledge),
        *_warfarin(case, recognised, knowledge),
        *_thrombosis_risk(case, recognised, knowledge, kb),
        *_bleeding(case, recognised, knowledge),
        *_no_cyp(case, recognised, knowledge, kb),
        *_dexamethasone_cyp3a4(case, recognised, knowledge, kb),
        *_unrecognised(recognised, knowledge),
    ]
    return RuleOutcome(findings=findings)
