"""The personal patient handout as web pages.

- `GET /handout`: a form to upload or paste a case file or a FHIR R4 Bundle (field `case`, as
  `POST /assess` takes it); staff only (admin, prescriber, nurse, pharmacist).
- `POST /handout`: the handout of that case; a case with problems comes back as the form, each
  problem next to the field. `POST /handout/calendar.ics`: its dates as a calendar file.
- `GET /patients/{id}/handout` (and `…/handout.ics`): an enrolled patient's handout from their
  merged case on the clinic's today; the patient may open their own. A record the caller may
  not see and one that does not exist get the same answer.

The handout itself is `lenaguard.handout` (core): this module only reads the input, asks the
core and answers. The page links /static/css/handout.css and /static/js/handout.js (the
Content-Security-Policy allows no inline style or script).
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from lenaguard.assess import assess
from lenaguard.errors import CaseError, LenaguardError
from lenaguard.handout import (
    CalendarForm,
    WebParts,
    build_handout,
    calendar_ics,
    contact_for,
    render_html,
)
from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.vocab import Indication
from lenaguard.web.auth import PageCaller, PageRoute, PostedBy, require_role
from lenaguard.web.posted_case import (
    PostedCase,
    assess_posted,
    handoff_fields,
    read_posted_case,
)
from lenaguard.web.security import CSRF_FIELD
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.clock import Now
from lenaguard.workflow.parties.models import Prescriber
from lenaguard.workflow.patients.service import (
    audit_read,
    patient_case,
    visible_patient,
)
from lenaguard.workflow.web import Config, Db, Kb

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STAFF = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.PHARMACIST)
CASE_FIELD = "case"
SOURCE = "case"
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def _handout_page(html: str, *, status_code: int = 200) -> HTMLResponse:
    # the handout is private health information: never kept by a shared cache
    return HTMLResponse(html, status_code=status_code, headers={"Cache-Control": "no-store"})


def _calendar_file(data: bytes, patient_id: str) -> Response:
    name = _UNSAFE_FILENAME.sub("-", patient_id).strip("-.")[:60] or "patient"
    return Response(
        data,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="lenalidomide-{name}.ics"',
            "Cache-Control": "no-store",
        },
    )


async def _posted_case(request: Request) -> PostedCase:
    """The posted case (an uploaded file, else the pasted text) and its choices."""
    posted = await read_posted_case(await request.form(), source=SOURCE)
    if not posted.text.strip():
        raise CaseError(
            [(CASE_FIELD, "upload a case file or a FHIR Bundle, or paste one")], source=SOURCE
        )
    return posted


def _form(
    request: Request,
    *,
    text: str = "",
    indication: Indication | None = None,
    problems: list[dict[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    problems = problems or []
    case_problems = [p for p in problems if p.get("field") != "indication"]
    return render(
        request,
        "handout/form.html",
        {
            "text": text,
            "indication": indication.value if indication else "",
            "indications": list(Indication),
            "problems": case_problems,
            "indication_problems": [p for p in problems if p.get("field") == "indication"],
        },
        status_code=status_code,
    )


@router.get("/handout")
def handout_form(request: Request, principal: PageCaller) -> Response:
    require_role(principal, *STAFF)
    return _form(request)


@router.post("/handout")
async def handout_of_case(
    request: Request,
    principal: PostedBy,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    require_role(principal, *STAFF)
    posted = PostedCase("")
    try:
        posted = await _posted_case(request)
        case, assessment = assess_posted(
            posted, clinic_today=settings.clinic_date(now), kb=kb, source=SOURCE
        )
    except LenaguardError as exc:
        return _form(
            request,
            text=posted.text,
            indication=posted.indication,
            problems=[problem.to_json() for problem in exc.problems],
            status_code=422,
        )
    handout = build_handout(
        assessment, case, kb, contact_for(settings.clinic_name, settings.clinic_phone)
    )
    fields = handoff_fields(posted)
    token = getattr(request.state, "csrf_token", None)
    if token:
        fields.append((CSRF_FIELD, token))
    web = WebParts(
        back_href="/handout",
        calendar_form=CalendarForm(action="/handout/calendar.ics", fields=tuple(fields)),
    )
    return _handout_page(render_html(handout, web=web))


@router.post("/handout/calendar.ics")
async def handout_calendar_of_case(
    request: Request, principal: PostedBy, settings: Config, kb: Kb, now: Now
) -> Response:
    require_role(principal, *STAFF)
    posted = await _posted_case(request)
    case, assessment = assess_posted(
        posted, clinic_today=settings.clinic_date(now), kb=kb, source=SOURCE
    )
    handout = build_handout(assessment, case, kb)
    return _calendar_file(calendar_ics(handout), handout.patient_id)


def _enrolled(
    principal, database, settings: Settings, kb: KnowledgeBase, now: dt.datetime, patient_id: str
):
    """The enrolled patient's handout (the read audited): their merged case on the clinic's
    today, the clinic from the settings, else their prescriber's name."""
    today = settings.clinic_date(now)
    with database.transaction() as session:
        patient = visible_patient(session, principal, patient_id)
        case = patient_case(session, patient, as_of=today, settings=settings, kb=kb)
        prescriber = session.get(Prescriber, patient.prescriber_id)
        audit_read(session, principal, patient, "handout")
    assessment = assess(case, kb)
    contact = contact_for(
        settings.clinic_name, settings.clinic_phone, prescriber.name if prescriber else None
    )
    return build_handout(assessment, case, kb, contact)


@router.get("/patients/{patient_id}/handout")
def patient_handout(
    patient_id: str, principal: PageCaller, database: Db, settings: Config, kb: Kb, now: Now
) -> Response:
    handout = _enrolled(principal, database, settings, kb, now, patient_id)
    web = WebParts(
        back_href="/", calendar_href=f"/patients/{quote(patient_id, safe='')}/handout.ics"
    )
    return _handout_page(render_html(handout, web=web))


@router.get("/patients/{patient_id}/handout.ics")
def patient_handout_calendar(
    patient_id: str, principal: PageCaller, database: Db, settings: Config, kb: Kb, now: Now
) -> Response:
    handout = _enrolled(principal, database, settings, kb, now, patient_id)
    return _calendar_file(calendar_ics(handout), handout.patient_id)
