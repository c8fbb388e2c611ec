"""MedicationRequest and MedicationStatement → the lenalidomide timeline, the proposal being
checked, and the current co-medications.

Drugs are recognised through drugs.yaml (RxNorm codes first, then names), so lenalidomide and
every interacting drug are known by the same catalogue the rules use. For lenalidomide:

- the earliest active or completed order (or active/completed statement) starts the course;
  a later one at another dose is a dose change; a stopped one with an end date stops it;
- holds and restarts are not visible in orders and are never inferred (a note asks);
- a draft order (or a proposal/plan) is the proposal being checked, never an event;
- the dose is doseQuantity in mg, or in capsules × the product's strength (fhir.yaml).

Other drugs on an active or on-hold order or an active statement are the current medications.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from lenaguard.findings import Finding
from lenaguard.interop.fhir import notes
from lenaguard.interop.fhir.common import codings, concept_words, full_date, number, reference_id
from lenaguard.interop.fhir.read import Entry
from lenaguard.knowledge import Frozen, KnowledgeBase
from lenaguard.knowledge.topics.drugs import Drug, DrugCatalogue
from lenaguard.knowledge.topics.fhir import RXNORM, FhirKnowledge
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.vocab import Frequency

LENALIDOMIDE_CLASS = "lenalidomide"
"""The drugs.yaml class of lenalidomide itself."""

REQUEST_HISTORY = ("active", "completed", "on-hold")
"""MedicationRequest statuses of an order that was given (the course's history)."""
STATEMENT_HISTORY = ("active", "completed", "on-hold")
CURRENT_REQUEST = ("active", "on-hold")
CURRENT_STATEMENT = ("active", "intended", "on-hold")
PROPOSAL_INTENTS = ("proposal", "plan")
"""Intents of a request that is not an order yet: treated like a draft."""
IGNORED = ("cancelled", "entered-in-error", "unknown", "not-taken")
"""Statuses whose resource is not read at all."""


class ProposedOrder(Frozen):
    """A draft lenalidomide order: the proposal being checked (CDS Hooks `draftOrders`)."""

    where: str
    resource_id: str | None = None
    rxnorm: list[str] = Field(default_factory=list)
    dose_mg: float | None = Field(default=None, description="Null when it cannot be read.")
    dose_problem: str | None = None
    frequency: Frequency | None = None
    authored_on: dt.date | None = None
    supply_days: float | None = None
    quantity: float | None = None
    refills: int | None = None


@dataclass
class _Use:
    """One lenalidomide order or statement, read."""

    where: str
    kind: str
    status: str
    date: dt.date | None
    end: dt.date | None
    dose_mg: float | None
    problem: str | None
    frequency: Frequency | None


@dataclass
class MedicationsMapping:
    therapy: dict[str, Any] | None = None
    medications: list[dict[str, Any]] = field(default_factory=list)
    proposals: list[ProposedOrder] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    lenalidomide_uses: int = 0


def _medication_concept(resource: Any, medications: dict[str, Any]) -> Any:
    """The CodeableConcept of what is ordered: inline, or the referenced Medication's code."""
    if resource.medicationCodeableConcept is not None:
        return resource.medicationCodeableConcept
    ref = resource.medicationReference
    if ref is None or not ref.reference:
        return None
    if ref.reference.startswith("#"):
        for contained in resource.contained or []:
            if getattr(contained, "id", None) == ref.reference[1:]:
                return getattr(contained, "code", None)
        return None
    found = medications.get(reference_id(ref) or "")
    return None if found is None else found.code


def identify(concept: Any, catalogue: DrugCatalogue) -> tuple[Drug | None, list[str], str | None]:
    """(the drug, its RxNorm codes, its name) for a medication concept."""
    if concept is None:
        return None, [], None
    codes = [code for system, code, _ in codings(concept) if system == RXNORM and code]
    words = concept_words(concept)
    name = words[0] if words else None
    for code in codes:
        drug = catalogue.drug_for_rxnorm(code)
        if drug is not None:
            return drug, codes, name
    for word in words:
        found = catalogue.find(word, None)
        if found is not None:
            return found[0], codes, name
    return None, codes, name


def is_lenalidomide(drug: Drug | None) -> bool:
    return drug is not None and LENALIDOMIDE_CLASS in drug.classes


def _dosage(resource: Any) -> Any:
    dosages = getattr(resource, "dosageInstruction", None) or getattr(resource, "dosage", None)
    return dosages[0] if dosages else None


def _frequency(dosage: Any) -> Frequency | None:
    repeat = dosage.timing.repeat if dosage is not None and dosage.timing else None
    if repeat is None or repeat.periodUnit != "d" or (repeat.frequency or 1) != 1:
        return None
    if repeat.period is not None and float(repeat.period) == 2:
        return Frequency.EVERY_48H
    if repeat.period is not None and float(repeat.period) == 1:
        return Frequency.DAILY
    return None


def lenalidomide_dose(
    dosage: Any, codes: list[str], kb: KnowledgeBase
) -> tuple[float | None, str | None]:
    """(mg, None) or (None, why not) for a lenalidomide dosage."""
    fhir = kb.get(FhirKnowledge)
    rate = dosage.doseAndRate[0] if dosage is not None and dosage.doseAndRate else None
    quantity = rate.doseQuantity if rate is not None else None
    if quantity is None or quantity.value is None:
        return None, "no doseQuantity"
    value = number(quantity.value)
    assert value is not None
    unit = quantity.code or quantity.unit or ""
    if unit.lower() == "mg":
        mg = value
    elif unit in fhir.unit_dose_codes.codes or (quantity.unit or "") in fhir.unit_dose_codes.codes:
        strengths = [fhir.lenalidomide_products.strengths_mg.get(code) for code in codes]
        known = {s for s in strengths if s is not None}
        if len(known) != 1:
            return (
                None,
                f"{value:g} {unit} of a product with no known strength (RxNorm {', '.join(codes) or 'none'})",
            )
        mg = value * known.pop()
    else:
        return None, f"dose unit {unit or '(none)'} is neither mg nor capsules"
    allowed = kb.get(IndicationsKnowledge).capsule_strengths_mg.values
    if mg not in allowed:
        return None, f"{mg:g} mg is not a capsule strength"
    return mg, None


def _date_of(resource: Any, kind: str) -> tuple[dt.date | None, dt.date | None]:
    """(start or authored date, end date) of an order or statement."""
    if kind == "MedicationRequest":
        start = full_date(resource.authoredOn)
        end = None
        dosage = _dosage(resource)
        bounds = (
            dosage.timing.repeat.boundsPeriod
            if dosage is not None and dosage.timing and dosage.timing.repeat
            else None
        )
        if bounds is not None and bounds.end is not None:  # not the validity period: that is
            end = full_date(bounds.end)  # when the prescription lapses, not when it stopped
    else:
        start = full_date(resource.effectiveDateTime)
        end = None
        if resource.effectivePeriod is not None:
            start = start or full_date(resource.effectivePeriod.start)
            end = full_date(resource.effectivePeriod.end)
    return (start[0] if start else None), (end[0] if end else None)


def _proposal(item: Entry, codes: list[str], kb: KnowledgeBase) -> ProposedOrder:
    resource = item.model
    dosage = _dosage(resource)
    mg, problem = lenalidomide_dose(dosage, codes, kb)
    dispense = resource.dispenseRequest
    supply = dispense.expectedSupplyDuration if dispense is not None else None
    authored = full_date(resource.authoredOn)
    return ProposedOrder(
        where=item.where,
        resource_id=resource.id,
        rxnorm=codes,
        dose_mg=mg,
        dose_problem=problem,
        frequency=_frequency(dosage),
        authored_on=authored[0] if authored else None,
        supply_days=number(supply.value) if supply is not None else None,
        quantity=number(dispense.quantity.value) if dispense and dispense.quantity else None,
        refills=dispense.numberOfRepeatsAllowed if dispense is not None else None,
    )


def map_medications(entries: list[Entry], kb: KnowledgeBase) -> MedicationsMapping:
    catalogue = kb.get(DrugCatalogue)
    medications = {
        e.model.id: e.model for e in entries if e.resource_type == "Medication" and e.model.id
    }
    out = MedicationsMapping()
    history: list[_Use] = []
    stops: list[_Use] = []
    seen_current: set[tuple[str | None, str | None]] = set()
    for item in entries:
        kind = item.resource_type
        if kind not in ("MedicationRequest", "MedicationStatement"):
            continue
        resource = item.model
        if resource.status in IGNORED:
            continue
        drug, codes, name = identify(_medication_concept(resource, medications), catalogue)
        request = kind == "MedicationRequest"
        proposal = request and (resource.status == "draft" or resource.intent in PROPOSAL_INTENTS)
        if is_lenalidomide(drug):
            out.lenalidomide_uses += 1
            if proposal:
                out.proposals.append(_proposal(item, codes, kb))
                continue
            start, end = _date_of(resource, kind)
            dosage = _dosage(resource)
            mg, problem = lenalidomide_dose(dosage, codes, kb)
            if start is None:
                mg, problem = None, "no authoredOn or effective date"
            use = _Use(
                item.where, kind, resource.status, start, end, mg, problem, _frequency(dosage)
            )
            if resource.status == "stopped":
                stops.append(use)
            elif resource.status in (REQUEST_HISTORY if request else STATEMENT_HISTORY):
                history.append(use)
            continue
        current = CURRENT_REQUEST if request else CURRENT_STATEMENT
        if proposal or resource.status not in current or (name is None and not codes):
            continue
        medication: dict[str, Any] = {}
        if name:
            medication["name"] = name[:200]
        rxnorm = next((c for c in codes if c.isdigit()), None)
        if rxnorm:
            medication["rxnorm"] = rxnorm
        key = (medication.get("name"), medication.get("rxnorm"))
        if key in seen_current:
            continue
        seen_current.add(key)
        mg = _mg(_dosage(resource))
        if mg is not None:
            medication["dose_mg"] = mg
        out.medications.append(medication)
    _timeline(out, history, stops, kb)
    return out


def _mg(dosage: Any) -> float | None:
    rate = dosage.doseAndRate[0] if dosage is not None and dosage.doseAndRate else None
    quantity = rate.doseQuantity if rate is not None else None
    if quantity is None or quantity.value is None or (quantity.code or quantity.unit) != "mg":
        return None
    value = number(quantity.value)
    return value if value and value > 0 else None


def _timeline(
    out: MedicationsMapping, history: list[_Use], stops: list[_Use], kb: KnowledgeBase
) -> None:
    """Events from the course's orders: start, dose changes, stops (never holds)."""
    if not history:
        return
    history.sort(key=lambda use: (use.date or dt.date.max, use.where))
    _same_day_doses(history)
    unreadable = [use for use in history if use.dose_mg is None]
    first = history[0]
    if first.dose_mg is None:
        out.notes.append(
            notes.lenalidomide_dose_unreadable(
                kb, [f"{u.where}: {u.problem}" for u in unreadable], timeline_dropped=True
            )
        )
        return
    if unreadable:
        out.notes.append(
            notes.lenalidomide_dose_unreadable(
                kb, [f"{u.where}: {u.problem}" for u in unreadable], timeline_dropped=False
            )
        )
    dated_stops = [use for use in stops if use.end is not None]
    undated = [use for use in stops if use.end is None and (use.date or dt.date.min) >= first.date]
    steps = [(use.date, 0, use) for use in history if use.dose_mg is not None]
    steps += [(use.end, 1, use) for use in dated_stops if use.end >= first.date]
    steps.sort(key=lambda step: (step[0], step[1], step[2].where))
    events: list[dict[str, Any]] = []
    state, dose = "not_started", None
    for date, is_stop, use in steps:
        if is_stop:
            if state == "active":
                events.append({"date": date, "event": "stop"})
                state = "stopped"
            continue
        now = (use.dose_mg, use.frequency)
        if state != "active":
            events.append(_dosed(date, "start", use))
            state, dose = "active", now
        elif now != dose:
            events.append(_dosed(date, "dose_change", use))
            dose = now
    if undated and state == "active":
        out.notes.append(notes.stop_date_unknown(kb, [use.where for use in undated]))
    out.therapy = {"events": events}
    out.notes.append(notes.timeline_unconfirmed(kb, str(first.date), len(history)))


def _same_day_doses(history: list[_Use]) -> None:
    """Orders of one day with different doses (two capsule strengths ordered together, or a
    correction) do not say the dose taken: none of them is read."""
    by_day: dict[dt.date, list[_Use]] = {}
    for use in history:
        if use.date is not None and use.dose_mg is not None:
            by_day.setdefault(use.date, []).append(use)
    for date, uses in by_day.items():
        doses = sorted({(use.dose_mg, use.frequency or Frequency.DAILY) for use in uses})
        if len(doses) > 1:
            words = " and ".join(f"{dose:g} mg" for dose, _ in doses)
            for use in uses:
                use.dose_mg = None
                use.problem = f"several orders on {date} with different doses ({words})"


def _dosed(date: dt.date, event: str, use: _Use) -> dict[str, Any]:
    found: dict[str, Any] = {"date": date, "event": event, "dose_mg": use.dose_mg}
    if use.frequency is Frequency.EVERY_48H:
        found["frequency"] = use.frequency.value
    return found
