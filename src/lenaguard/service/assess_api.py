"""`POST /api/v1/assess`: the assessment of a posted case file, identical to the CLI's JSON.

The body's media type chooses the reader: `application/json` or `application/yaml` (also
`text/yaml`, `application/x-yaml`) for a case file; `application/fhir+json`, or JSON whose
`resourceType` is `Bundle`, for a FHIR R4 Bundle (docs/fhir-mapping.md; `indication` supplies
the indication when the diagnoses do not). `as_of` and `verified_only` work as the CLI's
options do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from lenaguard.assess import Assessment, assess
from lenaguard.case import Case
from lenaguard.case_input import read_case_input
from lenaguard.caseio import decode_case_bytes
from lenaguard.errors import CaseError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.vocab import Indication
from lenaguard.workflow.web import Caller, Config, Kb

router = APIRouter(prefix="/api/v1", tags=["assessment"])

SOURCE = "request body"

FHIR_JSON = "application/fhir+json"
CASE_MEDIA_TYPES = {
    FHIR_JSON,
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
}
_CASE_BODY: dict[str, Any] = {
    "required": True,
    "description": "A case file (docs/case-file.md) as JSON or YAML, or a FHIR R4 Bundle "
    "(docs/fhir-mapping.md).",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
        FHIR_JSON: {"schema": {"type": "object"}},
    },
}


@dataclass(frozen=True)
class AssessedInput:
    """A posted case (file or FHIR Bundle) read into a Case, and its one Assessment."""

    case: Case
    assessment: Assessment


def assess_input(
    text: str,
    *,
    today: dt.date,
    kb: KnowledgeBase,
    verified_only: bool,
    fhir: bool = False,
    indication: Indication | None = None,
    source: str = SOURCE,
) -> AssessedInput:
    """Read (`case_input.read_case_input`) and assess: the typed Assessment every surface
    shows."""
    case, notes = read_case_input(
        text, today=today, kb=kb, fhir=fhir, indication=indication, source=source
    )
    return AssessedInput(case, assess(case, kb, verified_only=verified_only, notes=notes))


def assessment_json(
    text: str,
    *,
    today: dt.date,
    kb: KnowledgeBase,
    verified_only: bool,
    fhir: bool = False,
    indication: Indication | None = None,
) -> dict[str, Any]:
    """Parse (bounded, as the CLI does) and assess: the CLI's JSON (see `assess_input`)."""
    return assess_input(
        text, today=today, kb=kb, verified_only=verified_only, fhir=fhir, indication=indication
    ).assessment.to_json_dict()


@router.post(
    "/assess",
    summary="Assess a case file",
    response_model=Assessment,
    openapi_extra={"requestBody": _CASE_BODY},
    responses={422: {"description": "Invalid case file: every problem names its field."}},
)
async def assess_case(
    request: Request,
    _caller: Caller,
    settings: Config,
    kb: Kb,
    as_of: Annotated[
        dt.date | None,
        Query(description="The date of a case file without `as_of` (default: the clinic's today)."),
    ] = None,
    verified_only: Annotated[
        bool, Query(description="Leave out rules that are not verified against the label.")
    ] = False,
    indication: Annotated[
        Indication | None,
        Query(description="FHIR input: the indication, when the diagnoses do not name one."),
    ] = None,
) -> JSONResponse:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in CASE_MEDIA_TYPES:
        raise CaseError(
            [
                (
                    "content-type",
                    f"{media or 'none'} is not accepted; send application/json, application/yaml "
                    f"or {FHIR_JSON}",
                )
            ],
            source=SOURCE,
        )
    text = decode_case_bytes(await request.body(), source=SOURCE)
    document = assessment_json(
        text,
        today=as_of or settings.clinic_today(),
        kb=kb,
        verified_only=verified_only,
        fhir=media == FHIR_JSON,
        indication=indication,
    )
    return JSONResponse(document)
