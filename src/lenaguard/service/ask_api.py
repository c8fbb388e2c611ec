"""`POST /api/v1/ask`: a cited evidence answer, the same JSON as `lenaguard ask --json`.

The index is the data directory's `evidence/` library (what `lenaguard ingest` fills on the
same machine); each worker process loads it once and reloads it when an ingestion rebuilt it.
With `case`, the answer adds what the rules decide for that patient, as `--case` does.

Wiring (for the app's integrator): `app.include_router(ask_api.router)` in create_app.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from lenaguard.assess import assess
from lenaguard.caseio import case_from_data
from lenaguard.evidence import Answer, ask
from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import KnowledgeBase
from lenaguard.workflow.web import Caller, Config, Kb

router = APIRouter(prefix="/api/v1", tags=["evidence"])

QUESTION_CHARACTERS = 2000
_LIBRARIES: dict[tuple[Path, str], Library] = {}


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(min_length=1, max_length=QUESTION_CHARACTERS)]
    case: dict[str, Any] | None = Field(
        default=None, description="A case file (docs/case-file.md) as JSON, for --case answers."
    )
    as_of: dt.date | None = Field(
        default=None, description="The date of a case without `as_of` (default: the clinic's)."
    )


def library_for(home: Path, kb: KnowledgeBase) -> Library:
    """The evidence library of a data directory, one per process and knowledge version."""
    key = (home, kb.version)
    if key not in _LIBRARIES:
        _LIBRARIES[key] = Library(home / "evidence", kb)
    return _LIBRARIES[key]


@router.post(
    "/ask",
    summary="Answer a question with cited evidence",
    response_model=Answer,
    responses={
        422: {"description": "Invalid question or case file: each problem names its field."}
    },
)
def ask_question(body: AskRequest, _caller: Caller, settings: Config, kb: Kb) -> Answer:
    library = library_for(settings.home, kb)
    assessment = None
    if body.case is not None:
        source = "request body: case"
        case = case_from_data(
            body.case,
            today=body.as_of or settings.clinic_today(),
            source=source,
            kb=kb,
        )
        assessment = assess(case, kb)
    return ask(body.question, library.index(), kb, assessment=assessment)
