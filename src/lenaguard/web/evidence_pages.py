"""The evidence page: ask a question, read the cited answer (`/evidence`).

The page is a form over the same evidence core as `lenaguard ask` and `POST /api/v1/ask`: the
answer's summary, "From the Guidelines" and "From the Research" as the core composes them, each
citation number linked to its entry in the reference list, the sources that disagree with the
knowledge base side by side, and the abstention said plainly when nothing relevant exists. With
a case (an enrolled patient's `?patient=ID`, or a case file or FHIR Bundle posted in the field
`case` as on `POST /assess`), the answer adds what the rules decided for that patient.

The library is the data directory's `evidence/` folder, shared with the API (one per worker);
on a fresh install the first question builds its index from the knowledge base. The page says
which documents are searched, and says so plainly when no index could be kept on disk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from markupsafe import Markup, escape
from starlette.responses import Response

from lenaguard.assess import Assessment
from lenaguard.errors import LenaguardError, WorkflowError
from lenaguard.evidence import Answer, Index, ask
from lenaguard.evidence.ingest import Library
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.service.ask_api import QUESTION_CHARACTERS, library_for
from lenaguard.settings import Settings
from lenaguard.web.auth import PageCaller, PageRoute, PostedBy, require_role
from lenaguard.web.posted_case import assess_posted, handoff_fields, read_posted_case
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.clock import Now
from lenaguard.workflow.patients import service as patients
from lenaguard.workflow.web import Config, Db, Kb

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STAFF = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.PHARMACIST)
"""Who may open the page: clinic and pharmacy staff (patients read their handout instead)."""

CASE_SOURCE = "case"
PATIENT_ID_CHARACTERS = 40
_MARKS = re.compile(r"((?:\[\d+\])+)(?=\.(?:\s|$))")
"""The composer's citation marks in the summary: `[1]` or `[1][2]` right before a sentence's
full stop (a number in brackets elsewhere is the source's own text and stays text)."""


@dataclass
class Asked:
    """What the form holds and what the page shows: the question, the case, the answer."""

    question: str = ""
    question_error: str | None = None
    case_text: str = ""
    case_errors: list[dict[str, str]] = field(default_factory=list)
    case_choices: list[tuple[str, str]] = field(default_factory=list)
    """The posted case's indication and date choices, kept for the next question."""
    patient_id: str | None = None
    patient_name: str | None = None
    assessment: Assessment | None = None
    answer: Answer | None = None
    index_problem: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.question_error or self.case_errors)


# --- the library -------------------------------------------------------------------------------


def _index(library: Library, asked: Asked) -> Index:
    """The library's index, built on first use. When it cannot be kept on disk (a read-only
    data directory) the question is searched in an index built in memory, and the page says so."""
    try:
        return library.index()
    except OSError as exc:
        asked.index_problem = (
            f"No evidence index could be kept in {library.directory} "
            f"({exc.strerror or exc.__class__.__name__}). This answer was searched in a "
            "temporary index of the same knowledge and documents."
        )
        return Index.build(library.passages())


def _library_state(library: Library) -> dict[str, Any]:
    """Which documents the page searches, and whether the index exists yet."""
    return {
        "directory": str(library.directory),
        "documents": library.documents(),
        "indexed": (library.directory / "index" / "meta.json").exists(),
    }


# --- the case ----------------------------------------------------------------------------------


def _problems(error: LenaguardError) -> list[dict[str, str]]:
    return [problem.to_json() for problem in error.problems]


