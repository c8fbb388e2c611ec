"""FHIR R4 input: a Bundle (or resources) → the case model, with notes for what did not map.

The mapping (docs/fhir-mapping.md, generated from this package and the knowledge it reads):

- Patient: gender → sex, birthDate → birth date; a deceased patient is noted.
- Observation (final, amended, corrected) by LOINC (labs.yaml) with UCUM units → `labs`.
- MedicationRequest / MedicationStatement by RxNorm or name (drugs.yaml): lenalidomide orders →
  the therapy timeline (start, dose changes, stop; never holds), a draft → the proposal being
  checked; other current drugs → `medications`.
- Condition (ICD-10-CM, SNOMED CT) → the indication and `conditions`; Procedure → autologous
  stem-cell transplant (maintenance context).

Unmapped, ambiguous or unreadable data becomes an `input.fhir_*` finding, never a guess. The
notes reach the assessment through `assess(case, kb, notes=...)`.
"""

from lenaguard.interop.fhir.mapping import FhirMapping, MappedCase, case_from_fhir, map_entries
from lenaguard.interop.fhir.medications import ProposedOrder
from lenaguard.interop.fhir.read import Entry, looks_like_fhir, parse_json, read_resources

__all__ = [
    "Entry",
    "FhirMapping",
    "MappedCase",
    "ProposedOrder",
    "case_from_fhir",
    "looks_like_fhir",
    "map_entries",
    "parse_json",
    "read_resources",
]
