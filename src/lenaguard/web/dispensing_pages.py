"""The REMS authorization form, and the pharmacist's confirmation and dispense pages.

- `/patients/{id}/authorizations/new` (the patient's prescriber or their nurse): the
  prescription; `issue_authorization` either issues a number (back to the record) or refuses,
  and the form lists every unmet REMS requirement with its code and sentence.
- `/confirmations/new` (pharmacists): an authorization number to confirm; the confirmation
  page then shows the dispense deadline and a dispense form filled in from the authorization
  (capsule strength, capsules, days of supply), which `record_dispense` checks.

The pages call the services the REST API calls (`workflow.dispensing.service`), with the API's
own request models, so every rule is the workflow's.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from lenaguard.errors import WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.web.auth import PageCaller, PageRoute, PostedBy, require_role
from lenaguard.web.patients_pages import patient_ref
from lenaguard.web.rems_pages import Form, FormFields, local_words, refused, validated
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.views import (
    AuthorizationRequest,
    DispenseRequest,
    save_authorization,
)
from lenaguard.workflow.patients import service as patients
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.web import Config, Db, Kb

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PatientId = Annotated[str, Path(max_length=40)]
Number = Annotated[str, Path(max_length=20, pattern=r"^[0-9]+$")]

AUTHORIZATION_FIELDS = frozenset(
    {"indication", "dose_mg", "days_supply", "days_on", "days_on_first", "days_on_last"}
)
CONFIRM_FIELDS = frozenset({"number"})
DISPENSE_FIELDS = frozenset({"capsule_strength_mg", "quantity", "days_supply"})


# ---------------------------------------------------------------- the authorization


def _prescription_choices(kb: KnowledgeBase) -> dict[str, Any]:
    indications = kb.get(IndicationsKnowledge)
    return {
        "indications": [
            {
                "key": key.value,
                "name": entry.name,
                "dose_mg": entry.dose_mg,
                "days_on": entry.schedule.days_on,
                "cycle_days": entry.schedule.cycle_days,
            }
            for key, entry in indications.indications.items()
        ],
        "indication_options": [
            (key.value, entry.name) for key, entry in indications.indications.items()
        ],
        "strength_options": [
            (f"{value:g}", f"{value:g} mg") for value in indications.capsule_strengths_mg.values
        ],
        "max_days_supply": kb.get(RemsKnowledge).prescription_limits.max_days_supply,
    }


def _case_indication(session: Session, patient: Patient, settings, today: dt.date) -> str:
    """The indication of the patient's stored case, to start the form with ('' without)."""
    try:
        case = patients.merged_case(session, patient, as_of=today, settings=settings)
    except WorkflowError:
        return ""
    value = case.get("indication")
    return value if isinstance(value, str) else ""


def _authorization_page(
    request: Request, patient: Any, form: Form, kb: KnowledgeBase, status: int = 200
) -> Response:
    return render(
        request,
        "rems/authorization.html",
        {"patient": patient, "form": form, **_prescription_choices(kb)},
        status_code=status,
    )


