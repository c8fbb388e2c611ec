"""The patient pages of the REMS workflow: the list, enrollment, the record, the readiness
checklist, the forms that record agreements, counselling, pregnancy tests, surveys and
insurance, and the form that chooses the patient's pharmacy.

Every page calls the service function its REST API route calls, with the same caller, so the
same role rules and checks apply (a record the caller may not see and a missing one get the
same 403 page); every form is checked by the API's own request model first. A refused form is
shown again with each problem next to its field and nothing stored (each write is one
transaction); a recorded one redirects (303) to the patient's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from lenaguard.errors import WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.store import Database
from lenaguard.web.auth import PageCaller, PageRoute, PostedBy, require_role
from lenaguard.web.rems_pages import (
    CLINIC_STAFF,
    PAGE_SIZE,
    Form,
    FormFields,
    form_actions,
    item_action,
    item_label,
    local_input,
    local_moment,
    local_words,
    refused,
    source_words,
    validated,
)
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.requirements import ItemStatus
from lenaguard.workflow.dispensing.views import authorization_view, dispense_view
from lenaguard.workflow.parties import service as parties
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.parties.service import pharmacy_certified
from lenaguard.workflow.patients import service as patients
from lenaguard.workflow.patients import views as patient_views
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.patients.views import (
    AgreementSignature,
    Enrollment,
    PharmacyChoice,
    patient_view,
)
from lenaguard.workflow.readiness import service as readiness_service
from lenaguard.workflow.records import service as records
from lenaguard.workflow.records import views as record_views
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey
from lenaguard.workflow.records.views import (
    NewCounselling,
    NewInsurance,
    NewPregnancyTest,
    NewSurvey,
)
from lenaguard.workflow.web import Config, Db, Kb

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PatientId = Annotated[str, Path(max_length=40)]

SAVED = {
    "enrolled": "Patient enrolled.",
    "agreements": "Signature recorded.",
    "pregnancy-tests": "Pregnancy test recorded.",
    "counselling": "Counselling recorded.",
    "surveys": "Survey recorded.",
    "insurance": "Insurance recorded.",
    "pharmacy": "Pharmacy chosen.",
    "authorization": "Authorization issued.",
    "dispensed": "Dispense recorded.",
}
"""The line the record shows after a form was saved (`?saved=KEY`)."""

STATUS_WORDS = {
    ItemStatus.DONE: "Done",
    ItemStatus.DUE: "Due",
    ItemStatus.OVERDUE: "Overdue",
    ItemStatus.NOT_APPLICABLE: "Not needed",
    ItemStatus.BLOCKED: "Waiting",
}


def _record(patient_id: str, saved: str | None = None) -> RedirectResponse:
    query = f"?{urlencode({'saved': saved})}" if saved else ""
    return RedirectResponse(f"/patients/{patient_id}{query}", status_code=303)


def _clinic_staff_patient(session: Session, principal: Principal, patient_id: str) -> Patient:
    """The patient, when the caller records for them (their prescriber, nurse, or an admin)."""
    patient = patients.visible_patient(session, principal, patient_id)
    patients.require_clinic_staff(principal, patient)
    return patient


def _staff_or_own_patient(session: Session, principal: Principal, patient_id: str) -> Patient:
    """The patient, when the caller records for them or is them (clinic staff, or the patient:
    their own survey, their pharmacy)."""
    patient = patients.visible_patient(session, principal, patient_id)
    if principal.role is not Role.PATIENT:
        patients.require_clinic_staff(principal, patient)
    return patient


# ---------------------------------------------------------------- the list


@router.get("/patients")
def patient_list(
    request: Request,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """The patients the caller may see, by name, with a search; a patient goes to their own
    record."""
    if principal.role is Role.PATIENT and principal.patient_id:
        return RedirectResponse(f"/patients/{principal.patient_id}", status_code=303)
    with database.transaction() as session:
        rows, total = patients.list_patients(
            session, principal, limit=PAGE_SIZE, offset=offset, search=q
        )
        today = settings.clinic_today()
        views = [patient_view(row, today, kb) for row in rows]
    shown = offset + len(views)
    return render(
        request,
        "rems/patients.html",
        {
            "patients": views,
            "total": total,
            "q": q,
            "offset": offset,
            "shown": shown,
            "next_page": (
                "/patients?" + urlencode({"q": q, "offset": shown}) if shown < total else None
            ),
            "previous_page": (
                "/patients?" + urlencode({"q": q, "offset": max(0, offset - PAGE_SIZE)})
                if offset
                else None
            ),
            "may_enroll": principal.role in CLINIC_STAFF,
        },
    )


# ---------------------------------------------------------------- enrollment

ENROLL_FIELDS = frozenset(
    {
        "name",
        "sex",
        "birth_date",
        "guardian_name",
        "prescriber_id",
        "reproductive",
        "reproductive.hysterectomy",
        "reproductive.bilateral_oophorectomy",
        "reproductive.months_since_last_menses",
        "reproductive.menses_regular",
        "reproductive.amenorrhea_natural",
    }
)
YES_NO = ("hysterectomy", "bilateral_oophorectomy", "menses_regular", "amenorrhea_natural")


def _prescribers(session: Session, principal: Principal) -> list[Prescriber]:
    rows, _total = parties.list_prescribers(session, principal, limit=100, offset=0)
    return rows


def _enrollment_data(values: dict[str, str], principal: Principal) -> dict[str, Any]:
    """The form as the API's enrollment body: empty fields left out, the reproductive history
    only for a female and only with what was answered (unknown stays unknown)."""
    data: dict[str, Any] = {
        key: values[key]
        for key in ("name", "sex", "birth_date", "guardian_name")
        if values.get(key)
    }
    if principal.role is not Role.PRESCRIBER and values.get("prescriber_id"):
        data["prescriber_id"] = values["prescriber_id"]
    history: dict[str, Any] = {}
    for key in YES_NO:
        answer = values.get(f"reproductive.{key}", "")
        if answer in ("yes", "no"):
            history[key] = answer == "yes"
        elif answer:
            history[key] = answer  # the model names the field
    months = values.get("reproductive.months_since_last_menses", "")
    if months:
        history["months_since_last_menses"] = months
    if values.get("sex") == "female" and history:
        data["reproductive"] = history
    return data


def _enroll_page(
    request: Request, session: Session, principal: Principal, form: Form, status: int = 200
) -> Response:
    return render(
        request,
        "rems/enroll.html",
        {
            "form": form,
            "prescribers": [(row.id, row.name) for row in _prescribers(session, principal)],
        },
        status_code=status,
    )


@router.get("/patients/new")
def enroll_form(request: Request, principal: PageCaller, database: Db) -> Response:
    require_role(principal, *CLINIC_STAFF)
    with database.reading() as session:
        return _enroll_page(request, session, principal, Form())


@router.post("/patients/new")
def enroll(
    request: Request,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    require_role(principal, *CLINIC_STAFF)
    form = Form(values=values)
    body = validated(Enrollment, _enrollment_data(values, principal), form, ENROLL_FIELDS)
    status = 422
    if isinstance(body, Enrollment):
        try:
            with database.transaction() as session:
                patient = patient_views.save_enrollment(
                    session, principal, body, settings=settings, kb=kb, now=now
                )
                return _record(patient.id, "enrolled")
        except WorkflowError as exc:
            status = refused(exc, form, ENROLL_FIELDS)
    with database.reading() as session:
        return _enroll_page(request, session, principal, form, status)


# ---------------------------------------------------------------- the record


def _confirmation_row(confirmation, authorization, dispense, now: dt.datetime) -> dict[str, Any]:
    return {
        "number": confirmation.number,
        "authorization_number": authorization.number,
        "pharmacy_id": confirmation.pharmacy_id,
        "confirmed_at": confirmation.confirmed_at,
        "deadline": confirmation.expires_at,
        "state": (
            "dispensed"
            if dispense is not None
            else "expired"
            if now > confirmation.expires_at
            else "open"
        ),
    }


@router.get("/patients/{patient_id}")
def patient_record(
    request: Request,
    patient_id: PatientId,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
    saved: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Everything recorded about the patient, with the actions the caller may take."""
    today = settings.clinic_date(now)
    with database.transaction() as session:
        patient = patients.read_patient(session, principal, patient_id)
        view = patient_view(patient, today, kb)

        def newest(table: type) -> tuple[list[Any], int]:
            return records.list_records(
                session, principal, patient.id, table, limit=PAGE_SIZE, offset=0
            )

        counselling, counselling_total = newest(Counselling)
        tests, tests_total = newest(PregnancyTest)
        surveys, surveys_total = newest(Survey)
        insurance, insurance_total = newest(Insurance)
        authorizations, authorizations_total = dispensing.list_authorizations(
            session, principal, patient.id, limit=PAGE_SIZE, offset=0
        )
        confirmations, _confirmations_total = dispensing.list_confirmations(
            session, principal, patient.id, limit=PAGE_SIZE, offset=0
        )
        dispenses, dispenses_total = dispensing.list_dispenses(
            session, principal, patient.id, limit=PAGE_SIZE, offset=0
        )
        prescriber = session.get(Prescriber, patient.prescriber_id)
        pharmacy = session.get(Pharmacy, patient.pharmacy_id) if patient.pharmacy_id else None
        context = {
            "patient": view,
            "prescriber_name": prescriber.name if prescriber else patient.prescriber_id,
            "pharmacy_name": pharmacy.name if pharmacy else None,
            "pharmacy_certified": bool(pharmacy and pharmacy_certified(pharmacy, today)),
            "today": today,
            "category_sources": source_words(kb, view.risk_category.citations),
            "agreement_sources": [source_words(kb, a.citations) for a in view.agreements],
            "counselling": counselling,
            "counselling_total": counselling_total,
            "tests": tests,
            "tests_total": tests_total,
            "surveys": surveys,
            "surveys_total": surveys_total,
            "insurance": insurance,
            "insurance_total": insurance_total,
            "authorizations": [authorization_view(a, d, today) for a, d in authorizations],
            "authorizations_total": authorizations_total,
            "confirmations": [_confirmation_row(c, a, d, now) for c, a, d in confirmations],
            "dispenses": [dispense_view(d, c, a, kb) for d, c, a in dispenses],
            "dispenses_total": dispenses_total,
        }
    paths = getattr(request.app.state, "page_paths", frozenset())
    staff = principal.role is not Role.PATIENT
    others = {  # name: (the page's route, its address for this patient, shown to this caller)
        "assessment": ("/patients/{patient_id}/assessment", "", staff),
        "handout": ("/patients/{patient_id}/handout", "", True),  # the patient's own too
        "evidence": ("/evidence", "?patient={patient_id}", staff),
    }
    context |= {
        "actions": form_actions(principal, patient_id),
        "other_pages": {
            name: (route + query).format(patient_id=quote(patient_id))
            for name, (route, query, shown) in others.items()
            if route in paths and shown
        },
        "saved": SAVED.get(saved),
        "is_pharmacist": principal.role is Role.PHARMACIST,
        "when": lambda moment: local_words(moment, settings),
    }
    return render(request, "rems/record.html", context)


