"""Certified prescribers and pharmacies: create them, change their certification dates, read them.

Only an admin creates parties or changes a certification; a prescriber (and a nurse acting for
them) may read that prescriber, a pharmacist their own pharmacy. `prescriber_certified` and
`pharmacy_certified` are the one place the workflow asks "certified on this clinic date?".
Every write is audited on the `system` chain, in the writer's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lenaguard.errors import AccessDenied, NotFound, WorkflowError
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import SYSTEM_CHAIN, record
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber

__all__ = [
    "NOT_YOURS",
    "OPERATOR",
    "certification_problems",
    "create_pharmacy",
    "create_prescriber",
    "get_pharmacy",
    "get_prescriber",
    "list_pharmacies",
    "list_prescribers",
    "pharmacy_certified",
    "pharmacy_snapshot",
    "prescriber_certified",
    "prescriber_snapshot",
    "set_certification",
]

NOT_YOURS = "no such record, or not yours"
"""The one message for a record the caller may not see and a record that does not exist."""

OPERATOR = "operator"
"""The audit role of changes made on the command line (no user behind them)."""


def _certified(certified_on: dt.date | None, expires_on: dt.date | None, on: dt.date) -> bool:
    if certified_on is None or certified_on > on:
        return False
    return expires_on is None or on <= expires_on


def prescriber_certified(prescriber: Prescriber, on: dt.date) -> bool:
    """Whether the prescriber's REMS certification covers the clinic date `on` (both ends
    included; no expiry date recorded means it has not expired)."""
    return _certified(prescriber.certified_on, prescriber.certification_expires_on, on)


def pharmacy_certified(pharmacy: Pharmacy, on: dt.date) -> bool:
    """Whether the pharmacy's REMS certification covers the clinic date `on`."""
    return _certified(pharmacy.certified_on, pharmacy.certification_expires_on, on)


def certification_problems(
    certified_on: dt.date | None, expires_on: dt.date | None
) -> list[tuple[str, str]]:
    """(field, message) for dates that cannot describe a certification."""
    if expires_on is not None and certified_on is None:
        return [("certified_on", "required when certification_expires_on is given")]
    if certified_on is not None and expires_on is not None and expires_on < certified_on:
        return [("certification_expires_on", f"before certified_on ({certified_on})")]
    return []


def prescriber_snapshot(prescriber: Prescriber) -> dict[str, Any]:
    """The stored prescriber as plain values (audit before/after)."""
    return {
        "id": prescriber.id,
        "name": prescriber.name,
        "npi": prescriber.npi,
        "certified_on": prescriber.certified_on,
        "certification_expires_on": prescriber.certification_expires_on,
    }


def pharmacy_snapshot(pharmacy: Pharmacy) -> dict[str, Any]:
    return {
        "id": pharmacy.id,
        "name": pharmacy.name,
        "certified_on": pharmacy.certified_on,
        "certification_expires_on": pharmacy.certification_expires_on,
    }


def _require_admin(principal: Principal | None) -> None:
    if principal is not None and principal.role is not Role.ADMIN:
        raise AccessDenied("only an admin may create parties or change a certification")


def _actor(principal: Principal | None) -> tuple[str | None, str]:
    return (None, OPERATOR) if principal is None else (principal.user_id, principal.role.value)


def _check_new(kind: str, name: str, certified_on, certification_expires_on) -> None:
    problems = certification_problems(certified_on, certification_expires_on)
    if not name.strip():
        problems.insert(0, ("name", "must not be empty"))
    if problems:
        raise WorkflowError(problems, title=f"cannot create the {kind}")


def _store_new(session: Session, principal: Principal | None, party, entity: str, snapshot):
    """Add a new party and audit its creation on the system chain, in one transaction."""
    session.add(party)
    session.flush()
    actor_id, actor_role = _actor(principal)
    record(
        session,
        chain=SYSTEM_CHAIN,
        actor_id=actor_id,
        actor_role=actor_role,
        action="create",
        entity=entity,
        entity_id=party.id,
        after=snapshot(party),
    )
    return party


