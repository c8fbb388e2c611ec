"""Read one posted or given case: a case file (YAML or JSON) or a FHIR R4 Bundle.

Every surface reads a case the same way — `lenaguard assess` and `lenaguard handout`, `POST
/api/v1/assess`, the workbench, the handout and evidence pages: a JSON text that names a
`resourceType` is FHIR (mapped to a Case, with the mapping's notes as findings), anything else
is a case file. Both are parsed bounded (caseio) and validated against the knowledge base given.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from lenaguard.case import Case
from lenaguard.caseio import case_from_data, parse_case_document
from lenaguard.errors import CaseError
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.vocab import Indication

__all__ = ["CaseInput", "looks_like_fhir_text", "read_case_input"]


class CaseInput(NamedTuple):
    """A case read from text, and the notes of its FHIR mapping (none for a case file)."""

    case: Case
    notes: list[Finding]


def looks_like_fhir_text(text: str) -> bool:
    """A JSON text that names a `resourceType` (checked before parsing it as FHIR)."""
    return text.lstrip().startswith("{") and '"resourceType"' in text


def read_case_input(
    text: str,
    *,
    today: dt.date,
    source: str,
    kb: KnowledgeBase | None = None,
    fhir: bool = False,
    indication: Indication | None = None,
    require_bundle: bool = True,
) -> CaseInput:
    """The case in `text`. `today` is the date of a case file without `as_of`, and of FHIR
    input; `fhir`: the text was sent as FHIR JSON (a FHIR media type), so it must be FHIR;
    `indication` is used when FHIR diagnoses name none; `require_bundle`: refuse a single FHIR
    resource (the web surfaces take Bundles; the command line also takes one resource)."""
    if fhir or looks_like_fhir_text(text):
        from lenaguard.interop.fhir import case_from_fhir, looks_like_fhir, parse_json

        document = parse_json(text, source=source)
        if fhir or looks_like_fhir(document):
            if not looks_like_fhir(document) or (
                require_bundle and document["resourceType"] != "Bundle"
            ):
                raise CaseError(
                    [("resourceType", "send a FHIR R4 Bundle (resourceType: Bundle)")],
                    source=source,
                )
            mapped = case_from_fhir(
                document, today=today, kb=kb, indication=indication, source=source
            )
            return CaseInput(mapped.case, list(mapped.notes))
    data = parse_case_document(text, source=source)
    return CaseInput(case_from_data(data, today=today, source=source, kb=kb), [])
