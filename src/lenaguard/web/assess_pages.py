"""The case workbench: a form for a case (upload, paste or fields) and the assessment page.

- `GET /assess`: upload or paste a case file or a FHIR R4 Bundle, or build the case with fields.
- `POST /assess`: the assessment page of the posted case (multipart field `case`, a file or
  text, or the form's fields). Invalid input comes back as the form, each problem next to its
  field and all of them listed at the top (422); an input over the size limit is a 413.
- `POST /assess/case.yaml`: the form's fields as a case file to download (checked first).
- `GET /patients/{id}/assessment`: the same page for an enrolled patient's merged case, with
  the same access checks and audit as `POST /api/v1/patients/{id}/assess`.

Every word on the assessment page comes from the one Assessment (and the knowledge base's
bibliography for the source names), read by the same function as the API, so the page can
never say something the JSON does not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from lenaguard.assess import Assessment, assess
from lenaguard.calendar_grid import WEEKDAYS, weeks
from lenaguard.case import Case
from lenaguard.caseio import CaseTooLarge, case_from_data, max_case_bytes
from lenaguard.errors import CaseError
from lenaguard.findings import Finding
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.service.assess_api import assess_input
from lenaguard.vocab import Readiness, Severity
from lenaguard.web import case_form
from lenaguard.web.auth import PageCaller, PageRoute, PostedBy, require_role
from lenaguard.web.charts import Chart, charts_for
from lenaguard.web.posted_case import PostedCase, handoff_fields, read_posted_case
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.clock import Now
from lenaguard.workflow.patients import service as patients
from lenaguard.workflow.web import Config, Db, Kb

__all__ = ["AssessmentView", "assessment_view", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STAFF = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.PHARMACIST)
_FORM_SLACK = 64_000
"""Room for the form's other fields beside a pasted case, in bytes."""
_TEST_NAMES = {
    "cbc": "CBC",
    "pregnancy_test": "Pregnancy test",
    "tsh": "TSH",
    "hbsag": "HBsAg",
    "anti_hbc": "Anti-HBc",
    "anti_hbs": "Anti-HBs",
    "hbv_dna": "HBV DNA",
    "hbv_serology": "HBV serology",
    "alt": "ALT",
    "ast": "AST",
    "anc": "ANC",
}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class AssessmentView:
    """Everything the assessment template shows, all read from one Assessment."""

    assessment: Assessment
    blockers: list[tuple[str, str]]
    """(finding or rule id, the blocker in words), in the order of `assessment.blocking`."""
    groups: list[tuple[Severity, list[Finding]]]
    weeks: list[list[Any]]
    charts: list[Chart]
    source: str
    handoff: list[tuple[str, str]] | None = None
    """Hidden fields that post this case to the handout and the evidence page (a posted case)."""
    patient_id: str | None = None
    """The enrolled patient whose record this is (their handout and evidence links)."""


def _sources(kb: KnowledgeBase) -> dict[str, str]:
    return {s.id: s.short or s.title for s in kb.get(Bibliography).sources}


def assessment_view(
    assessment: Assessment,
    kb: KnowledgeBase,
    *,
    case: Case | None,
    source: str,
    handoff: PostedCase | None = None,
    patient_id: str | None = None,
) -> AssessmentView:
    """The page's reading of an assessment; charts only when the case is at hand."""
    summaries = {finding.id: finding.summary for finding in assessment.findings}
    summaries.update({action.finding_id: action.text for action in assessment.actions})
    dose = assessment.dose
    blockers = [
        (
            item,
            summaries.get(item)
            or (dose.reason if dose is not None and dose.rule == item else item),
        )
        for item in assessment.blocking
    ]
    groups = [
        (severity, [f for f in assessment.findings if f.severity is severity])
        for severity in (Severity.CRITICAL, Severity.WARNING, Severity.INFO)
    ]
    return AssessmentView(
        assessment=assessment,
        blockers=blockers,
        groups=[(severity, found) for severity, found in groups if found],
        weeks=weeks(assessment.calendar),
        charts=charts_for(case, assessment, kb) if case is not None else [],
        source=source,
        handoff=handoff_fields(handoff) if handoff is not None else None,
        patient_id=patient_id,
    )


def page_context(view: AssessmentView, kb: KnowledgeBase) -> dict[str, Any]:
    """The template context of an assessment (also used by the CDS Hooks card's page)."""
    names = _sources(kb)

    def cite(citation: Citation) -> str:
        return f"{names.get(citation.source, citation.source)}, {citation.section}"

    def test_name(test: str) -> str:
        return _TEST_NAMES.get(test, test.replace("_", " ").capitalize())

    return {
        "view": view,
        "a": view.assessment,
        "cite": cite,
        "test_name": test_name,
        "weekdays": WEEKDAYS,
        "Readiness": Readiness,
    }


def _render_assessment(
    request: Request, view: AssessmentView, kb: KnowledgeBase, status_code: int = 200
) -> Response:
    return render(
        request, "assess/assessment.html", page_context(view, kb), status_code=status_code
    )


