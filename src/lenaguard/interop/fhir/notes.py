"""Mapping notes: what the FHIR input could not say, as `input.fhir_*` findings.

Unmapped, ambiguous or unreadable data never becomes a guess: the mapping leaves it out and
says so here. Each note rests on the knowledge entries behind it (labs.yaml for a test's
units, fhir.yaml for lenaguard's readings), so it carries their status and citations like any
finding, and docs/findings.md lists every id.
"""

from __future__ import annotations

from collections.abc import Sequence

from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.fhir import FhirKnowledge
from lenaguard.knowledge.topics.labs import LabsKnowledge
from lenaguard.vocab import Category, LabTest, Severity

_input_finding = Finding.maker(Category.INPUT)

LISTED = 8
"""Items named in a note's detail before the rest are counted."""


def _listing(items: Sequence[str]) -> str:
    shown = "; ".join(items[:LISTED])
    rest = len(items) - LISTED
    return shown + (f"; and {rest} more" if rest > 0 else "")


def _fhir(kb: KnowledgeBase) -> FhirKnowledge:
    return kb.get(FhirKnowledge)


def unknown_unit(kb: KnowledgeBase, test: LabTest, units: Sequence[str]) -> Finding:
    definition = kb.get(LabsKnowledge).tests[test]
    allowed = ", ".join(definition.units)
    return _input_finding(
        definition,
        _fhir(kb).ucum_units,
        name=f"fhir_unknown_unit_{test.value}",
        severity=Severity.WARNING,
        summary=f"Unknown unit for {test.value}: {len(units)} result(s) left out",
        detail=f"Units not read: {_listing(list(units))}. Units lenaguard reads for "
        f"{test.value}: {allowed} (and their UCUM codes). Record the result in one of them.",
        inputs={"test": test.value, "units": list(units)},
    )


def unreadable_result(kb: KnowledgeBase, test: LabTest, reasons: Sequence[str]) -> Finding:
    return _input_finding(
        kb.get(LabsKnowledge).tests[test],
        _fhir(kb).readings.not_used,
        name=f"fhir_result_unreadable_{test.value}",
        severity=Severity.WARNING,
        summary=f"{len(reasons)} {test.value} result(s) could not be read and were left out",
        detail=f"{_listing(list(reasons))}. A result needs a date and a value lenaguard can "
        "read (a number with a unit, or negative/positive).",
        inputs={"test": test.value, "results": list(reasons)},
    )


def conflicting_results(kb: KnowledgeBase, test: LabTest, when: Sequence[str]) -> Finding:
    return _input_finding(
        kb.get(LabsKnowledge).tests[test],
        _fhir(kb).readings.not_used,
        name=f"fhir_results_conflict_{test.value}",
        severity=Severity.WARNING,
        summary=f"Different {test.value} results at the same time: both left out",
        detail=f"At {_listing(list(when))} the record holds two different {test.value} results "
        "with no time of day to order them. Correct the wrong one.",
        inputs={"test": test.value, "when": list(when)},
    )


def not_used(kb: KnowledgeBase, counts: dict[str, int], examples: Sequence[str]) -> Finding:
    total = sum(counts.values())
    parts = [f"{count} {what}" for what, count in sorted(counts.items())]
    return _input_finding(
        _fhir(kb).readings.not_used,
        name="fhir_not_used",
        severity=Severity.INFO,
        summary=f"{total} FHIR resource(s) or result(s) not used by lenaguard's rules",
        detail=f"Left out: {'; '.join(parts)}."
        + (f" For example: {_listing(list(examples))}." if examples else ""),
        inputs={"counts": dict(sorted(counts.items()))},
    )


def timeline_unconfirmed(kb: KnowledgeBase, start: str, orders: int) -> Finding:
    return _input_finding(
        _fhir(kb).readings.timeline,
        name="fhir_timeline_unconfirmed",
        severity=Severity.INFO,
        summary=f"Lenalidomide course since {start} read from {orders} order(s): confirm holds",
        detail=_fhir(kb).readings.timeline.text,
        inputs={"start": start, "orders": orders},
    )


