"""Read the case behind a handout: a case file (YAML or JSON) or a FHIR R4 Bundle.

The same reading as `lenaguard assess` and `POST /api/v1/assess`: a JSON text that names a
`resourceType` is a FHIR Bundle (mapped, with the mapping's notes), anything else a case file.
"""

from __future__ import annotations

import datetime as dt

from lenaguard.case import Case
from lenaguard.caseio import case_from_data, parse_case_document
from lenaguard.errors import CaseError
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.vocab import Indication

__all__ = ["read_case"]


def read_case(
    text: str,
    *,
    today: dt.date,
    kb: KnowledgeBase,
    indication: Indication | None = None,
    source: str = "case",
) -> tuple[Case, list[Finding]]:
    """The case in `text` and the notes of its FHIR mapping (none for a case file). `today` is
    the date of a case file without `as_of`, and of a FHIR Bundle."""
    if text.lstrip().startswith("{") and '"resourceType"' in text:
        from lenaguard.interop.fhir import case_from_fhir, looks_like_fhir, parse_json

        document = parse_json(text, source=source)
        if looks_like_fhir(document):
            if document["resourceType"] != "Bundle":
                raise CaseError(
                    [("resourceType", "send a FHIR R4 Bundle (resourceType: Bundle)")],
                    source=source,
                )
            mapped = case_from_fhir(
                document, today=today, kb=kb, indication=indication, source=source
            )
            return mapped.case, list(mapped.notes)
    data = parse_case_document(text, source=source)
    return case_from_data(data, today=today, source=source, kb=kb), []
