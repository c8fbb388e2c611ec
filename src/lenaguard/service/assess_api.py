"""`POST /api/v1/assess`: the assessment of a posted case file, identical to the CLI's JSON.

The body's media type chooses the reader: `application/json` or `application/yaml` (also
`text/yaml`, `application/x-yaml`) for a case file. `as_of` and `verified_only` work as the
CLI's options do.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from lenaguard.assess import Assessment, assess
from lenaguard.caseio import case_from_data, decode_case_bytes, parse_case_document
from lenaguard.errors import CaseError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.workflow.web import Caller, Config, Kb

router = APIRouter(prefix="/api/v1", tags=["assessment"])

SOURCE = "request body"

CASE_MEDIA_TYPES = {
    "application/json",
    "application/yaml",
    "application/x-yaml",
    "text/yaml",
    "text/x-yaml",
}
_CASE_BODY: dict[str, Any] = {
    "required": True,
    "description": "A case file (docs/case-file.md) as JSON or YAML.",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "application/yaml": {"schema": {"type": "string"}},
    },
}


def assessment_json(
    text: str, *, today: dt.date, kb: KnowledgeBase, verified_only: bool
) -> dict[str, Any]:
    """Parse (bounded, as the CLI does) and assess: the CLI's JSON. `today` is the date of a
    case file without `as_of`."""
    case = case_from_data(
        parse_case_document(text, source=SOURCE), today=today, source=SOURCE, kb=kb
    )
    return assess(case, kb, verified_only=verified_only).to_json_dict()


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
) -> JSONResponse:
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in CASE_MEDIA_TYPES:
        raise CaseError(
            [
                (
                    "content-type",
                    f"{media or 'none'} is not accepted; send application/json or application/yaml",
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
    )
    return JSONResponse(document)