def lenalidomide_dose_unreadable(
    kb: KnowledgeBase, reasons: Sequence[str], *, timeline_dropped: bool
) -> Finding:
    reading = _fhir(kb).readings.timeline
    if timeline_dropped:
        summary = "Lenalidomide orders found but their dose cannot be read: record the course"
        consequence = (
            "No treatment timeline could be built, so lenaguard cannot tell the dose under way; "
            "record the course (therapy.events) before prescribing."
        )
    else:
        summary = f"{len(reasons)} lenalidomide order(s) with a dose that cannot be read"
        consequence = "Those orders were left out of the treatment timeline."
    return _input_finding(
        reading,
        kb.get(FhirKnowledge).lenalidomide_products,
        name="fhir_lenalidomide_dose_unreadable",
        severity=Severity.WARNING,
        summary=summary,
        detail=f"{_listing(list(reasons))}. A dose is read from doseQuantity in mg, or in capsules "
        f"({', '.join(_fhir(kb).unit_dose_codes.codes)}) of a lenalidomide product with a "
        f"strength. {consequence}",
        inputs={"orders": list(reasons)},
        blocking=timeline_dropped,
    )


def stop_date_unknown(kb: KnowledgeBase, orders: Sequence[str]) -> Finding:
    return _input_finding(
        _fhir(kb).readings.timeline,
        name="fhir_stop_date_missing",
        severity=Severity.WARNING,
        summary="A lenalidomide order was stopped on a date the record does not give",
        detail=f"Stopped order(s): {_listing(list(orders))}. Without the date the course is read "
        "as still under way; record the stop (therapy.events) if it ended.",
        inputs={"orders": list(orders)},
    )


def indication_inferred(kb: KnowledgeBase, indication: str, codes: Sequence[str]) -> Finding:
    reading = _fhir(kb).readings.indication
    return _input_finding(
        reading,
        name="fhir_indication_inferred",
        severity=Severity.INFO,
        summary=f"Indication {indication} read from the diagnoses: confirm it",
        detail=f"Read from: {_listing(list(codes))}. {reading.text}",
        inputs={"indication": indication, "codes": list(codes)},
    )


def indication_differs(
    kb: KnowledgeBase, given: str, found: Sequence[str], codes: Sequence[str]
) -> Finding:
    reading = _fhir(kb).readings.indication
    found_words = ", ".join(found) if found else "none"
    return _input_finding(
        reading,
        name="fhir_indication_differs",
        severity=Severity.WARNING,
        summary=f"The indication given ({given}) is not among the diagnoses' ({found_words})",
        detail=f"Diagnoses read: {_listing(list(codes)) or 'none'}. The given indication is used; "
        "check the problem list or the indication.",
        inputs={"indication": given, "diagnoses": list(found)},
    )


def ambiguous_diagnoses(kb: KnowledgeBase, codes: Sequence[str]) -> Finding:
    entry = _fhir(kb).ambiguous_diagnoses
    return _input_finding(
        entry,
        name="fhir_ambiguous_diagnosis",
        severity=Severity.INFO,
        summary="A diagnosis that may bear on the indication was not read: check it",
        detail=f"Not read: {_listing(list(codes))}. {entry.description}.",
        inputs={"codes": list(codes)},
    )


def hbv_diagnosis(kb: KnowledgeBase, codes: Sequence[str]) -> Finding:
    entry = _fhir(kb).hbv_diagnosis
    return _input_finding(
        entry,
        name="fhir_hbv_diagnosis",
        severity=Severity.WARNING,
        summary="Hepatitis B is on the problem list: record HBsAg, anti-HBc and HBV DNA",
        detail=f"Diagnoses: {_listing(list(codes))}. The hepatitis B rules read serology and HBV "
        "DNA results, not diagnoses; without them the HBV class stays unknown.",
        inputs={"codes": list(codes)},
    )


def patient_deceased(kb: KnowledgeBase, when: str | None) -> Finding:
    reading = _fhir(kb).readings.patient
    return _input_finding(
        reading,
        name="fhir_patient_deceased",
        severity=Severity.WARNING,
        summary="The record says this patient has died" + (f" ({when})" if when else ""),
        detail=reading.text,
        inputs={"deceased": when or True},
    )


def other_patient(kb: KnowledgeBase, where: Sequence[str]) -> Finding:
    reading = _fhir(kb).readings.other_patient
    return _input_finding(
        reading,
        name="fhir_other_patient",
        severity=Severity.WARNING,
        summary=f"{len(where)} resource(s) about another patient were left out",
        detail=f"{_listing(list(where))}. {reading.text}",
        inputs={"resources": list(where)},
    )
