"""Demo data for `lenaguard serve --demo`: a clinic and its specialty pharmacy to try the API on.

Two certified prescribers, a nurse acting for the first, a certified pharmacy with a pharmacist,
an admin, and one patient in each of the six REMS risk categories, each with a user of their
own, signed agreements, counselling, insurance, the demo pharmacy chosen and a stored case. The
clinical part of each case comes from the `examples/` case files (without the fields the
workflow records), with every date moved so the example's `as_of` falls on the clinic's today;
the females of reproductive potential get two negative pregnancy tests. Everything is written
through the workflow's service functions, so it is validated and audited like any other write.

Loading is idempotent: the demo prescribers and pharmacy have fixed ids, and a load that finds
them adds nothing and says so.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from lenaguard.case import Reproductive
from lenaguard.caseio import default_knowledge, parse_case_document
from lenaguard.dates import add_months
from lenaguard.knowledge import KnowledgeBase
from lenaguard.settings import Settings
from lenaguard.store.base import utcnow
from lenaguard.vocab import Sex
from lenaguard.workflow.accounts.models import Role, User
from lenaguard.workflow.accounts.service import create_user, issue_token, principal_for
from lenaguard.workflow.audit.service import SYSTEM_CHAIN, record
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.parties.service import pharmacy_snapshot, prescriber_snapshot
from lenaguard.workflow.patients import service as patients
from lenaguard.workflow.patients.merge import owned_fields_in
from lenaguard.workflow.patients.models import Patient
from lenaguard.workflow.records import service as records

__all__ = ["DEMO_PATIENTS", "EXAMPLES", "load_demo"]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
"""The repository's example case files (present in a source checkout)."""

PRESCRIBER_ID = "prs_demo_0000000001"
SECOND_PRESCRIBER_ID = "prs_demo_0000000002"
PHARMACY_ID = "phm_demo_0000000001"


@dataclass(frozen=True)
class DemoPatient:
    key: str
    name: str
    sex: Sex
    age_years: int
    example: str
    reproductive: dict[str, Any] | None = None
    guardian_name: str | None = None


_FERTILE = {
    "hysterectomy": False,
    "bilateral_oophorectomy": False,
    "months_since_last_menses": 0,
    "menses_regular": True,
}

DEMO_PATIENTS = (
    DemoPatient("adult_male", "Walter Demo", Sex.MALE, 71, "male-patient.yaml"),
    DemoPatient(
        "male_child", "Tom Demo", Sex.MALE, 16, "male-patient.yaml", guardian_name="Anna Demo"
    ),
    DemoPatient("adult_female_rp", "Rosa Demo", Sex.FEMALE, 38, "frp-ready.yaml", _FERTILE),
    DemoPatient(
        "adult_female_not_rp",
        "Helen Demo",
        Sex.FEMALE,
        68,
        "mm-renal-moderate.yaml",
        {"hysterectomy": True},
    ),
    DemoPatient(
        "female_child_rp",
        "Lily Demo",
        Sex.FEMALE,
        16,
        "frp-not-ready.yaml",
        _FERTILE,
        guardian_name="Mark Demo",
    ),
    DemoPatient(
        "female_child_not_rp",
        "Maya Demo",
        Sex.FEMALE,
        15,
        "mds-renal-moderate.yaml",
        {"bilateral_oophorectomy": True},
        guardian_name="Sara Demo",
    ),
)
"""One patient in each REMS risk category (computed from these facts at enrollment)."""

_MINIMAL_CASE: dict[str, Any] = {
    "indication": "mm_combination",
    "patient": {"weight_kg": 70, "height_cm": 170},
}
"""The clinical part used when the examples are not there (an installed package)."""


def _shift_dates(value: Any, days: int) -> Any:
    """A copy with every calendar date moved by `days`."""
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(days=days)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=days)
    if isinstance(value, dict):
        return {key: _shift_dates(item, days) for key, item in value.items()}
    if isinstance(value, list):
        return [_shift_dates(item, days) for item in value]
    return value


def clinical_part(example: str, today: dt.date, examples: Path = EXAMPLES) -> dict[str, Any]:
    """An example case file without the workflow-owned fields, dated so that its `as_of` is
    `today`; a minimal case when the example is not found."""
    path = examples / example
    if not path.is_file():
        return copy.deepcopy(_MINIMAL_CASE)
    data = parse_case_document(path.read_text(encoding="utf-8"), source=str(path))
    as_of = data.pop("as_of", None)
    if isinstance(as_of, dt.date):
        data = _shift_dates(data, (today - as_of).days)
    owned = {name for name, _message in owned_fields_in(data)}
    patient = data.get("patient") or {}
    for name in owned:
        if name.startswith("patient."):
            patient.pop(name.removeprefix("patient."), None)
    data["labs"] = [
        lab for index, lab in enumerate(data.get("labs") or []) if f"labs.{index}" not in owned
    ]
    return data


def _birth_date(today: dt.date, age_years: int) -> dt.date:
    """A birth date that gives `age_years` today, a hundred days past the birthday."""
    birthday = today - dt.timedelta(days=100)
    if (birthday.month, birthday.day) == (2, 29):
        birthday -= dt.timedelta(days=1)
    return birthday.replace(year=birthday.year - age_years)


def _already_loaded(session: Session) -> bool:
    return session.get(Prescriber, PRESCRIBER_ID) is not None


