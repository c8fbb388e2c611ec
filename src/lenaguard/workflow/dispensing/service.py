"""Prescription authorizations, pharmacy confirmations and dispenses (the REMS steps from a
prescription to a fill), and the lists of a patient's authorizations and dispenses.

- `issue_authorization`: the patient's prescriber (or their nurse) asks; every REMS requirement
  is checked (`requirements.prerequisites` plus `check_prescription`) and either a unique random
  number is issued, with the risk category and the expiry of `authorization_expires`, or a 422
  lists every unmet requirement. Nothing is stored on a refusal.
- `confirm_authorization`: a pharmacist of a certified pharmacy (the patient's chosen one, if
  set) gets a confirmation number, valid until `dispense_deadline` (exact time).
- `record_dispense`: the confirmation's own pharmacy dispenses once.
  Confirmation and dispense are both refused (409) once a female of reproductive potential's
  latest pregnancy test is positive. A foreign confirmation gets
  the same 403 as an unknown number; an expired or used one of the caller's pharmacy a 409 with
  the reason. Quantity, capsule strength and supply are checked against the authorization; a new
  fill waits until `refill_allowed`. The unique keys on dispenses make "exactly once" the
  database's promise under concurrency, and their IntegrityError becomes the same 409.

Date windows count in the clinic's dates (`settings.clinic_date`), the 24-hour window in exact
time. Every write is audited on the patient's chain in the same transaction; every list is an
audited read.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lenaguard.assess import Assessment
from lenaguard.errors import AccessDenied, CaseError, Conflict, WorkflowError
from lenaguard.knowledge import KnowledgeBase
from lenaguard.knowledge.topics.indications import IndicationsKnowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import (
    RemsRiskCategory,
    authorization_expires,
    check_prescription,
    dispense_deadline,
    refill_allowed,
    requires_pregnancy_tests,
)
from lenaguard.settings import Settings
from lenaguard.vocab import Category, Indication
from lenaguard.workflow.accounts.models import Role
from lenaguard.workflow.accounts.service import Principal
from lenaguard.workflow.audit.service import chain_for_patient, record
from lenaguard.workflow.dispensing.models import Authorization, Confirmation, Dispense
from lenaguard.workflow.dispensing.requirements import (
    PrescriptionFacts,
    TestRecord,
    prerequisites,
    unmet_of,
)
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.parties.service import NOT_YOURS, pharmacy_certified, prescriber_certified
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.patients.service import (
    assess_patient,
    audit_read,
    risk_category,
    visible_patient,
)
from lenaguard.workflow.records.models import Counselling, PregnancyTest, Survey

__all__ = [
    "AUTHORIZATION_DIGITS",
    "CONFIRMATION_DIGITS",
    "assess_or_why_not",
    "authorization_status",
    "authorizing_patient",
    "confirm_authorization",
    "dispense_of_authorization",
    "dispense_of_confirmation",
    "days_remaining",
    "dosing_days",
    "issue_authorization",
    "latest_authorization",
    "latest_dispense",
    "list_authorizations",
    "list_confirmations",
    "list_dispenses",
    "next_fill_from",
    "prescription_facts",
    "read_confirmation",
    "record_dispense",
]

AUTHORIZATION_DIGITS = 10
CONFIRMATION_DIGITS = 12
NUMBER_ATTEMPTS = 8
"""Fresh random numbers tried before giving up on a (vanishingly unlikely) run of clashes."""


def _random_number(digits: int) -> str:
    """A random number of exactly `digits` digits (no leading zero)."""
    low = 10 ** (digits - 1)
    return str(low + secrets.randbelow(9 * low))


new_number: Callable[[int], str] = _random_number
"""The number source (a module attribute, so a test can force clashes)."""


# ---------------------------------------------------------------- pure helpers


def dosing_days(days_supply: int, first_day: int, last_day: int, cycle_days: int) -> int:
    """Dosing days in a supply that starts on day 1 of a cycle of `cycle_days` days, dosing on
    days first..last of each cycle: one capsule of the dose's strength per dosing day."""
    return sum(1 for day in range(days_supply) if first_day <= day % cycle_days + 1 <= last_day)