# ---------------------------------------------------------------- readiness


@router.get("/patients/{patient_id}/readiness")
def readiness_page(
    request: Request,
    patient_id: PatientId,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """The first-prescription checklist: each item with status, date, owner and next step."""
    with database.transaction() as session:
        result = readiness_service.patient_readiness(
            session, principal, patient_id, settings=settings, kb=kb, now=now
        )
        category = patients.risk_category(result.patient, result.today, kb)
        rows = [
            {
                "item": check.item,
                "label": item_label(check.item),
                "status": check.status.value,
                "status_words": STATUS_WORDS[check.status],
                "date": check.date,
                "owner": check.owner.value,
                "next_step": check.next_step,
                "unmet": check.unmet,
                "action": (
                    None
                    if check.met and check.item not in ("authorization",)
                    else item_action(principal, patient_id, check.item)
                ),
            }
            for check in result.items
        ]
    return render(
        request,
        "rems/readiness.html",
        {
            "result": result,
            "patient": result.patient,
            "category_name": category.name,
            "rows": rows,
            "open_items": sum(1 for row in rows if row["status"] in ("due", "overdue", "blocked")),
        },
    )


# ---------------------------------------------------------------- the record forms


@dataclass(frozen=True)
class RecordForm:
    """One form that records something about a patient through its service function."""

    slug: str
    template: str
    model: type[BaseModel]
    fields: frozenset[str]
    moments: tuple[str, ...]
    may_open: Callable[[Session, Principal, str], Patient]
    save: Callable[..., Any]
    defaults: Callable[[Settings, dt.datetime], dict[str, str]]
    extras: Callable[[FormExtrasContext], dict[str, Any]] = lambda shown: {}
    """What the form shows besides its fields, read while the session is open."""


@dataclass(frozen=True)
class FormExtrasContext:
    """What a form's `extras` may read: the open session, the caller, the patient, the day."""

    session: Session
    principal: Principal
    patient: Patient
    kb: KnowledgeBase
    today: dt.date


def _agreement_extras(shown: FormExtrasContext) -> dict[str, Any]:
    """The agreements the patient's risk category needs, each with what is signed."""
    patient, kb = shown.patient, shown.kb
    category = patients.risk_category(patient, shown.today, kb)
    return {
        "agreements": [
            {
                "signer": agreement.signer,
                "text": agreement.text,
                "signed_on": signed_on,
                "sources": source_words(kb, agreement.citations),
            }
            for agreement, signed_on in patients.agreements_for(patient, category, kb)
        ]
    }


def _today(settings: Settings, now: dt.datetime) -> dict[str, str]:
    return {"given_on": settings.clinic_date(now).isoformat()}


def _now(settings: Settings, now: dt.datetime) -> dict[str, str]:
    return {"taken_at": local_input(now, settings)}


RECORD_FORMS = {
    form.slug: form
    for form in (
        RecordForm(
            "agreements",
            "rems/form_agreement.html",
            AgreementSignature,
            frozenset({"signer", "signed_on"}),
            (),
            _clinic_staff_patient,
            patient_views.save_agreement,
            lambda settings, now: {"signed_on": settings.clinic_date(now).isoformat()},
            extras=_agreement_extras,
        ),
        RecordForm(
            "pregnancy-tests",
            "rems/form_pregnancy_test.html",
            NewPregnancyTest,
            frozenset({"taken_at", "result", "sensitivity_miu_ml"}),
            ("taken_at",),
            _clinic_staff_patient,
            record_views.save_pregnancy_test,
            _now,
        ),
        RecordForm(
            "counselling",
            "rems/form_counselling.html",
            NewCounselling,
            frozenset({"kind", "given_on"}),
            (),
            _clinic_staff_patient,
            record_views.save_counselling,
            _today,
        ),
        RecordForm(
            "surveys",
            "rems/form_survey.html",
            NewSurvey,
            frozenset({"respondent", "taken_at"}),
            ("taken_at",),
            _staff_or_own_patient,
            record_views.save_survey,
            _now,
        ),
        RecordForm(
            "insurance",
            "rems/form_insurance.html",
            NewInsurance,
            frozenset({"payer", "member_id", "prior_authorization"}),
            (),
            _clinic_staff_patient,
            record_views.save_insurance,
            lambda settings, now: {},
        ),
    )
}


PHARMACY_CHOICES = 200
"""The most pharmacies the form lists (certified ones first); it says when there are more."""


def patient_ref(patient: Patient) -> SimpleNamespace:
    """The patient's id and name, read while the session is open (pages render after it)."""
    return SimpleNamespace(id=patient.id, name=patient.name)


def _certification_words(pharmacy: Pharmacy, today: dt.date) -> tuple[str, dt.date | None]:
    """The pharmacy's REMS certification on the clinic's `today`, in words, and the date the
    words end with (shown unbroken)."""
    start, end = pharmacy.certified_on, pharmacy.certification_expires_on
    if pharmacy_certified(pharmacy, today):
        return ("REMS-certified through", end) if end else ("REMS-certified", None)
    if start is None:
        return "Not REMS-certified", None
    if start > today:
        return "Not REMS-certified until", start
    return "Not REMS-certified: the certification ended on", end


def _pharmacy_choices(shown: FormExtrasContext) -> dict[str, Any]:
    """The pharmacies to choose from, each with its certification on the clinic's today."""
    session, patient, today = shown.session, shown.patient, shown.today
    principal = shown.principal
    rows, total = parties.list_pharmacies(session, principal, limit=PHARMACY_CHOICES, offset=0)
    choices = [
        {
            "id": row.id,
            "name": row.name,
            "certified": pharmacy_certified(row, today),
            "state": _certification_words(row, today),
        }
        for row in rows
    ]
    choices.sort(key=lambda choice: not choice["certified"])  # certified first, each by name
    current = session.get(Pharmacy, patient.pharmacy_id) if patient.pharmacy_id else None
    return {
        "pharmacies": choices,
        "pharmacies_total": total,
        "certified_count": sum(1 for choice in choices if choice["certified"]),
        "current": (
            {"id": current.id, "name": current.name, "state": _certification_words(current, today)}
            if current
            else None
        ),
        "today": today,
    }


PHARMACY_FORM = RecordForm(
    "pharmacy",
    "rems/form_pharmacy.html",
    PharmacyChoice,
    frozenset({"pharmacy_id"}),
    (),
    _staff_or_own_patient,
    patient_views.save_pharmacy_choice,
    lambda settings, now: {},
    extras=_pharmacy_choices,
)
"""Choosing the patient's pharmacy (`PUT /api/v1/patients/{id}/pharmacy`), at
`/patients/{id}/pharmacy`: a choice, not a new record."""


def _form_page(
    request: Request,
    spec: RecordForm,
    shown: dict[str, Any],
    principal: Principal,
    form: Form,
    status: int = 200,
) -> Response:
    context: dict[str, Any] = {
        **shown,
        "form": form,
        "is_patient": principal.role is Role.PATIENT,
        "max_moment": form.values.get("_max", ""),
    }
    return render(request, spec.template, context, status_code=status)


def _opened(
    spec: RecordForm,
    database: Database,
    principal: Principal,
    patient_id: str,
    kb: KnowledgeBase,
    today: dt.date,
) -> dict[str, Any]:
    """The access check of the form (its service's), and what the page shows of the patient."""
    with database.reading() as session:
        patient = spec.may_open(session, principal, patient_id)
        extras = spec.extras(FormExtrasContext(session, principal, patient, kb, today))
        return {"patient": patient_ref(patient), **extras}


def _spec(kind: str) -> RecordForm:
    spec = RECORD_FORMS.get(kind)
    if spec is None:
        from starlette.exceptions import HTTPException

        raise HTTPException(404, "no such page")
    return spec


FormKind = Annotated[
    str, Path(pattern="^(agreements|pregnancy-tests|counselling|surveys|insurance)$")
]


def _show_form(
    request: Request,
    spec: RecordForm,
    patient_id: str,
    principal: Principal,
    database: Database,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
    values: dict[str, str],
) -> Response:
    """The form with `values` (today's date or now filled in by `spec.defaults` before them),
    for a caller who may record it."""
    shown = _opened(spec, database, principal, patient_id, kb, settings.clinic_date(now))
    values = spec.defaults(settings, now) | values
    form = Form(values=values | {"_max": local_input(now, settings)})
    return _form_page(request, spec, shown, principal, form)


def _submit_form(
    request: Request,
    spec: RecordForm,
    patient_id: str,
    principal: Principal,
    values: dict[str, str],
    database: Database,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Response:
    """Record it through the service, or show the form again with every problem."""
    shown = _opened(spec, database, principal, patient_id, kb, settings.clinic_date(now))
    form = Form(values=values | {"_max": local_input(now, settings)})
    data: dict[str, Any] = {
        key: value for key, value in values.items() if key in spec.fields and value
    }
    for name in spec.moments:
        if name in data:
            data[name] = local_moment(data[name], settings)
    body = validated(spec.model, data, form, spec.fields)
    status = 422
    if body is not None:
        try:
            with database.transaction() as session:
                spec.save(session, principal, patient_id, body, settings=settings, kb=kb, now=now)
                return _record(patient_id, spec.slug)
        except WorkflowError as exc:
            status = refused(exc, form, spec.fields)
    if status != 422 or form.unmet:
        shown = _opened(spec, database, principal, patient_id, kb, settings.clinic_date(now))
    return _form_page(request, spec, shown, principal, form, status)


@router.get("/patients/{patient_id}/{kind}/new")
def record_form(
    request: Request,
    patient_id: PatientId,
    kind: FormKind,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
    respondent: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """An empty form (today's date or now filled in), for a caller who may record it."""
    values: dict[str, str] = {}
    if respondent in ("patient", "prescriber"):
        values["respondent"] = respondent
    if principal.role is Role.PATIENT:
        values["respondent"] = "patient"
    spec = _spec(kind)
    return _show_form(request, spec, patient_id, principal, database, settings, kb, now, values)


@router.post("/patients/{patient_id}/{kind}/new")
def record_submit(
    request: Request,
    patient_id: PatientId,
    kind: FormKind,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """Record it through the service, or show the form again with every problem."""
    spec = _spec(kind)
    return _submit_form(request, spec, patient_id, principal, values, database, settings, kb, now)


# ---------------------------------------------------------------- the pharmacy


@router.get("/patients/{patient_id}/pharmacy")
def pharmacy_form(
    request: Request,
    patient_id: PatientId,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """The pharmacies with their certification on the clinic's today, to choose the patient's
    (clinic staff of the patient, admin, or the patient; as `PUT .../pharmacy`)."""
    spec = PHARMACY_FORM
    return _show_form(request, spec, patient_id, principal, database, settings, kb, now, {})


@router.post("/patients/{patient_id}/pharmacy")
def pharmacy_submit(
    request: Request,
    patient_id: PatientId,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """Choose the pharmacy through the API's service function, or show why not."""
    spec = PHARMACY_FORM
    return _submit_form(request, spec, patient_id, principal, values, database, settings, kb, now)
