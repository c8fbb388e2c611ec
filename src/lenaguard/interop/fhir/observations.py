"""Observations → dated lab results of the case (`labs`), by LOINC code with UCUM units.

The test is found by labs.yaml's LOINC codes (`LabsKnowledge.test_for_loinc`); the unit by
labs.yaml's units, or fhir.yaml's UCUM spelling of one; a qualitative result by fhir.yaml's
codes and words. A result that cannot be read exactly — a unit not known, a value written as
"< 20", a partial date, a date after the assessment date — is left out and reported.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from lenaguard.findings import Finding
from lenaguard.interop.fhir import notes
from lenaguard.interop.fhir.common import (
    codings,
    concept_words,
    full_date,
    number,
    quantity_units,
)
from lenaguard.interop.fhir.read import Entry
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.fhir import INTERPRETATION, LOINC, SNOMED, FhirKnowledge
from lenaguard.knowledge.topics.labs import LabDefinition, LabsKnowledge
from lenaguard.vocab import LabTest, QualitativeResult

FINAL_STATUSES = ("final", "amended", "corrected")
"""Observation statuses whose value is used; others (preliminary, registered, cancelled,
entered-in-error, unknown) are left out and counted."""


@dataclass
class LabsMapping:
    labs: list[dict[str, Any]] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)
    """Where each lab came from (`entry.N.resource`), in the order of `labs`."""
    notes: list[Finding] = field(default_factory=list)
    not_used: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)


class _Unreadable(Exception):
    """Why one observation's value cannot be used (its message says it)."""


def test_of(observation: Any, labs: LabsKnowledge) -> tuple[LabTest, str] | None:
    """The lab test an Observation's LOINC coding names, with the code."""
    for system, code, _ in codings(observation.code):
        if system == LOINC and code:
            test = labs.test_for_loinc(code)
            if test is not None:
                return test, code
    return None


def _when(observation: Any) -> tuple[dt.date, dt.time | None]:
    value = observation.effectiveDateTime or observation.effectiveInstant
    if value is None and observation.effectivePeriod is not None:
        value = observation.effectivePeriod.start
    if value is None:
        raise _Unreadable("no effective date")
    found = full_date(value)
    if found is None:
        raise _Unreadable(f"a partial date ({value})")
    return found


def _unit(quantity: Any, definition: LabDefinition, fhir: FhirKnowledge) -> str | None:
    for written in quantity_units(quantity):
        if written in definition.units:
            return written
        alias = fhir.ucum_units.units.get(written)
        if alias in definition.units:
            return alias
    return None


def _qualitative(observation: Any, fhir: FhirKnowledge) -> QualitativeResult | None:
    """negative/positive from a coded value, a string, or (without a value) the interpretation."""
    candidates: list[tuple[str | None, str | None, str]] = []
    concept = observation.valueCodeableConcept
    for system, code, display in codings(concept):
        candidates.append((system, code, (display or "").lower()))
    words = [w.lower() for w in concept_words(concept)]
    if observation.valueString:
        words.append(observation.valueString.lower())
    has_value = concept is not None or observation.valueString is not None
    if not has_value:
        for item in observation.interpretation or []:
            for system, code, display in codings(item):
                if system == INTERPRETATION:
                    candidates.append((system, code, (display or "").lower()))
    found = set()
    for result, codes in fhir.qualitative_results.items():
        for system, code, _display in candidates:
            if (system == SNOMED and code in codes.snomed) or (
                system == INTERPRETATION and code in codes.interpretation
            ):
                found.add(result)
        if any(word.strip() in codes.words for word in words):
            found.add(result)
    return found.pop() if len(found) == 1 else None