def days_remaining(dispense: Dispense, today: dt.date) -> int:
    """Days of a fill's supply left on a clinic date (the dispense date is the supply's first)."""
    return dispense.days_supply - (today - dispense.dispensed_on).days


def next_fill_from(dispense: Dispense, kb: KnowledgeBase) -> dt.date:
    """The first clinic date on which a new fill may follow this one."""
    window = kb.get(RemsKnowledge).refill_window.max_days_of_therapy_remaining
    return dispense.dispensed_on + dt.timedelta(days=dispense.days_supply - window)


def authorization_status(authorization: Authorization, dispensed: bool, today: dt.date) -> str:
    """valid | expired | dispensed on a clinic date."""
    if dispensed:
        return "dispensed"
    return "valid" if today <= authorization.expires_on else "expired"


def _audit(
    session: Session,
    principal: Principal,
    patient_id: str,
    *,
    action: str,
    entity: str,
    entity_id: str,
    after: dict[str, Any],
) -> None:
    record(
        session,
        chain=chain_for_patient(patient_id),
        actor_id=principal.user_id,
        actor_role=principal.role.value,
        action=action,
        entity=entity,
        entity_id=entity_id,
        after=after,
    )


def _insert_numbered(session: Session, make: Callable[[str], Any], digits: int) -> Any:
    """Insert the row `make(number)` with a fresh random number, retrying on a unique clash
    (each try in a savepoint, so a clash leaves the transaction usable)."""
    for _ in range(NUMBER_ATTEMPTS):
        row = make(new_number(digits))
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            continue
        return row
    raise RuntimeError(f"no free {digits}-digit number after {NUMBER_ATTEMPTS} tries")


# ---------------------------------------------------------------- facts from the records


def latest_authorization(session: Session, patient_id: str) -> Authorization | None:
    return session.execute(
        select(Authorization)
        .where(Authorization.patient_id == patient_id)
        .order_by(Authorization.issued_at.desc(), Authorization.id)
        .limit(1)
    ).scalar_one_or_none()


def latest_dispense(session: Session, patient_id: str) -> Dispense | None:
    return session.execute(
        select(Dispense)
        .where(Dispense.patient_id == patient_id)
        .order_by(Dispense.dispensed_at.desc(), Dispense.id)
        .limit(1)
    ).scalar_one_or_none()


def assess_or_why_not(
    session: Session, patient: Patient, *, today: dt.date, settings: Settings, kb: KnowledgeBase
) -> Assessment | list[tuple[str, str]]:
    """The assessment of the patient's merged case on `today`, or the (code, sentence) saying
    why there is none: `case_missing` (no case stored) or `case_invalid` (fields named)."""
    try:
        return assess_patient(session, patient, as_of=today, settings=settings, kb=kb)
    except CaseError as exc:
        fields = "; ".join(str(problem) for problem in exc.problems)
        return [("case_invalid", f"The stored case cannot be assessed: {fields}")]
    except WorkflowError as exc:
        if exc.unmet:
            return [(item["code"], item["message"]) for item in exc.unmet]
        raise


