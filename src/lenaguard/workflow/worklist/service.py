"""The worklist: for the caller's patients, every item due or overdue, most urgent first.

Whose patients: a prescriber's (or their nurse's prescribers'), a pharmacist's pharmacy's, a
patient's own record, an admin's all. For each patient it gathers
- the readiness checklist's items that are due or overdue (pregnancy tests and surveys before
  the next prescription, agreements, counselling, insurance, the authorization, the pharmacy),
  and the next periodic survey once its date is within the horizon;
- `authorization_expiring`: an authorization waiting to be filled that expires within the
  horizon (the pharmacy's item);
- `refill`: a new prescription and fill once the refill window of the last fill opens
  (overdue once its supply has run out);
- the assessment's monitoring (`monitoring` and every finding's `tests_due`: CBCs, pregnancy
  tests on treatment, liver and thyroid tests, …) due within the horizon.

Items dated after today + `within_days` are left out. Order: overdue first, then by date, then
patient name. The read is audited with the patient ids on the page, on the reader's own chain
(`user:<id>`, as patient listings are), so worklists of different users never queue behind one
chain head.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import chain_for_user, record
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.requirements import ItemStatus, Owner
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.readiness.service import Cycle, Readiness, readiness_of

__all__ = ["WorkItem", "worklist"]

PREGNANCY_TEST = "pregnancy_test"


@dataclass(frozen=True)
class WorkItem:
    patient_id: str
    patient_name: str
    item: str
    source: str  # rems | monitoring
    status: ItemStatus
    due: dt.date
    owner: Owner
    next_step: str


def _patients(session: Session, principal: Principal) -> list[Patient]:
    query = select(Patient)
    if principal.role in (Role.PRESCRIBER, Role.NURSE):
        query = query.where(Patient.prescriber_id.in_(sorted(principal.acting_for)))
    elif principal.role is Role.PHARMACIST:
        query = query.where(Patient.pharmacy_id == principal.pharmacy_id)
    elif principal.role is Role.PATIENT:
        query = query.where(Patient.id == principal.patient_id)
    elif principal.role is not Role.ADMIN:
        return []
    return list(session.execute(query.order_by(Patient.name, Patient.id)).scalars())


def _status(due: dt.date, today: dt.date) -> ItemStatus:
    return ItemStatus.OVERDUE if due < today else ItemStatus.DUE


def _items_of(state: Readiness, kb: KnowledgeBase, horizon: dt.date) -> list[WorkItem]:
    patient, today = state.patient, state.today

    def item(name, source, status, due, owner, step) -> WorkItem:
        return WorkItem(patient.id, patient.name, name, source, status, due, owner, step)

    found: list[WorkItem] = []
    rems_pregnancy_due = False
    for check in state.items:
        if check.status is ItemStatus.DONE and check.next_due is not None:
            found.append(
                item(
                    check.item,
                    "rems",
                    ItemStatus.DUE,
                    check.next_due,
                    check.owner,
                    f"Due on {check.next_due}.",
                )
            )
        if check.item == "dispensed" or check.status not in (ItemStatus.DUE, ItemStatus.OVERDUE):
            continue
        rems_pregnancy_due = rems_pregnancy_due or check.item == "pregnancy_tests"
        found.append(
            item(
                check.item, "rems", check.status, check.date or today, check.owner, check.next_step
            )
        )
    latest, fill = state.authorization, state.last_fill
    if state.cycle is Cycle.AUTHORIZED and latest is not None:
        found.append(
            item(
                "authorization_expiring",
                "rems",
                ItemStatus.DUE,
                latest.expires_on,
                Owner.PHARMACIST,
                f"Authorization {latest.number} expires after {latest.expires_on}: confirm and "
                "dispense before then.",
            )
        )
    if fill is not None and state.cycle is not Cycle.AUTHORIZED:
        opens = dispensing.next_fill_from(fill, kb)
        runs_out = fill.dispensed_on + dt.timedelta(days=fill.days_supply)
        found.append(
            item(
                "refill",
                "rems",
                ItemStatus.OVERDUE if today >= runs_out else ItemStatus.DUE,
                opens,
                Owner.PRESCRIBER,
                f"A new prescription and fill may follow from {opens}; the supply of "
                f"{fill.dispensed_on} lasts until {runs_out - dt.timedelta(days=1)}.",
            )
        )
    if state.assessment is not None:
        tests: dict[str, tuple[dt.date, str]] = {}
        for monitoring in state.assessment.monitoring:
            tests[monitoring.test] = min(
                tests.get(monitoring.test, (monitoring.due, monitoring.reason)),
                (monitoring.due, monitoring.reason),
            )
        for finding in state.assessment.findings:
            for due in finding.tests_due:
                tests[due.test] = min(
                    tests.get(due.test, (due.by, finding.summary)), (due.by, finding.summary)
                )
        for test, (due, reason) in sorted(tests.items()):
            if test == PREGNANCY_TEST and rems_pregnancy_due:
                continue  # the REMS item above already asks for it
            owner = Owner.PRESCRIBER if test == PREGNANCY_TEST else Owner.NURSE
            found.append(item(test, "monitoring", _status(due, today), due, owner, reason))
    return [work for work in found if work.due <= horizon]


def worklist(
    session: Session,
    principal: Principal,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
    within_days: int,
    limit: int,
    offset: int,
) -> tuple[list[WorkItem], int]:
    """(one page, total) of the caller's work items, most urgent first."""
    today = settings.clinic_date(now)
    horizon = today + dt.timedelta(days=within_days)
    items: list[WorkItem] = []
    for patient in _patients(session, principal):
        state = readiness_of(session, patient, settings=settings, kb=kb, now=now)
        items += _items_of(state, kb, horizon)
    items.sort(key=lambda w: (w.status is not ItemStatus.OVERDUE, w.due, w.patient_name, w.item))
    page = items[offset : offset + limit]
    if page:
        record(
            session,
            chain=chain_for_user(principal.user_id),
            actor_id=principal.user_id,
            actor_role=principal.role.value,
            action="read",
            entity="worklist",
            entity_id=principal.user_id,
            after={"patient_ids": sorted({work.patient_id for work in page})},
        )
    return page, len(items)
