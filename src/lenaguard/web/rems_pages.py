"""The REMS workflow pages' shared parts, and the worklist page.

The patient pages (`patients_pages`) and the authorization, confirmation and dispense pages
(`dispensing_pages`) read their forms the same way, through the helpers here:

- `form_fields`: the posted form as plain text values (the CSRF check has run in `PostedBy`);
- `Form`: what a form page shows again after a refusal — the values typed, each problem next
  to its field, the problems that concern no field, and every unmet REMS requirement;
- `validated`: the form checked by the REST API's own request model (so the pages accept
  exactly what the API accepts), its errors named by field;
- `refused`: a refused workflow step (`WorkflowError`) as that form state. A 403 is never
  turned into a form: it stays the error page that says nothing about whether the record exists.

`GET /worklist` lists, for the staff's patients, every item due or overdue, most urgent first
(`workflow.worklist.service.worklist`), grouped as overdue and due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from lenaguard.errors import AccessDenied, NotFound, WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.base import Citation
from lenaguard.knowledge.topics.sources import Bibliography
from lenaguard.settings import Settings
from lenaguard.web.auth import PageCaller, PageRoute, require_role
from lenaguard.web.templating import render
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.clock import Now
from lenaguard.workflow.dispensing.requirements import ItemStatus
from lenaguard.workflow.web import Config, Db, Kb
from lenaguard.workflow.worklist import service as worklist_service
from lenaguard.workflow.worklist.views import MAX_HORIZON_DAYS

__all__ = [
    "CLINIC_STAFF",
    "STAFF",
    "Form",
    "form_actions",
    "item_action",
    "PAGE_SIZE",
    "form_fields",
    "item_label",
    "local_moment",
    "refused",
    "router",
    "source_words",
    "validated",
]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

CLINIC_STAFF = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE)
STAFF = (*CLINIC_STAFF, Role.PHARMACIST)
PAGE_SIZE = 25
MAX_FIELD_CHARS = 2000

ITEM_LABELS = {
    "prescriber_certified": "Prescriber certified",
    "patient_enrolled": "Patient enrolled, agreement signed",
    "counselling": "Counselling",
    "pregnancy_tests": "Pregnancy tests",
    "pregnancy_test": "Pregnancy test",
    "patient_survey": "Patient survey",
    "prescriber_survey": "Prescriber survey",
    "insurance": "Insurance",
    "prior_authorization": "Prior authorization (payer)",
    "authorization": "REMS authorization",
    "authorization_expiring": "Authorization expiring",
    "pharmacy_chosen": "Pharmacy chosen",
    "dispensed": "Dispensed",
    "refill": "Next fill",
    "cbc": "Blood count (CBC)",
    "anti_hbc": "Hepatitis B core antibody (anti-HBc)",
    "anti_hbs": "Hepatitis B surface antibody (anti-HBs)",
    "hbsag": "Hepatitis B surface antigen (HBsAg)",
    "tsh": "Thyroid function (TSH)",
    "liver_enzymes": "Liver enzymes",
}
"""Names for the checklist and worklist items (other items: the code with spaces)."""


def item_label(item: str) -> str:
    """A checklist or worklist item's name in words."""
    return ITEM_LABELS.get(item) or item.replace("_", " ").capitalize()


def source_words(kb: KnowledgeBase, citations: list[Citation]) -> str:
    """Citations as "source section; …", the source by its short name."""
    names = {source.id: source.short or source.title for source in kb.get(Bibliography).sources}
    return "; ".join(f"{names.get(c.source, c.source)} {c.section}".strip() for c in citations)


def form_actions(
    principal: Principal,
    patient_id: str,
) -> dict[str, str]:
    """The forms this caller may open for a visible patient: name -> address. (Which role may
    do what is the service's rule; this only decides which links to show.)"""
    base = f"/patients/{patient_id}"
    links: dict[str, str] = {}
    if principal.role in CLINIC_STAFF:
        links |= {
            "agreements": f"{base}/agreements/new",
            "counselling": f"{base}/counselling/new",
            "pregnancy-tests": f"{base}/pregnancy-tests/new",
            "surveys": f"{base}/surveys/new",
            "insurance": f"{base}/insurance/new",
        }
    if principal.role is Role.PATIENT:
        links["surveys"] = f"{base}/surveys/new"
    if principal.role in CLINIC_STAFF or principal.role is Role.PATIENT:
        links["pharmacy"] = f"{base}/pharmacy"
    if principal.role in (Role.PRESCRIBER, Role.NURSE):
        links["authorization"] = f"{base}/authorizations/new"
    return links


ITEM_FORMS = {
    "patient_enrolled": "agreements",
    "counselling": "counselling",
    "pregnancy_tests": "pregnancy-tests",
    "pregnancy_test": "pregnancy-tests",
    "patient_survey": "surveys",
    "prescriber_survey": "surveys",
    "insurance": "insurance",
    "prior_authorization": "insurance",
    "authorization": "authorization",
    "refill": "authorization",
    "pharmacy_chosen": "pharmacy",
}
"""Which form acts on a checklist or worklist item."""