def create_prescriber(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    npi: str | None = None,
    certified_on: dt.date | None = None,
    certification_expires_on: dt.date | None = None,
) -> Prescriber:
    """A new prescriber (admin; `principal=None` is the command line)."""
    _require_admin(principal)
    _check_new("prescriber", name, certified_on, certification_expires_on)
    prescriber = Prescriber(
        id=new_id("prs"),
        name=name.strip(),
        npi=npi,
        certified_on=certified_on,
        certification_expires_on=certification_expires_on,
    )
    return _store_new(session, principal, prescriber, "prescriber", prescriber_snapshot)


def create_pharmacy(
    session: Session,
    principal: Principal | None,
    *,
    name: str,
    certified_on: dt.date | None = None,
    certification_expires_on: dt.date | None = None,
) -> Pharmacy:
    """A new pharmacy (admin; `principal=None` is the command line)."""
    _require_admin(principal)
    _check_new("pharmacy", name, certified_on, certification_expires_on)
    pharmacy = Pharmacy(
        id=new_id("phm"),
        name=name.strip(),
        certified_on=certified_on,
        certification_expires_on=certification_expires_on,
    )
    return _store_new(session, principal, pharmacy, "pharmacy", pharmacy_snapshot)


def _may_see_prescriber(principal: Principal, prescriber_id: str) -> bool:
    return principal.may_act_for_prescriber(prescriber_id)


def _may_see_pharmacy(principal: Principal, pharmacy_id: str) -> bool:
    """Admins and clinic staff (who choose a patient's pharmacy) see every pharmacy; a
    pharmacist only their own; a patient every pharmacy (to choose one)."""
    if principal.role is Role.PHARMACIST:
        return principal.pharmacy_id == pharmacy_id
    return True


def get_prescriber(session: Session, principal: Principal, prescriber_id: str) -> Prescriber:
    """The prescriber, if the caller may see it: admin, the prescriber, their nurse."""
    if not _may_see_prescriber(principal, prescriber_id):
        raise AccessDenied(NOT_YOURS)
    prescriber = session.get(Prescriber, prescriber_id)
    if prescriber is None:
        raise NotFound(NOT_YOURS) if principal.role is Role.ADMIN else AccessDenied(NOT_YOURS)
    return prescriber


def get_pharmacy(session: Session, principal: Principal, pharmacy_id: str) -> Pharmacy:
    """The pharmacy, if the caller may see it (a pharmacist: only their own)."""
    if not _may_see_pharmacy(principal, pharmacy_id):
        raise AccessDenied(NOT_YOURS)
    pharmacy = session.get(Pharmacy, pharmacy_id)
    if pharmacy is None:
        raise NotFound(NOT_YOURS) if principal.role is Role.ADMIN else AccessDenied(NOT_YOURS)
    return pharmacy


def list_prescribers(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Prescriber], int]:
    """(one page, total) of the prescribers the caller may see, by name."""
    query = select(Prescriber)
    if principal.role is not Role.ADMIN:
        query = query.where(Prescriber.id.in_(sorted(principal.acting_for)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Prescriber.name, Prescriber.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def list_pharmacies(
    session: Session, principal: Principal, *, limit: int, offset: int
) -> tuple[list[Pharmacy], int]:
    """(one page, total) of the pharmacies the caller may see, by name."""
    query = select(Pharmacy)
    if principal.role is Role.PHARMACIST:
        query = query.where(Pharmacy.id == principal.pharmacy_id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Pharmacy.name, Pharmacy.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def set_certification(
    session: Session,
    principal: Principal,
    party: Prescriber | Pharmacy,
    *,
    certified_on: dt.date | None,
    certification_expires_on: dt.date | None,
) -> None:
    """Record new certification dates for a prescriber or pharmacy (admin), audited."""
    _require_admin(principal)
    problems = certification_problems(certified_on, certification_expires_on)
    if problems:
        raise WorkflowError(problems, title="invalid certification dates")
    snapshot = prescriber_snapshot if isinstance(party, Prescriber) else pharmacy_snapshot
    before = snapshot(party)  # type: ignore[arg-type]
    party.certified_on = certified_on
    party.certification_expires_on = certification_expires_on
    session.flush()
    record(
        session,
        chain=SYSTEM_CHAIN,
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action="certify",
        entity="prescriber" if isinstance(party, Prescriber) else "pharmacy",
        entity_id=party.id,
        before=before,
        after=snapshot(party),  # type: ignore[arg-type]
    )
