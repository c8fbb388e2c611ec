"""FHIR R4 input: the codes of diagnoses, procedures and results lenaguard reads from a Bundle.

Lab tests are recognised by labs.yaml's LOINC codes and drugs by drugs.yaml's RxNorm codes and
names; this topic holds only what those do not: which diagnoses name an indication or a
condition of the case, which procedure is an autologous transplant, the strength of each
lenalidomide capsule product, UCUM spellings of labs.yaml's units, and the coded words for
negative and positive results. `lenaguard.interop.fhir` reads it; docs/fhir-mapping.md shows it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from lenaguard.knowledge.base import Cited, CitedText, Frozen, Topic
from lenaguard.knowledge.registry import register
from lenaguard.vocab import QualitativeResult

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED = "http://snomed.info/sct"
ICD10PCS = "http://www.cms.gov/Medicare/Coding/ICD10"
CPT = "http://www.ama-assn.org/go/cpt"
LOINC = "http://loinc.org"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
"""The code systems, as FHIR R4 names them (`Coding.system`)."""

Disease = Literal["myeloma", "mds_del5q", "mcl", "fl", "mzl"]
"""A diagnosis that names a lenalidomide indication (myeloma: two, decided by transplant)."""
ConditionFact = Literal["vte_history", "pregnant"]
"""A `conditions` fact of the case that a diagnosis sets."""


def _icd(code: str) -> str:
    return code.replace(".", "").upper()


class CodeSet(Cited):
    """Codes of one concept in several code systems (an ICD-10-CM code covers its subcodes)."""

    statement_template = (
        "{description}: the codes lenaguard reads for it in FHIR Conditions and Procedures."
    )
    in_corpus = False  # a code table for the FHIR reader, not something a source says

    description: str
    icd10cm: list[str] = Field(default_factory=list)
    snomed: list[str] = Field(default_factory=list)
    icd10pcs: list[str] = Field(default_factory=list)
    cpt: list[str] = Field(default_factory=list)

    def matches(self, system: str | None, code: str | None) -> bool:
        """Whether a FHIR Coding (system and code) is one of these codes."""
        if code is None:
            return False
        if system == ICD10CM:
            return any(_icd(code).startswith(_icd(prefix)) for prefix in self.icd10cm)
        exact = {SNOMED: self.snomed, ICD10PCS: self.icd10pcs, CPT: self.cpt}
        return code in exact.get(system or "", [])

    def systems(self) -> list[tuple[str, str, list[str]]]:
        """(name, system URL, codes) of each code system this set uses."""
        named = [
            ("ICD-10-CM", ICD10CM, self.icd10cm),
            ("SNOMED CT", SNOMED, self.snomed),
            ("ICD-10-PCS", ICD10PCS, self.icd10pcs),
            ("CPT", CPT, self.cpt),
        ]
        return [(name, url, codes) for name, url, codes in named if codes]


class ProductStrengths(Cited):
    """mg of lenalidomide per capsule, by RxNorm product code."""

    statement_template = "The lenalidomide content of each capsule product, by its RxNorm code, for reading doses written in capsules."
    in_corpus = False

    strengths_mg: dict[str, float]


class UnitDoseCodes(Cited):
    """Dose units that count capsules."""

    statement_template = "The FHIR dose units that count capsules rather than milligrams."
    in_corpus = False

    codes: list[str] = Field(min_length=1)


class UcumUnits(Cited):
    """UCUM codes → the unit as labs.yaml writes it."""

    statement_template = "The UCUM spellings of the lab units lenaguard accepts."
    in_corpus = False

    units: dict[str, str]


class ResultCodes(Cited):
    """Codes and words that mean one qualitative result."""

    statement_template = (
        "The codes and words FHIR results use for one qualitative result ({words})."
    )
    in_corpus = False

    snomed: list[str] = Field(default_factory=list)
    interpretation: list[str] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list)


class Readings(Frozen):
    """lenaguard's readings that the mapping findings rest on."""

    timeline: CitedText
    indication: CitedText
    not_used: CitedText
    patient: CitedText
    other_patient: CitedText


@register("fhir")
class FhirKnowledge(Topic):
    topic: Literal["fhir"] = "fhir"
    diagnoses: dict[Disease, CodeSet]
    ambiguous_diagnoses: CodeSet
    conditions: dict[ConditionFact, CodeSet]
    hbv_diagnosis: CodeSet
    autologous_hsct: CodeSet
    lenalidomide_products: ProductStrengths
    unit_dose_codes: UnitDoseCodes
    ucum_units: UcumUnits
    qualitative_results: dict[QualitativeResult, ResultCodes]
    readings: Readings

    def disease_for(self, system: str | None, code: str | None) -> Disease | None:
        for disease, codes in self.diagnoses.items():
            if codes.matches(system, code):
                return disease
        return None