def item_action(principal: Principal, patient_id: str, item: str) -> str | None:
    """The form that acts on `item`, if the caller may open it."""
    links = form_actions(principal, patient_id)
    target = links.get(ITEM_FORMS.get(item, ""))
    if target and item in ("patient_survey", "prescriber_survey"):
        target += "?" + urlencode({"respondent": item.removesuffix("_survey")})
    if item in ("authorization_expiring", "dispensed") and principal.role is Role.PHARMACIST:
        target = f"/patients/{patient_id}#authorizations"
    return target


# ---------------------------------------------------------------- forms


async def _form_fields(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key: value.strip()[:MAX_FIELD_CHARS]
        for key, value in form.multi_items()
        if isinstance(value, str) and key != "csrf_token"
    }


FormFields = Annotated[dict[str, str], Depends(_form_fields)]
form_fields = _form_fields


@dataclass
class Form:
    """A form's state: the values to show, the problems by field, the rest, the unmet codes."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    unmet: list[dict[str, str]] = field(default_factory=list)
    title: str | None = None

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.general or self.unmet)

    def add(self, name: str, message: str, fields: set[str] | frozenset[str]) -> None:
        if name in fields:
            self.errors.setdefault(name, []).append(message)
        elif name in ("", "(request)", "(case)"):
            self.general.append(message)
        else:
            self.general.append(f"{name}: {message}")


def validated(
    model: type[BaseModel], data: dict[str, Any], form: Form, fields: set[str] | frozenset[str]
) -> BaseModel | None:
    """`data` checked by the API's request model, or None with each error added to `form`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            location = [str(part) for part in error.get("loc", ())]
            name = location[0] if location else ""
            form.add(name, str(error.get("msg", "invalid")), fields)
        return None


def refused(exc: WorkflowError, form: Form, fields: set[str] | frozenset[str]) -> int:
    """Put a refused step's problems and unmet requirements into `form`; the HTTP status to
    answer. A 403 or 404 is raised again (the error page, never a form)."""
    if isinstance(exc, AccessDenied | NotFound):
        raise exc
    form.title = exc.title
    for problem in exc.problems:
        if problem.field == "(request)" and exc.unmet:
            continue  # "n requirements unmet": the list below says which
        form.add(problem.field, problem.message, fields)
    form.unmet = list(exc.unmet)
    return exc.status


def local_moment(value: str, settings: Settings) -> str | None:
    """A `datetime-local` form value (the clinic's wall clock) as an ISO moment with its UTC
    offset, for the API's models; None when empty, the text itself when it is not a date-time
    (the model then names the field)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=settings.timezone)
    return moment.isoformat()


def local_input(moment: dt.datetime, settings: Settings) -> str:
    """A moment as a `datetime-local` value on the clinic's wall clock (minutes)."""
    return moment.astimezone(settings.timezone).strftime("%Y-%m-%dT%H:%M")


def local_words(moment: dt.datetime | None, settings: Settings) -> str:
    """A moment as the clinic's date and time, e.g. 2026-05-04 09:30 EDT."""
    if moment is None:
        return ""
    return moment.astimezone(settings.timezone).strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------- the worklist


@router.get("/worklist")
def worklist_page(
    request: Request,
    principal: PageCaller,
    database: Db,
    settings: Config,
    kb: Kb,
    now: Now,
    within_days: Annotated[int, Query(ge=0, le=MAX_HORIZON_DAYS)] = 7,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Everything due or overdue for the caller's patients (staff only), most urgent first."""
    require_role(principal, *STAFF)
    with database.transaction() as session:
        items, total = worklist_service.worklist(
            session,
            principal,
            settings=settings,
            kb=kb,
            now=now,
            within_days=within_days,
            limit=PAGE_SIZE * 4,
            offset=offset,
        )
    shown = offset + len(items)
    groups = [
        ("Overdue", [item for item in items if item.status is ItemStatus.OVERDUE]),
        ("Due", [item for item in items if item.status is not ItemStatus.OVERDUE]),
    ]
    return render(
        request,
        "rems/worklist.html",
        {
            "groups": groups,
            "total": total,
            "offset": offset,
            "shown": shown,
            "today": settings.clinic_date(now),
            "within_days": within_days,
            "horizons": (0, 7, 14, 30, MAX_HORIZON_DAYS),
            "item_label": item_label,
            "action": lambda work: item_action(principal, work.patient_id, work.item),
            "next_page": (
                "/worklist?" + urlencode({"within_days": within_days, "offset": shown})
                if shown < total
                else None
            ),
            "is_pharmacist": principal.role is Role.PHARMACIST,
        },
    )