def _patient_assessment(
    asked: Asked,
    principal: Principal,
    database: Any,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> None:
    """Assess the enrolled patient `asked.patient_id` (a read of the record: checked and
    audited as on the API). A patient the caller may not see is the usual 403 page; a patient
    without a valid case is said next to the question."""
    assert asked.patient_id is not None
    with database.transaction() as session:
        patient = patients.visible_patient(session, principal, asked.patient_id)
        asked.patient_name = patient.name
        try:
            asked.assessment = patients.assess_patient(
                session, patient, as_of=settings.clinic_date(now), settings=settings, kb=kb
            )
        except WorkflowError as exc:
            if exc.status != 422:
                raise
            asked.case_errors = _problems(exc)
        except LenaguardError as exc:
            asked.case_errors = _problems(exc)
        patients.audit_read(session, principal, patient, "assessment")


# --- the answer ----------------------------------------------------------------------------------


def _answer(asked: Asked, library: Library) -> None:
    if not asked.question:
        return
    if len(asked.question) > QUESTION_CHARACTERS:
        asked.question_error = (
            f"The question is {len(asked.question):,} characters long; "
            f"ask in at most {QUESTION_CHARACTERS:,}."
        )
        return
    if asked.case_errors:
        return
    asked.answer = ask(
        asked.question, _index(library, asked), library.kb, assessment=asked.assessment
    )


def linked_summary(summary: str, numbers: set[int]) -> Markup:
    """The summary as HTML: escaped text, each of the composer's citation marks a link to its
    reference (numbers not in the reference list stay text)."""
    pieces: list[str] = []
    last = 0
    for found in _MARKS.finditer(summary):
        marks = [int(n) for n in re.findall(r"\d+", found.group(1))]
        if not all(n in numbers for n in marks):
            continue
        pieces.append(str(escape(summary[last : found.start()])))
        pieces.extend(cite_link(n) for n in marks)
        last = found.end()
    pieces.append(str(escape(summary[last:])))
    return Markup("".join(pieces))


def cite_link(n: int) -> str:
    """A citation number as a link to reference `n` (read as "reference n")."""
    return (
        f'<a class="cite" href="#ref-{int(n)}">'
        f'[<span class="visually-hidden">reference </span>{int(n)}]</a>'
    )


def _page(
    request: Request,
    asked: Asked,
    library: Library,
    kb: KnowledgeBase,
) -> Response:
    answer = asked.answer
    numbers = {reference.n for reference in answer.references} if answer else set()
    context = {
        "asked": asked,
        "answer": answer,
        "summary": linked_summary(answer.summary, numbers) if answer else None,
        "cite": lambda n: Markup(cite_link(n)),
        "cite_text": kb.get(Bibliography).cite_text,
        "library": _library_state(library),
        "max_question": QUESTION_CHARACTERS,
    }
    status = 422 if asked.failed else 200
    return render(request, "evidence/ask.html", context, status_code=status)


# --- routes ----------------------------------------------------------------------------------


@router.get("/evidence")
def evidence_page(
    request: Request,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
    q: Annotated[str, Query(max_length=QUESTION_CHARACTERS * 2)] = "",
    patient: Annotated[str | None, Query(max_length=PATIENT_ID_CHARACTERS)] = None,
) -> Response:
    """The ask box; with `q`, the answer; with `patient`, about that enrolled patient."""
    require_role(principal, *STAFF)
    library = library_for(settings.home, kb)
    asked = Asked(question=q.strip(), patient_id=patient or None)
    if asked.patient_id:
        _patient_assessment(asked, principal, database, settings, kb, now)
    _answer(asked, library)
    return _page(request, asked, library, kb)


@router.post("/evidence")
async def evidence_asked(
    request: Request,
    principal: PostedBy,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """The answer to a posted question, about the posted case or enrolled patient if any."""
    require_role(principal, *STAFF)
    library = library_for(settings.home, kb)
    form = await request.form()
    question = form.get("q")
    patient = form.get("patient")
    asked = Asked(question=question.strip() if isinstance(question, str) else "")
    if isinstance(patient, str) and patient.strip():
        asked.patient_id = patient.strip()[:PATIENT_ID_CHARACTERS]
        _patient_assessment(asked, principal, database, settings, kb, now)
    else:
        try:
            posted = await read_posted_case(form, source=CASE_SOURCE)
            asked.case_text = posted.text
            asked.case_choices = [(n, v) for n, v in handoff_fields(posted) if n != "case"]
            if posted.text:
                _, asked.assessment = assess_posted(
                    posted, clinic_today=settings.clinic_date(now), kb=kb, source=CASE_SOURCE
                )
        except LenaguardError as exc:
            asked.case_errors = _problems(exc)
    if not (asked.question or asked.failed or asked.assessment):
        asked.question_error = "Type a question to ask."
    _answer(asked, library)
    return _page(request, asked, library, kb)


__all__ = ["STAFF", "cite_link", "linked_summary", "router"]