def _lab(observation: Any, test: LabTest, code: str, kb: KnowledgeBase, today: dt.date):
    """The case-file lab entry of one Observation; raises _Unreadable, or returns
    ("unit", written units) when only the unit is unknown."""
    labs = kb.get(LabsKnowledge)
    fhir = kb.get(FhirKnowledge)
    definition = labs.tests[test]
    if observation.dataAbsentReason is not None:
        raise _Unreadable(f"no value ({', '.join(concept_words(observation.dataAbsentReason))})")
    date, time = _when(observation)
    if date > today:
        raise _Unreadable(f"dated {date}, after the assessment date {today}")
    entry: dict[str, Any] = {"test": test.value, "loinc": code, "date": date}
    if time is not None:
        entry["time"] = time.isoformat()
    quantity = observation.valueQuantity
    numeric = definition.kind == "quantitative" or definition.also_quantitative
    if quantity is not None and numeric:
        if quantity.comparator:
            raise _Unreadable(f"a value written as {quantity.comparator} {quantity.value}")
        if quantity.value is None:
            raise _Unreadable("a quantity without a value")
        unit = _unit(quantity, definition, fhir)
        if unit is None:
            return None, quantity_units(quantity) or ["(no unit)"]
        entry |= {"value": number(quantity.value), "unit": unit}
        reference = _reference_range(observation, definition, fhir, unit)
        if reference:
            entry["reference_range"] = reference
        return entry, None
    if definition.kind == "quantitative":
        raise _Unreadable("no numeric value")
    result = _qualitative(observation, fhir)
    if result is None:
        words = concept_words(observation.valueCodeableConcept) or [
            observation.valueString or "no value"
        ]
        raise _Unreadable(f"a result not read as negative or positive ({'; '.join(words)})")
    entry["result"] = result.value
    return entry, None


def _reference_range(
    observation: Any, definition: LabDefinition, fhir: FhirKnowledge, unit: str
) -> dict[str, float] | None:
    """The lab's own normal range when it is written in the result's unit."""
    for item in observation.referenceRange or []:
        bounds = {}
        for name in ("low", "high"):
            quantity = getattr(item, name)
            if quantity is None or quantity.value is None:
                continue
            if _unit(quantity, definition, fhir) != unit:
                return None
            bounds[name] = number(quantity.value)
        if bounds:
            return bounds
    return None


def map_observations(entries: list[Entry], kb: KnowledgeBase, today: dt.date) -> LabsMapping:
    """The labs of the case, and notes for every observation that could not be used."""
    labs = kb.get(LabsKnowledge)
    out = LabsMapping()
    unknown_units: dict[LabTest, list[str]] = defaultdict(list)
    unreadable: dict[LabTest, list[str]] = defaultdict(list)
    for item in entries:
        observation = item.model
        found = test_of(observation, labs)
        if found is None:
            out.not_used["observations with codes lenaguard does not read"] = (
                out.not_used.get("observations with codes lenaguard does not read", 0) + 1
            )
            words = concept_words(observation.code)
            out.examples.append(words[0] if words else item.where)
            continue
        test, code = found
        if observation.status not in FINAL_STATUSES:
            key = f"{observation.status} observations (not final)"
            out.not_used[key] = out.not_used.get(key, 0) + 1
            continue
        try:
            entry, units = _lab(observation, test, code, kb, today)
        except _Unreadable as exc:
            unreadable[test].append(f"{item.where}: {exc}")
            continue
        if entry is None:
            unknown_units[test] += [u for u in units or [] if u not in unknown_units[test]]
            continue
        out.labs.append(entry)
        out.origins.append(item.where)
    _drop_conflicts(out, kb)
    for test, units in sorted(unknown_units.items()):
        out.notes.append(notes.unknown_unit(kb, test, units))
    for test, reasons in sorted(unreadable.items()):
        out.notes.append(notes.unreadable_result(kb, test, reasons))
    return out


def _content(entry: dict[str, Any]) -> tuple:
    return (entry.get("value"), entry.get("unit"), entry.get("result"))


def _drop_conflicts(out: LabsMapping, kb: KnowledgeBase) -> None:
    """Two different results of one test that nothing orders (same date, a time missing, or
    the same time) are both left out; the same result written twice is kept once."""
    by_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for index, entry in enumerate(out.labs):
        by_day[(entry["test"], entry["date"])].append(index)
    drop: set[int] = set()
    conflicts: dict[str, list[str]] = defaultdict(list)
    for (test, date), indexes in by_day.items():
        if len({_content(out.labs[i]) for i in indexes}) == 1:
            drop |= set(indexes[1:])  # the same result again
            continue
        timed = all("time" in out.labs[i] for i in indexes)
        groups: dict[object, list[int]] = defaultdict(list)
        for i in indexes:
            groups[out.labs[i].get("time") if timed else None].append(i)
        for time, members in groups.items():
            if len({_content(out.labs[i]) for i in members}) > 1:
                drop |= set(members)
                conflicts[test].append(f"{date} {time}" if time else str(date))
            else:
                drop |= set(members[1:])
    keep = [i for i in range(len(out.labs)) if i not in drop]
    out.labs = [out.labs[i] for i in keep]
    out.origins = [out.origins[i] for i in keep]
    for test, when in sorted(conflicts.items()):
        out.notes.append(notes.conflicting_results(kb, LabTest(test), when))
