"""Recognise the case's medications in the drug catalogue (by name, brand, synonym or RxNorm)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lenaguard.case import Case, Medication
from lenaguard.knowledge.topics.drugs import Drug, DrugCatalogue

_WORD = re.compile(r"[^\W_]+(?:'[a-z]+)?")


def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower().replace("-", " ")))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    width = len(needle)
    return any(haystack[i : i + width] == needle for i in range(len(haystack) - width + 1))


@dataclass(frozen=True)
class RecognisedMedication:
    """A case medication and the catalogue drug it was recognised as (None: not recognised)."""

    medication: Medication
    drug: Drug | None
    matched_on: str | None


def recognise(medication: Medication, catalogue: DrugCatalogue) -> RecognisedMedication:
    """Find the catalogue drug a medication entry names: RxNorm code first, then words."""
    if medication.rxnorm is not None:
        for drug in catalogue.drugs:
            if medication.rxnorm in drug.rxnorm:
                return RecognisedMedication(medication, drug, f"rxnorm:{medication.rxnorm}")
    if medication.name is not None:
        words = _words(medication.name)
        best: RecognisedMedication | None = None
        best_width = 0
        for drug in catalogue.drugs:
            for label in (*drug.names, *drug.brands):
                needle = _words(label)
                if needle and _contains(words, needle) and len(needle) > best_width:
                    best, best_width = RecognisedMedication(medication, drug, label), len(needle)
        if best is not None:
            return best
    return RecognisedMedication(medication, None, None)


def recognise_all(case: Case, catalogue: DrugCatalogue) -> list[RecognisedMedication]:
    return [recognise(medication, catalogue) for medication in case.medications]


def in_class(case: Case, catalogue: DrugCatalogue, drug_class: str) -> list[RecognisedMedication]:
    """The case's medications that belong to a drug class of the catalogue."""
    catalogue.members(drug_class)  # raises KeyError for a class the catalogue lacks
    return [
        found
        for found in recognise_all(case, catalogue)
        if found.drug is not None and drug_class in found.drug.classes
    ]