@router.get("/patients/{patient_id}/authorizations/new")
def authorization_form(
    request: Request,
    patient_id: PatientId,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """The prescription to authorize (the patient's prescriber or their nurse)."""
    with database.reading() as session:
        found = dispensing.authorizing_patient(session, principal, patient_id)
        indication = _case_indication(session, found, settings, settings.clinic_date(now))
        patient = patient_ref(found)
    values = {"indication": indication}
    if indication:
        entry = kb.get(IndicationsKnowledge).indications.get(indication)  # type: ignore[call-overload]
        if entry is not None:
            values["dose_mg"] = f"{entry.dose_mg:g}"
    return _authorization_page(request, patient, Form(values=values), kb)


def _authorization_data(values: dict[str, str], patient_id: str) -> dict[str, Any]:
    data: dict[str, Any] = {"patient_id": patient_id}
    for key in ("indication", "dose_mg", "days_supply"):
        if values.get(key):
            data[key] = values[key]
    first, last = values.get("days_on_first", ""), values.get("days_on_last", "")
    if first or last:
        data["days_on"] = [first or None, last or None]
    return data


@router.post("/patients/{patient_id}/authorizations/new")
def authorization_submit(
    request: Request,
    patient_id: PatientId,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """Issue the authorization, or show every unmet requirement (nothing is stored)."""
    with database.reading() as session:
        patient = patient_ref(dispensing.authorizing_patient(session, principal, patient_id))
    form = Form(values=values)
    body = validated(
        AuthorizationRequest, _authorization_data(values, patient_id), form, AUTHORIZATION_FIELDS
    )
    status = 422
    if isinstance(body, AuthorizationRequest):
        try:
            with database.transaction() as session:
                save_authorization(session, principal, body, settings=settings, kb=kb, now=now)
            return RedirectResponse(f"/patients/{patient_id}?saved=authorization", 303)
        except WorkflowError as exc:
            status = refused(exc, form, AUTHORIZATION_FIELDS)
    if "days_on" in form.errors:
        form.errors.setdefault("days_on_first", []).extend(form.errors.pop("days_on"))
    return _authorization_page(request, patient, form, kb, status)


# ---------------------------------------------------------------- confirmation and dispense


def _pharmacist(principal: Principal) -> None:
    require_role(principal, Role.PHARMACIST)


@router.get("/confirmations/new")
def confirm_form(request: Request, principal: PageCaller) -> Response:
    """The authorization number to confirm (pharmacists)."""
    _pharmacist(principal)
    return render(request, "rems/confirm.html", {"form": Form()})


@router.post("/confirmations/new")
def confirm_submit(
    request: Request,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """Confirm the authorization; its page then offers the dispense. A refusal is shown with
    its reasons; another pharmacy's number gets the same 403 as an unknown one."""
    _pharmacist(principal)
    form = Form(values=values)
    number = values.get("number", "").replace(" ", "")
    if not number.isdigit() or len(number) > 20:
        form.add("number", "enter the authorization number: digits only", CONFIRM_FIELDS)
        return render(request, "rems/confirm.html", {"form": form}, status_code=422)
    try:
        with database.transaction() as session:
            confirmation, _authorization = dispensing.confirm_authorization(
                session, principal, number, settings=settings, kb=kb, now=now
            )
            target = f"/confirmations/{confirmation.number}"
        return RedirectResponse(target, status_code=303)
    except WorkflowError as exc:
        status = refused(exc, form, CONFIRM_FIELDS)
    return render(request, "rems/confirm.html", {"form": form}, status_code=status)


def _dispense_page(
    request: Request,
    database,
    principal: Principal,
    number: str,
    form: Form | None,
    settings,
    kb: KnowledgeBase,
    now: dt.datetime,
    status: int = 200,
) -> Response:
    with database.transaction() as session:
        confirmation, authorization, dispense = dispensing.read_confirmation(
            session, principal, number
        )
        found = session.get(Patient, authorization.patient_id)
        assert found is not None  # a foreign key
        patient = patient_ref(found)
        capsules = dispensing.dosing_days(
            authorization.days_supply,
            authorization.first_day,
            authorization.last_day,
            authorization.cycle_days,
        )
    if form is None:
        form = Form(
            values={
                "capsule_strength_mg": f"{authorization.dose_mg:g}",
                "quantity": str(capsules),
                "days_supply": str(authorization.days_supply),
            }
        )
    indication = kb.get(IndicationsKnowledge).indications.get(authorization.indication)  # type: ignore[call-overload]
    return render(
        request,
        "rems/dispense.html",
        {
            "confirmation": confirmation,
            "authorization": authorization,
            "indication_name": indication.name if indication else authorization.indication,
            "capsules": capsules,
            "dispense": dispense,
            "patient": patient,
            "expired": now > confirmation.expires_at,
            "deadline": local_words(confirmation.expires_at, settings),
            "confirmed_at": local_words(confirmation.confirmed_at, settings),
            "dispensed_at": local_words(dispense.dispensed_at if dispense else None, settings),
            "form": form,
        },
        status_code=status,
    )


@router.get("/confirmations/{number}")
def confirmation_page(
    request: Request,
    number: Number,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """The confirmation (the pharmacist's own pharmacy's) and its dispense form."""
    _pharmacist(principal)
    return _dispense_page(request, database, principal, number, None, settings, kb, now)


@router.post("/confirmations/{number}/dispense")
def dispense_submit(
    request: Request,
    number: Number,
    principal: PostedBy,
    values: FormFields,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
) -> Response:
    """Record the dispense, or show the confirmation again with every reason it was refused."""
    _pharmacist(principal)
    form = Form(values=values)
    data: dict[str, Any] = {"confirmation_number": number}
    data |= {key: values[key] for key in DISPENSE_FIELDS if values.get(key)}
    body = validated(DispenseRequest, data, form, DISPENSE_FIELDS)
    status = 422
    if isinstance(body, DispenseRequest):
        try:
            with database.transaction() as session:
                dispense, _confirmation, _authorization = dispensing.record_dispense(
                    session,
                    principal,
                    confirmation_number=number,
                    capsule_strength_mg=body.capsule_strength_mg,
                    quantity=body.quantity,
                    days_supply=body.days_supply,
                    settings=settings,
                    kb=kb,
                    now=now,
                )
                target = f"/patients/{dispense.patient_id}?saved=dispensed"
            return RedirectResponse(target, status_code=303)
        except WorkflowError as exc:
            status = refused(exc, form, DISPENSE_FIELDS | {"confirmation_number"})
    return _dispense_page(request, database, principal, number, form, settings, kb, now, status)
