"""First-prescription readiness: the checklist that gets a patient's prescription into their
hands, each item with its status, date, owner and next step.

The REMS items (prescriber certified, enrolled with agreements, counselling, pregnancy tests,
the patient's and the prescriber's surveys) are the very checks the authorization runs
(`dispensing.requirements.prerequisites`), so readiness and authorization cannot disagree.
Insurance and the payer's prior authorization are on the checklist but do not stop an
authorization. Then the authorization, the chosen certified pharmacy and the dispense.

The checklist follows the patient's current prescription:
- `next`: no authorization yet, the last one expired unfilled, or the last fill is inside the
  refill window — every item is checked for a new prescription;
- `authorized`: an authorization valid today waits to be filled — the per-prescription items
  (pregnancy tests, surveys) were checked when it was issued and count as done;
- `filled`: the last authorization was dispensed and a new fill is not due yet.

`ready` is true when every item but the dispense itself is done or not applicable: everything
is in place for the pharmacy to fill the prescription (or it has been filled). `readiness`
is the clinical side: the assessment's readiness of the merged case (null when there is no
assessable case).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from lenaguard.assess import Assessment
from lenaguard.knowledge import KnowledgeBase
from lenaguard.rules.safety.rems import refill_allowed
from lenaguard.settings import Settings
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.models import Authorization, Dispense
from lenaguard.workflow.dispensing.requirements import Check, ItemStatus, Owner, prerequisites
from lenaguard.workflow.parties.models import Pharmacy
from lenaguard.workflow.parties.service import pharmacy_certified
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.patients.service import audit_read, visible_patient
from lenaguard.workflow.records.models import Insurance

__all__ = ["Cycle", "Readiness", "patient_readiness", "readiness_of"]

PER_PRESCRIPTION = ("pregnancy_tests", "patient_survey", "prescriber_survey")
"""Checked anew for each prescription; done while an authorization covers the patient."""


class Cycle(StrEnum):
    NEXT = "next"
    AUTHORIZED = "authorized"
    FILLED = "filled"


@dataclass(frozen=True)
class Readiness:
    """The checklist of one patient on one clinic date."""

    patient: Patient
    today: dt.date
    cycle: Cycle
    risk_category: str
    items: list[Check]
    ready: bool
    readiness: str | None
    assessment: Assessment | None
    authorization: Authorization | None
    """The latest authorization."""
    last_fill: Dispense | None


def _insurance_items(session: Session, patient: Patient, settings: Settings) -> list[Check]:
    latest = session.execute(
        select(Insurance)
        .where(Insurance.patient_id == patient.id)
        .order_by(Insurance.recorded_at.desc(), Insurance.id)
        .limit(1)
    ).scalar_one_or_none()
    if latest is None:
        return [
            Check(
                "insurance",
                ItemStatus.DUE,
                Owner.NURSE,
                None,
                "Document the patient's insurance: payer and member id.",
            ),
            Check(
                "prior_authorization",
                ItemStatus.BLOCKED,
                Owner.PAYER,
                None,
                "Waiting for the insurance to be documented.",
            ),
        ]
    recorded = settings.clinic_date(latest.recorded_at)
    insurance = Check(
        "insurance",
        ItemStatus.DONE,
        Owner.NURSE,
        recorded,
        f"Nothing to do: {latest.payer} documented.",
    )
    decision = latest.prior_authorization
    if decision == "approved":
        prior = Check(
            "prior_authorization",
            ItemStatus.DONE,
            Owner.PAYER,
            recorded,
            "Nothing to do: approved.",
        )
    elif decision == "not_required":
        prior = Check(
            "prior_authorization",
            ItemStatus.NOT_APPLICABLE,
            Owner.PAYER,
            recorded,
            "The payer requires no prior authorization.",
        )
    elif decision == "denied":
        prior = Check(
            "prior_authorization",
            ItemStatus.BLOCKED,
            Owner.PRESCRIBER,
            recorded,
            "The payer denied the prior authorization: appeal, or document other coverage.",
        )
    else:
        prior = Check(
            "prior_authorization",
            ItemStatus.DUE,
            Owner.PAYER,
            recorded,
            "Waiting for the payer's decision on the prior authorization.",
        )
    return [insurance, prior]


def _pharmacy_item(session: Session, patient: Patient, today: dt.date) -> Check:
    if patient.pharmacy_id is None:
        return Check(
            "pharmacy_chosen",
            ItemStatus.DUE,
            Owner.PATIENT,
            None,
            "Choose a REMS-certified specialty pharmacy.",
        )
    pharmacy = session.get(Pharmacy, patient.pharmacy_id)
    assert pharmacy is not None  # a foreign key
    if not pharmacy_certified(pharmacy, today):
        return Check(
            "pharmacy_chosen",
            ItemStatus.DUE,
            Owner.PATIENT,
            None,
            f"{pharmacy.name} is not REMS-certified on {today}: choose a certified pharmacy.",
        )
    return Check(
        "pharmacy_chosen",
        ItemStatus.DONE,
        Owner.PATIENT,
        None,
        f"Nothing to do: {pharmacy.name}.",
    )


def _cycle(
    latest: Authorization | None,
    latest_filled: bool,
    last_fill: Dispense | None,
    today: dt.date,
    kb: KnowledgeBase,
) -> Cycle:
    if latest is None:
        return Cycle.NEXT
    if not latest_filled:
        return Cycle.AUTHORIZED if today <= latest.expires_on else Cycle.NEXT
    assert last_fill is not None
    if refill_allowed(dispensing.days_remaining(last_fill, today), kb):
        return Cycle.NEXT
    return Cycle.FILLED


def _authorization_item(
    cycle: Cycle, latest: Authorization | None, before: list[Check], today: dt.date
) -> Check:
    if cycle is not Cycle.NEXT:
        assert latest is not None
        return Check(
            "authorization",
            ItemStatus.DONE,
            Owner.PRESCRIBER,
            latest.issued_on,
            f"Nothing to do: authorization {latest.number}, valid through {latest.expires_on}.",
        )
    waiting = [check.item.replace("_", " ") for check in before if not check.met]
    expired = (
        f" Authorization {latest.number} expired unfilled after {latest.expires_on}."
        if latest is not None and latest.expires_on < today
        else ""
    )
    if waiting:
        return Check(
            "authorization",
            ItemStatus.BLOCKED,
            Owner.PRESCRIBER,
            None,
            f"Waiting for: {', '.join(waiting)}.{expired}",
        )
    return Check(
        "authorization",
        ItemStatus.DUE,
        Owner.PRESCRIBER,
        today,
        f"Request the authorization (POST /api/v1/authorizations).{expired}",
    )


def _dispense_item(
    cycle: Cycle,
    latest: Authorization | None,
    last_fill: Dispense | None,
    pharmacy: Check,
    kb: KnowledgeBase,
) -> Check:
    if cycle is Cycle.FILLED:
        assert last_fill is not None
        return Check(
            "dispensed",
            ItemStatus.DONE,
            Owner.PHARMACIST,
            last_fill.dispensed_on,
            f"Nothing to do: the next fill may follow from "
            f"{dispensing.next_fill_from(last_fill, kb)}.",
        )
    if cycle is Cycle.AUTHORIZED:
        assert latest is not None
        if not pharmacy.met:
            return Check(
                "dispensed",
                ItemStatus.BLOCKED,
                Owner.PHARMACIST,
                None,
                "Waiting for a certified pharmacy to be chosen.",
            )
        return Check(
            "dispensed",
            ItemStatus.DUE,
            Owner.PHARMACIST,
            latest.expires_on,
            f"Confirm authorization {latest.number} and dispense by {latest.expires_on}.",
        )
    return Check(
        "dispensed",
        ItemStatus.BLOCKED,
        Owner.PHARMACIST,
        None,
        "Waiting for the authorization.",
    )


def readiness_of(
    session: Session,
    patient: Patient,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Readiness:
    """The checklist of a patient as of `now` (no access check, no audit: callers do both)."""
    today = settings.clinic_date(now)
    latest = dispensing.latest_authorization(session, patient.id)
    latest_fill = (
        None if latest is None else dispensing.dispense_of_authorization(session, latest.id)
    )
    last_fill = dispensing.latest_dispense(session, patient.id)
    cycle = _cycle(latest, latest_fill is not None, last_fill, today, kb)
    assessed = dispensing.assess_or_why_not(session, patient, today=today, settings=settings, kb=kb)
    facts = dispensing.prescription_facts(
        session,
        patient,
        settings=settings,
        kb=kb,
        now=now,
        since=None if latest is None else latest.issued_at,
        assessed=assessed,
    )
    checks = prerequisites(facts, kb)
    if cycle is not Cycle.NEXT:
        assert latest is not None
        checks = [
            replace(
                check,
                status=ItemStatus.DONE,
                date=latest.issued_on,
                next_step=f"Checked when authorization {latest.number} was issued.",
                unmet=(),
            )
            if check.item in PER_PRESCRIPTION and check.status is not ItemStatus.NOT_APPLICABLE
            else check
            for check in checks
        ]
    insurance = _insurance_items(session, patient, settings)
    authorization = _authorization_item(cycle, latest, checks, today)
    pharmacy = _pharmacy_item(session, patient, today)
    dispense = _dispense_item(cycle, latest, last_fill, pharmacy, kb)
    items = [*checks, *insurance, authorization, pharmacy, dispense]
    assessment = None if isinstance(assessed, list) else assessed
    return Readiness(
        patient=patient,
        today=today,
        cycle=cycle,
        risk_category=facts.category.category.value,
        items=items,
        ready=all(item.met for item in items if item.item != "dispensed"),
        readiness=None if assessment is None else assessment.readiness.value,
        assessment=assessment,
        authorization=latest,
        last_fill=last_fill,
    )


def patient_readiness(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Readiness:
    """The checklist of a patient the caller may see (audited read)."""
    patient = visible_patient(session, principal, patient_id)
    result = readiness_of(session, patient, settings=settings, kb=kb, now=now)
    audit_read(session, principal, patient, "readiness")
    return result