def _pregnancy_blockers(assessed: Assessment | list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(finding id, summary) of each blocking pregnancy finding, or why there is no assessment."""
    if isinstance(assessed, list):
        return assessed
    return [
        (finding.id, finding.summary)
        for finding in assessed.findings
        if finding.blocking and finding.category is Category.PREGNANCY
    ]


def prescription_facts(
    session: Session,
    patient: Patient,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
    since: dt.datetime | None,
    assessed: Assessment | list[tuple[str, str]] | None = None,
) -> PrescriptionFacts:
    """What the prerequisites of a new authorization read, as of `now` (`assessed`: the
    result of `assess_or_why_not` on the same day, when the caller has it already)."""
    today = settings.clinic_date(now)
    category = risk_category(patient, today, kb)
    prescriber = session.get(Prescriber, patient.prescriber_id)
    assert prescriber is not None  # a foreign key
    counselled: dict[str, dt.date] = {}
    for kind, given_on in session.execute(
        select(Counselling.kind, func.max(Counselling.given_on))
        .where(Counselling.patient_id == patient.id, Counselling.given_on <= today)
        .group_by(Counselling.kind)
    ):
        counselled[kind] = given_on
    surveys = session.execute(
        select(Survey.respondent, Survey.taken_at).where(
            Survey.patient_id == patient.id, Survey.taken_at <= now
        )
    ).all()
    tests: list[TestRecord] = []
    blockers: list[tuple[str, str]] = []
    if requires_pregnancy_tests(category.category):
        rows = session.execute(
            select(PregnancyTest.taken_at, PregnancyTest.result)
            .where(PregnancyTest.patient_id == patient.id, PregnancyTest.taken_at <= now)
            .order_by(PregnancyTest.taken_at)
        ).all()
        tests = [TestRecord(settings.clinic_date(at), result) for at, result in rows]
        if assessed is None:
            assessed = assess_or_why_not(session, patient, today=today, settings=settings, kb=kb)
        blockers = _pregnancy_blockers(assessed)
    return PrescriptionFacts(
        today=today,
        category=category,
        enrolled_on=patient.enrolled_on,
        prescriber_certified=prescriber_certified(prescriber, today),
        prescriber_certified_on=prescriber.certified_on,
        patient_signed_on=patient.agreement_signed_on,
        guardian_signed_on=patient.guardian_agreement_signed_on,
        counselled_on=counselled,
        pregnancy_tests=tests,
        patient_surveys=[at for who, at in surveys if who == "patient"],
        prescriber_surveys=[at for who, at in surveys if who == "prescriber"],
        since=since,
        clinic_date_of=settings.clinic_date,
        assessment_blockers=blockers,
    )


# ---------------------------------------------------------------- authorizations


def _prescription_problems(
    indication: Indication,
    dose_mg: float,
    days_on: tuple[int, int] | None,
    kb: KnowledgeBase,
) -> tuple[list[tuple[str, str]], tuple[int, int], int]:
    """(field problems, days on, cycle days) of the requested prescription."""
    indications = kb.get(IndicationsKnowledge)
    schedule = indications.indications[indication].schedule
    problems: list[tuple[str, str]] = []
    strengths = indications.capsule_strengths_mg.values
    if dose_mg not in strengths:
        words = ", ".join(f"{value:g}" for value in strengths)
        problems.append(("dose_mg", f"{dose_mg:g} mg is not a capsule strength ({words} mg)"))
    first, last = days_on if days_on is not None else schedule.days_on
    if not 1 <= first <= last <= schedule.cycle_days:
        problems.append(
            (
                "days_on",
                f"must be [first, last] with 1 ≤ first ≤ last ≤ {schedule.cycle_days} "
                f"(the {schedule.cycle_days}-day cycle of {indication.value})",
            )
        )
    return problems, (first, last), schedule.cycle_days


def authorizing_patient(
    session: Session, principal: Principal, patient_id: str, *, for_update: bool = False
) -> Patient:
    """The patient, when the caller may request authorizations for them: the patient's
    prescriber or a nurse acting for them (else 403, as for an unknown patient). The
    authorization form asks this before showing itself; `issue_authorization` asks it again."""
    if principal.role not in (Role.PRESCRIBER, Role.NURSE):
        raise AccessDenied("only the patient's prescriber or their nurse requests authorizations")
    patient = visible_patient(session, principal, patient_id, for_update=for_update)
    if not principal.may_act_for_prescriber(patient.prescriber_id):
        raise AccessDenied(NOT_YOURS)
    return patient


def issue_authorization(
    session: Session,
    principal: Principal,
    *,
    patient_id: str,
    indication: Indication,
    dose_mg: float,
    days_supply: int,
    days_on: tuple[int, int] | None = None,
    refills: int = 0,
    telephone: bool = False,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> Authorization:
    """Issue a REMS authorization number for a prescription, or refuse with every unmet
    requirement (422, `unmet`); see the module docstring."""
    patient = authorizing_patient(session, principal, patient_id, for_update=True)
    problems, (first, last), cycle_days = _prescription_problems(indication, dose_mg, days_on, kb)
    if problems:
        raise WorkflowError(problems, title="invalid prescription")
    previous = latest_authorization(session, patient.id)
    facts = prescription_facts(
        session,
        patient,
        settings=settings,
        kb=kb,
        now=now,
        since=None if previous is None else previous.issued_at,
    )
    unmet = unmet_of(prerequisites(facts, kb))
    unmet += [
        (finding.id.split(".", 1)[1], finding.summary)
        for finding in check_prescription(days_supply, refills, kb, telephone=telephone)
    ]
    if unmet:
        raise WorkflowError(
            [("(request)", f"{len(unmet)} REMS requirement(s) unmet; see `unmet`")],
            title="authorization refused",
            unmet=unmet,
        )
    today = facts.today
    last_test = max(
        (test.on for test in facts.pregnancy_tests if test.result == "negative"), default=None
    )
    expires = authorization_expires(facts.category.category, today, last_test, kb)

    def make(number: str) -> Authorization:
        return Authorization(
            id=new_id("aut"),
            number=number,
            patient_id=patient.id,
            prescriber_id=patient.prescriber_id,
            indication=indication.value,
            dose_mg=dose_mg,
            first_day=first,
            last_day=last,
            cycle_days=cycle_days,
            days_supply=days_supply,
            risk_category=facts.category.category.value,
            issued_at=now,
            issued_on=today,
            expires_on=expires,
            issued_by=principal.user_id,
        )

    authorization = _insert_numbered(session, make, AUTHORIZATION_DIGITS)
    _audit(
        session,
        principal,
        patient.id,
        action="create",
        entity="authorization",
        entity_id=authorization.id,
        after=_authorization_snapshot(authorization),
    )
    return authorization


def _authorization_snapshot(authorization: Authorization) -> dict[str, Any]:
    return {
        "number": authorization.number,
        "patient_id": authorization.patient_id,
        "prescriber_id": authorization.prescriber_id,
        "indication": authorization.indication,
        "dose_mg": authorization.dose_mg,
        "days_on": [authorization.first_day, authorization.last_day],
        "cycle_days": authorization.cycle_days,
        "days_supply": authorization.days_supply,
        "risk_category": authorization.risk_category,
        "issued_on": authorization.issued_on.isoformat(),
        "expires_on": authorization.expires_on.isoformat(),
    }


# ---------------------------------------------------------------- pharmacy


def _refuse_after_positive_test(
    session: Session,
    authorization: Authorization,
    field: str,
    *,
    settings: Settings,
    now: dt.datetime,
) -> None:
    """409 when the latest pregnancy test of a female of reproductive potential is positive (a
    test after the authorization, since a positive one refuses it): pregnancy voids it."""
    if not RemsRiskCategory(authorization.risk_category).reproductive_potential:
        return
    latest = session.execute(
        select(PregnancyTest)
        .where(
            PregnancyTest.patient_id == authorization.patient_id,
            PregnancyTest.taken_at <= now,
        )
        .order_by(PregnancyTest.taken_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.result == "positive":
        taken = settings.clinic_date(latest.taken_at)
        raise Conflict(
            [
                (
                    field,
                    f"the pregnancy test of {taken} is positive: lenalidomide must not be "
                    "dispensed during pregnancy",
                )
            ],
            title="positive pregnancy test",
        )


def _caller_pharmacy(session: Session, principal: Principal, today: dt.date) -> Pharmacy:
    """The pharmacist's pharmacy, certified on `today` (else 422 `pharmacy_not_certified`)."""
    if principal.role is not Role.PHARMACIST or principal.pharmacy_id is None:
        raise AccessDenied("only a pharmacist of a certified pharmacy may do this")
    pharmacy = session.get(Pharmacy, principal.pharmacy_id)
    assert pharmacy is not None  # a foreign key
    if not pharmacy_certified(pharmacy, today):
        raise WorkflowError(
            [("(request)", f"pharmacy {pharmacy.id} is not REMS-certified on {today}")],
            title="pharmacy not certified",
            unmet=[
                (
                    "pharmacy_not_certified",
                    f"The pharmacy must be certified in the REMS on {today} to confirm or "
                    "dispense.",
                )
            ],
        )
    return pharmacy


def dispense_of_confirmation(session: Session, confirmation_id: str) -> Dispense | None:
    return session.execute(
        select(Dispense).where(Dispense.confirmation_id == confirmation_id)
    ).scalar_one_or_none()


def dispense_of_authorization(session: Session, authorization_id: str) -> Dispense | None:
    return session.execute(
        select(Dispense).where(Dispense.authorization_id == authorization_id)
    ).scalar_one_or_none()


def confirm_authorization(
    session: Session,
    principal: Principal,
    number: str,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> tuple[Confirmation, Authorization]:
    """A confirmation number for a valid authorization, valid until the dispense deadline.

    403 (as for an unknown number) when the patient chose another pharmacy; 409 when the
    authorization has expired or has been dispensed."""
    today = settings.clinic_date(now)
    pharmacy = _caller_pharmacy(session, principal, today)
    authorization = session.execute(
        select(Authorization).where(Authorization.number == number)
    ).scalar_one_or_none()
    if authorization is None:
        raise AccessDenied(NOT_YOURS)
    patient = session.execute(
        select(Patient).where(Patient.id == authorization.patient_id).with_for_update()
    ).scalar_one()
    if patient.pharmacy_id is not None and patient.pharmacy_id != pharmacy.id:
        raise AccessDenied(NOT_YOURS)
    dispensed = dispense_of_authorization(session, authorization.id)
    if dispensed is not None:
        raise Conflict(
            [("number", f"authorization {number} was dispensed on {dispensed.dispensed_on}")],
            title="authorization already dispensed",
        )
    if today > authorization.expires_on:
        raise Conflict(
            [("number", f"authorization {number} expired after {authorization.expires_on}")],
            title="authorization expired",
        )
    _refuse_after_positive_test(session, authorization, "number", settings=settings, now=now)

    def make(confirmation_number: str) -> Confirmation:
        return Confirmation(
            id=new_id("cnf"),
            number=confirmation_number,
            authorization_id=authorization.id,
            pharmacy_id=pharmacy.id,
            confirmed_at=now,
            expires_at=dispense_deadline(now, kb),
            confirmed_by=principal.user_id,
        )

    confirmation = _insert_numbered(session, make, CONFIRMATION_DIGITS)
    _audit(
        session,
        principal,
        patient.id,
        action="create",
        entity="confirmation",
        entity_id=confirmation.id,
        after={
            "number": confirmation.number,
            "authorization_number": authorization.number,
            "pharmacy_id": pharmacy.id,
            "dispense_deadline": confirmation.expires_at.isoformat(),
        },
    )
    return confirmation, authorization


@dataclass(frozen=True)
class _Fill:
    capsule_strength_mg: float
    quantity: int
    days_supply: int


def _fill_problems(fill: _Fill, authorization: Authorization, kb: KnowledgeBase) -> list:
    """(field, message) for a fill that does not match its authorization or the REMS limit."""
    limit = kb.get(RemsKnowledge).prescription_limits.max_days_supply
    problems: list[tuple[str, str]] = []
    if fill.days_supply > limit:
        problems.append(("days_supply", f"exceeds the REMS maximum of {limit} days"))
    elif fill.days_supply > authorization.days_supply:
        problems.append(("days_supply", f"exceeds the {authorization.days_supply} days authorized"))
    if fill.capsule_strength_mg != authorization.dose_mg:
        problems.append(
            (
                "capsule_strength_mg",
                f"expected {authorization.dose_mg:g} mg: one capsule of the authorized "
                f"{authorization.dose_mg:g} mg dose per dosing day",
            )
        )
    if not problems:
        expected = dosing_days(
            fill.days_supply,
            authorization.first_day,
            authorization.last_day,
            authorization.cycle_days,
        )
        if fill.quantity != expected:
            problems.append(
                (
                    "quantity",
                    f"expected {expected} capsules: {fill.days_supply} days on days "
                    f"{authorization.first_day}–{authorization.last_day} of a "
                    f"{authorization.cycle_days}-day cycle, one {authorization.dose_mg:g} mg "
                    "capsule per dosing day",
                )
            )
    return problems


def record_dispense(
    session: Session,
    principal: Principal,
    *,
    confirmation_number: str,
    capsule_strength_mg: float,
    quantity: int,
    days_supply: int,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
) -> tuple[Dispense, Confirmation, Authorization]:
    """Record the one dispense of a confirmation; see the module docstring for the answers."""
    today = settings.clinic_date(now)
    if principal.role is not Role.PHARMACIST:
        raise AccessDenied("only a pharmacist of a certified pharmacy may do this")
    confirmation = session.execute(
        select(Confirmation).where(Confirmation.number == confirmation_number)
    ).scalar_one_or_none()
    if confirmation is None or confirmation.pharmacy_id != principal.pharmacy_id:
        raise AccessDenied(NOT_YOURS)
    authorization = session.get(Authorization, confirmation.authorization_id)
    assert authorization is not None  # a foreign key
    patient = session.execute(  # one fill at a time per patient
        select(Patient).where(Patient.id == authorization.patient_id).with_for_update()
    ).scalar_one()
    used = dispense_of_confirmation(session, confirmation.id)
    if used is not None:
        raise Conflict(
            [("confirmation_number", f"already used: dispensed at {used.dispensed_at}")],
            title="confirmation already used",
        )
    if now > confirmation.expires_at:
        raise Conflict(
            [("confirmation_number", f"expired at {confirmation.expires_at}")],
            title="confirmation expired",
        )
    other = dispense_of_authorization(session, authorization.id)
    if other is not None:
        raise Conflict(
            [("confirmation_number", f"the authorization was dispensed at {other.dispensed_at}")],
            title="authorization already dispensed",
        )
    if today > authorization.expires_on:
        raise Conflict(
            [
                (
                    "confirmation_number",
                    f"the authorization expired after {authorization.expires_on}",
                )
            ],
            title="authorization expired",
        )
    _refuse_after_positive_test(
        session, authorization, "confirmation_number", settings=settings, now=now
    )
    _caller_pharmacy(session, principal, today)
    problems = _fill_problems(_Fill(capsule_strength_mg, quantity, days_supply), authorization, kb)
    if problems:
        raise WorkflowError(problems, title="dispense does not match the authorization")
    previous = latest_dispense(session, patient.id)
    if previous is not None:
        remaining = days_remaining(previous, today)
        if not refill_allowed(remaining, kb):
            raise Conflict(
                [
                    (
                        "(request)",
                        f"{remaining} days of the fill of {previous.dispensed_on} remain; a new "
                        f"fill may be dispensed from {next_fill_from(previous, kb)}",
                    )
                ],
                title="too early for a new fill",
            )
    dispense = Dispense(
        id=new_id("dsp"),
        confirmation_id=confirmation.id,
        authorization_id=authorization.id,
        patient_id=patient.id,
        pharmacy_id=confirmation.pharmacy_id,
        capsule_strength_mg=capsule_strength_mg,
        quantity=quantity,
        days_supply=days_supply,
        dispensed_at=now,
        dispensed_on=today,
        dispensed_by=principal.user_id,
    )
    session.add(dispense)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            [("confirmation_number", "already used by a concurrent dispense")],
            title="confirmation already used",
        ) from None
    _audit(
        session,
        principal,
        patient.id,
        action="create",
        entity="dispense",
        entity_id=dispense.id,
        after={
            "confirmation_number": confirmation.number,
            "authorization_number": authorization.number,
            "capsule_strength_mg": capsule_strength_mg,
            "quantity": quantity,
            "days_supply": days_supply,
            "dispensed_on": today.isoformat(),
        },
    )
    return dispense, confirmation, authorization


# ---------------------------------------------------------------- lists


def list_authorizations(
    session: Session, principal: Principal, patient_id: str, *, limit: int, offset: int
) -> tuple[list[tuple[Authorization, Dispense | None]], int]:
    """(one page, total) of the patient's authorizations, newest first, each with its dispense
    if any (audited read)."""
    patient = visible_patient(session, principal, patient_id)
    query = select(Authorization).where(Authorization.patient_id == patient.id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.add_columns(Dispense)
        .outerjoin(Dispense, Dispense.authorization_id == Authorization.id)
        .order_by(Authorization.issued_at.desc(), Authorization.id)
        .limit(limit)
        .offset(offset)
    ).all()
    audit_read(session, principal, patient, "authorizations")
    return [(authorization, dispense) for authorization, dispense in rows], total


def list_dispenses(
    session: Session, principal: Principal, patient_id: str, *, limit: int, offset: int
) -> tuple[list[tuple[Dispense, Confirmation, Authorization]], int]:
    """(one page, total) of the patient's dispenses, newest first (audited read)."""
    patient = visible_patient(session, principal, patient_id)
    query = select(Dispense).where(Dispense.patient_id == patient.id)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        select(Dispense, Confirmation, Authorization)
        .join(Confirmation, Confirmation.id == Dispense.confirmation_id)
        .join(Authorization, Authorization.id == Dispense.authorization_id)
        .where(Dispense.patient_id == patient.id)
        .order_by(Dispense.dispensed_at.desc(), Dispense.id)
        .limit(limit)
        .offset(offset)
    ).all()
    audit_read(session, principal, patient, "dispenses")
    return [(d, c, a) for d, c, a in rows], total