def _party(session: Session, row: Prescriber | Pharmacy) -> None:
    session.add(row)
    session.flush()
    snapshot = prescriber_snapshot if isinstance(row, Prescriber) else pharmacy_snapshot
    record(
        session,
        chain=SYSTEM_CHAIN,
        actor_id=None,
        actor_role="operator",
        action="create",
        entity="prescriber" if isinstance(row, Prescriber) else "pharmacy",
        entity_id=row.id,
        after=snapshot(row),  # type: ignore[arg-type]
    )


def load_demo(
    session: Session,
    settings: Settings,
    *,
    kb: KnowledgeBase | None = None,
    now: dt.datetime | None = None,
    examples: Path = EXAMPLES,
) -> list[str]:
    """Load the demo clinic into the session's database; lines naming each demo user with their
    role and API token (or, when already loaded, a line saying nothing was added)."""
    if _already_loaded(session):
        return [
            "demo data already loaded: nothing added (API tokens are shown only when it is "
            "first loaded; make new ones with `lenaguard users create`)"
        ]
    kb = kb or default_knowledge()
    now = now or utcnow()
    today = settings.clinic_date(now)
    certified = {"certified_on": today - dt.timedelta(days=30)}
    expires = add_months(today, 24)
    _party(
        session,
        Prescriber(
            id=PRESCRIBER_ID,
            name="Dr. Ada Demo",
            npi="1234567893",
            certification_expires_on=expires,
            **certified,
        ),
    )
    _party(
        session,
        Prescriber(
            id=SECOND_PRESCRIBER_ID,
            name="Dr. Ben Demo",
            npi="1245319599",
            certification_expires_on=expires,
            **certified,
        ),
    )
    _party(
        session,
        Pharmacy(
            id=PHARMACY_ID,
            name="Demo Specialty Pharmacy",
            certification_expires_on=expires,
            **certified,
        ),
    )
    made: list[User] = [
        create_user(session, role=Role.ADMIN, name="Demo Admin"),
        create_user(
            session,
            role=Role.PRESCRIBER,
            name="Dr. Ada Demo",
            prescriber_id=PRESCRIBER_ID,
        ),
        create_user(
            session,
            role=Role.PRESCRIBER,
            name="Dr. Ben Demo",
            prescriber_id=SECOND_PRESCRIBER_ID,
        ),
        create_user(
            session,
            role=Role.NURSE,
            name="Nora Demo, RN",
            acting_for=[PRESCRIBER_ID],
        ),
        create_user(session, role=Role.PHARMACIST, name="Phil Demo", pharmacy_id=PHARMACY_ID),
    ]
    prescriber = principal_for(session, made[1])
    for demo in DEMO_PATIENTS:
        patient = _enroll(
            session, demo, prescriber, settings=settings, kb=kb, now=now, examples=examples
        )
        made.append(
            create_user(
                session,
                role=Role.PATIENT,
                name=demo.name,
                patient_id=patient.id,
            )
        )
    lines = [
        f"demo data loaded: 2 prescribers, 1 pharmacy, {len(DEMO_PATIENTS)} patients "
        f"(one per REMS risk category); API tokens, valid {settings.token_days} days:"
    ]
    for user in made:
        token = issue_token(session, user, days=settings.token_days, now=now)
        lines.append(f"  {user.role.value:<10} {user.name:<32} {token}")
    return lines


def _enroll(
    session: Session,
    demo: DemoPatient,
    prescriber,
    *,
    settings: Settings,
    kb: KnowledgeBase,
    now: dt.datetime,
    examples: Path,
) -> Patient:
    today = settings.clinic_date(now)
    patient = patients.enroll_patient(
        session,
        prescriber,
        name=demo.name,
        sex=demo.sex,
        birth_date=_birth_date(today, demo.age_years),
        reproductive=None if demo.reproductive is None else Reproductive(**demo.reproductive),
        guardian_name=demo.guardian_name,
        settings=settings,
        kb=kb,
        now=now,
    )
    category = patients.risk_category(patient, today, kb)
    for agreement, _signed in patients.agreements_for(patient, category, kb):
        patients.record_agreement(
            session,
            prescriber,
            patient.id,
            signer=agreement.signer,
            signed_on=today,
            settings=settings,
            kb=kb,
            now=now,
        )
    patients.choose_pharmacy(
        session, prescriber, patient.id, pharmacy_id=PHARMACY_ID, settings=settings, now=now
    )
    records.record_counselling(
        session,
        prescriber,
        patient.id,
        kind="rems_education",
        given_on=today,
        settings=settings,
        now=now,
    )
    if category.category.reproductive_potential:
        records.record_counselling(
            session,
            prescriber,
            patient.id,
            kind="contraception",
            given_on=today,
            settings=settings,
            now=now,
        )
        for days_before in (12, 1):
            local = dt.datetime.combine(
                today - dt.timedelta(days=days_before), dt.time(9, 30), settings.timezone
            )
            records.record_pregnancy_test(
                session,
                prescriber,
                patient.id,
                taken_at=local.astimezone(dt.UTC),
                result="negative",
                sensitivity_miu_ml=25,
                settings=settings,
                kb=kb,
                now=now,
            )
    records.record_insurance(
        session,
        prescriber,
        patient.id,
        payer="Demo Health Plan",
        member_id=f"DEMO-{demo.key.upper()}",
        prior_authorization="approved",
        now=now,
    )
    case = clinical_part(demo.example, today, examples)
    case.setdefault("patient", {})["id"] = patient.id
    patients.store_case(session, prescriber, patient.id, case, settings=settings, kb=kb, now=now)
    return patient