def _form_page(
    request: Request,
    kb: KnowledgeBase,
    *,
    state: case_form.FormState | None = None,
    pasted: str = "",
    file_problems: Sequence[tuple[str, str]] = (),
    tab: str = "file",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "assess/form.html",
        {
            "state": state or case_form.FormState(),
            "opts": case_form.options(kb),
            "pasted": pasted,
            "file_problems": list(file_problems),
            "tab": tab,
            "limit_kb": max_case_bytes() // 1000,
        },
        status_code=status_code,
    )


async def _assess_form(request: Request, _principal: PageCaller) -> FormData:
    """The posted form, parsed with room for a pasted case up to the size limit (parsed once,
    before the CSRF check reads it); a bigger part is refused as too large (413)."""
    limit = max_case_bytes()
    try:
        return await request.form(max_files=2, max_fields=3000, max_part_size=limit + _FORM_SLACK)
    except StarletteHTTPException as exc:
        if "exceeded maximum size" in str(exc.detail):
            raise StarletteHTTPException(
                413, f"The case is larger than the limit of {limit:,} bytes"
            ) from exc
        raise


AssessForm = Annotated[FormData, Depends(_assess_form)]


def _staff(principal: Principal) -> None:
    require_role(principal, *STAFF)


@router.get("/assess")
def workbench(request: Request, principal: PageCaller, kb: Kb) -> Response:
    _staff(principal)
    return _form_page(request, kb)


def _too_large(request: Request, kb: KnowledgeBase) -> Response:
    limit = max_case_bytes()
    return _form_page(
        request,
        kb,
        file_problems=[("(file)", f"the case is larger than the limit of {limit:,} bytes")],
        status_code=413,
    )


@router.post("/assess")
async def assess_page(
    request: Request, kb: Kb, now: Now, settings: Config, form: AssessForm, principal: PostedBy
) -> Response:
    _staff(principal)
    verified_only = form.get("verified_only") == "yes"
    if form.get("mode") == "fields":
        return _assess_fields(request, kb, now, form, verified_only)
    try:
        posted = await read_posted_case(form, source="case")
        if not posted.text:
            return _form_page(
                request,
                kb,
                file_problems=[("case", "choose a case file or paste one")],
                status_code=422,
            )
        assessed = assess_input(
            posted.text,
            today=posted.today(settings.clinic_date(now)),
            kb=kb,
            verified_only=verified_only,
            indication=posted.indication,
            source="case",
        )
    except CaseTooLarge:
        return _too_large(request, kb)
    except CaseError as exc:
        pasted = next((v for v in form.getlist("case") if isinstance(v, str)), "")
        return _form_page(
            request,
            kb,
            pasted=pasted,
            file_problems=[(p.field, p.message) for p in exc.problems],
            status_code=422,
        )
    upload = next((v for v in form.getlist("case") if isinstance(v, UploadFile)), None)
    source = upload.filename if upload is not None and upload.filename else "pasted case"
    view = assessment_view(
        assessed.assessment, kb, case=assessed.case, source=source, handoff=posted
    )
    return _render_assessment(request, view, kb)


def _fields_case(
    request: Request, kb: KnowledgeBase, now: dt.datetime, form: FormData
) -> tuple[case_form.FormState, Case | None, dict[str, Any]]:
    state = case_form.read_form(form)
    data = case_form.build_case(state)
    today = request.app.state.settings.clinic_date(now)
    try:
        return state, case_from_data(dict(data), today=today, source="form", kb=kb), data
    except CaseError as exc:
        state.add_problems((p.field, p.message) for p in exc.problems)
        return state, None, data


def _assess_fields(
    request: Request, kb: KnowledgeBase, now: dt.datetime, form: FormData, verified_only: bool
) -> Response:
    state, case, data = _fields_case(request, kb, now, form)
    if case is None:
        return _form_page(request, kb, state=state, tab="fields", status_code=422)
    assessment = assess(case, kb, verified_only=verified_only)
    view = assessment_view(
        assessment,
        kb,
        case=case,
        source="the form's fields",
        handoff=PostedCase(case_form.case_yaml(data)),
    )
    return _render_assessment(request, view, kb)


@router.post("/assess/case.yaml")
async def case_yaml(
    request: Request, kb: Kb, now: Now, form: AssessForm, principal: PostedBy
) -> Response:
    _staff(principal)
    state, case, data = _fields_case(request, kb, now, form)
    if case is None:
        return _form_page(request, kb, state=state, tab="fields", status_code=422)
    name = _SAFE_NAME.sub("-", case.patient.id).strip("-.")[:60] or "case"
    return Response(
        case_form.case_yaml(data),
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'},
    )


@router.get("/patients/{patient_id}/assessment")
def patient_assessment(
    request: Request,
    patient_id: Annotated[str, Path(max_length=40)],
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
    as_of: Annotated[
        dt.date | None, Query(ge=dt.date(1900, 1, 1), le=dt.date(2200, 12, 31))
    ] = None,
    verified_only: bool = False,
) -> Response:
    day = as_of or settings.clinic_date(now)
    with database.transaction() as session:
        patient = patients.visible_patient(session, principal, patient_id)
        case = patients.patient_case(session, patient, as_of=day, settings=settings, kb=kb)
        assessment = assess(case, kb, verified_only=verified_only)
        patients.audit_read(session, principal, patient, "assessment")
    view = assessment_view(
        assessment,
        kb,
        case=case,
        source=f"the record of patient {patient.id}",
        patient_id=patient.id,
    )
    return _render_assessment(request, view, kb)