def list_confirmations(
    session: Session, principal: Principal, patient_id: str, *, limit: int, offset: int
) -> tuple[list[tuple[Confirmation, Authorization, Dispense | None]], int]:
    """(one page, total) of the pharmacy confirmations of the patient's authorizations, newest
    first, each with its authorization and its dispense if any (audited read; whoever may see
    the patient)."""
    patient = visible_patient(session, principal, patient_id)
    query = (
        select(Confirmation)
        .join(Authorization, Authorization.id == Confirmation.authorization_id)
        .where(Authorization.patient_id == patient.id)
    )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        select(Confirmation, Authorization, Dispense)
        .join(Authorization, Authorization.id == Confirmation.authorization_id)
        .outerjoin(Dispense, Dispense.confirmation_id == Confirmation.id)
        .where(Authorization.patient_id == patient.id)
        .order_by(Confirmation.confirmed_at.desc(), Confirmation.id)
        .limit(limit)
        .offset(offset)
    ).all()
    audit_read(session, principal, patient, "confirmations")
    return [(c, a, d) for c, a, d in rows], total


def read_confirmation(
    session: Session, principal: Principal, number: str
) -> tuple[Confirmation, Authorization, Dispense | None]:
    """A confirmation of the caller's own pharmacy, with its authorization and its dispense if
    any (audited read): what the pharmacist dispenses against. Anyone else, and an unknown
    number, get the same 403."""
    if principal.role is not Role.PHARMACIST or principal.pharmacy_id is None:
        raise AccessDenied("only a pharmacist of a certified pharmacy may do this")
    confirmation = session.execute(
        select(Confirmation).where(Confirmation.number == number)
    ).scalar_one_or_none()
    if confirmation is None or confirmation.pharmacy_id != principal.pharmacy_id:
        raise AccessDenied(NOT_YOURS)
    authorization = session.get(Authorization, confirmation.authorization_id)
    assert authorization is not None  # a foreign key
    patient = session.get(Patient, authorization.patient_id)
    assert patient is not None  # a foreign key
    audit_read(session, principal, patient, "confirmation")
    return confirmation, authorization, dispense_of_confirmation(session, confirmation.id)
