"""Recognise the case's medications in the drug catalogue (by name, brand, synonym or RxNorm)."""

from __future__ import annotations

from dataclasses import dataclass

from lenaguard.case import Case, Medication
from lenaguard.knowledge.topics.drugs import Drug, DrugCatalogue


@dataclass(frozen=True)
class RecognisedMedication:
    """A case medication and the catalogue drug it was recognised as (None: not recognised)."""

    medication: Medication
    drug: Drug | None
    matched_on: str | None


def recognise(medication: Medication, catalogue: DrugCatalogue) -> RecognisedMedication:
    """Find the catalogue drug a medication entry names: RxNorm code first, then the longest
    name or brand found in its words."""
    found = catalogue.find(medication.name, medication.rxnorm)
    if found is None:
        return RecognisedMedication(medication, None, None)
    return RecognisedMedication(medication, *found)


def recognise_all(case: Case, catalogue: DrugCatalogue) -> list[RecognisedMedication]:
    return [recognise(medication, catalogue) for medication in case.medications]


def in_class(case: Case, catalogue: DrugCatalogue, drug_class: str) -> list[RecognisedMedication]:
    """The case's medications that belong to a drug class of the catalogue."""
    if drug_class not in catalogue.classes:
        raise KeyError(drug_class)
    return [
        found
        for found in recognise_all(case, catalogue)
        if found.drug is not None and drug_class in found.drug.classes
    ]
