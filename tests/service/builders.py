"""Rows for the dispensing, readiness and worklist tests, inserted through the models.

These tests make prescribers, pharmacies, patients and their records directly in the database,
so they do not depend on the enrollment routes; each builder takes the moments it records.
`Clinic` bundles a certified prescriber and pharmacy with tokens for every role.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.accounts.models import Role, User
from lenaguard.workflow.accounts.service import create_user, issue_token
from lenaguard.workflow.clock import current_moment
from lenaguard.workflow.ids import new_id
from lenaguard.workflow.parties.models import Pharmacy, Prescriber
from lenaguard.workflow.patients.models import CaseVersion, Patient
from lenaguard.workflow.records.models import Counselling, Insurance, PregnancyTest, Survey

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LONG_AGO = dt.date(2020, 1, 1)

CATEGORIES = list(RemsRiskCategory)

_PEOPLE: dict[RemsRiskCategory, dict[str, Any]] = {
    RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL: {
        "sex": "female",
        "age": 38,
        "reproductive": {
            "hysterectomy": False,
            "bilateral_oophorectomy": False,
            "months_since_last_menses": 0,
            "menses_regular": True,
        },
    },
    RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL: {
        "sex": "female",
        "age": 16,
        "reproductive": {
            "hysterectomy": False,
            "bilateral_oophorectomy": False,
            "months_since_last_menses": 0,
            "menses_regular": True,
        },
    },
    RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL: {
        "sex": "female",
        "age": 66,
        "reproductive": {"hysterectomy": True},
    },
    RemsRiskCategory.FEMALE_CHILD_NOT_REPRODUCTIVE_POTENTIAL: {
        "sex": "female",
        "age": 15,
        "reproductive": {"hysterectomy": True},
    },
    RemsRiskCategory.ADULT_MALE: {"sex": "male", "age": 66, "reproductive": None},
    RemsRiskCategory.MALE_CHILD: {"sex": "male", "age": 16, "reproductive": None},
}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """A moment on a clinic date (the test clinic's zone is America/New_York)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(hour), tzinfo=ZoneInfo("America/New_York"))


def case_data(today: dt.date) -> dict[str, Any]:
    """A stored case (no workflow-owned fields) with labs from two days before `today`."""
    data = yaml.safe_load((EXAMPLES / "frp-ready.yaml").read_text())
    shift = today - data["as_of"]
    data.pop("as_of")
    data["patient"] = {
        key: value
        for key, value in data["patient"].items()
        if key not in ("sex", "age_years", "reproductive")
    }
    labs = []
    for lab in data["labs"]:
        if lab["test"] == "pregnancy":
            continue
        lab = copy.deepcopy(lab)
        lab["date"] = (lab["date"] + shift).isoformat()
        labs.append(lab)
    data["labs"] = labs
    data["conditions"] = {
        key: value
        for key, value in data["conditions"].items()
        if key not in ("pregnant", "breastfeeding")
    }
    return data


@dataclass
class Clinic:
    """A certified prescriber and pharmacy, and the auth headers of everyone who works there."""

    service: Any
    prescriber: Prescriber
    pharmacy: Pharmacy
    other_prescriber: Prescriber
    other_pharmacy: Pharmacy
    recorder_id: str
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def moment(self, when: dt.datetime) -> None:
        """Make every route of the app see `when` as now."""
        self.service.client.app.dependency_overrides[current_moment] = lambda: when


def _user(session, role: Role, name: str, **links) -> tuple[User, dict[str, str]]:
    user = create_user(session, role=role, name=name, **links)
    token = issue_token(session, user, days=365)
    return user, {"Authorization": f"Bearer {token}"}


def clinic(service, *, certified_on: dt.date = LONG_AGO) -> Clinic:
    """Two certified prescribers and pharmacies, with users for every role (`service`: the
    test service, or anything with a `.database`)."""
    with service.database.transaction() as session:
        prescriber = Prescriber(id=new_id("prs"), name="Dr. Ada Hill", certified_on=certified_on)
        other_prescriber = Prescriber(id=new_id("prs"), name="Dr. Other", certified_on=certified_on)
        pharmacy = Pharmacy(id=new_id("phm"), name="Specialty Rx", certified_on=certified_on)
        other_pharmacy = Pharmacy(id=new_id("phm"), name="Other Rx", certified_on=certified_on)
        session.add_all([prescriber, other_prescriber, pharmacy, other_pharmacy])
        session.flush()
        recorder, admin = _user(session, Role.ADMIN, "Records Clerk")
        headers = {"admin": admin}
        headers["prescriber"] = _user(
            session, Role.PRESCRIBER, "Dr. Ada Hill", prescriber_id=prescriber.id
        )[1]
        headers["nurse"] = _user(session, Role.NURSE, "Nurse", acting_for=[prescriber.id])[1]
        headers["other_nurse"] = _user(
            session, Role.NURSE, "Other Nurse", acting_for=[other_prescriber.id]
        )[1]
        headers["other_prescriber"] = _user(
            session, Role.PRESCRIBER, "Dr. Other", prescriber_id=other_prescriber.id
        )[1]
        headers["pharmacist"] = _user(
            session, Role.PHARMACIST, "Pharmacist", pharmacy_id=pharmacy.id
        )[1]
        headers["other_pharmacist"] = _user(
            session, Role.PHARMACIST, "Other Pharmacist", pharmacy_id=other_pharmacy.id
        )[1]
    return Clinic(
        service=service,
        prescriber=prescriber,
        pharmacy=pharmacy,
        other_prescriber=other_prescriber,
        other_pharmacy=other_pharmacy,
        recorder_id=recorder.id,
        headers=headers,
    )


def patient_headers(service, patient_id: str) -> dict[str, str]:
    with service.database.transaction() as session:
        return _user(session, Role.PATIENT, "Patient", patient_id=patient_id)[1]


def enroll(
    service,
    clinic: Clinic,
    category: RemsRiskCategory,
    *,
    today: dt.date,
    signed: bool = True,
    pharmacy: bool = True,
    prescriber: Prescriber | None = None,
) -> Patient:
    """A patient of the category, enrolled on `today` (agreements signed unless told not)."""
    person = _PEOPLE[category]
    birth = dt.date(today.year - person["age"], 1, 1)
    child = person["age"] < 18
    patient = Patient(
        id=new_id("pat"),
        prescriber_id=(prescriber or clinic.prescriber).id,
        name=f"Patient {category.value}",
        sex=person["sex"],
        birth_date=birth,
        reproductive=person["reproductive"],
        guardian_name="Guardian" if child else None,
        enrolled_on=today,
        agreement_signed_on=today if signed else None,
        guardian_agreement_signed_on=today if signed and child else None,
        pharmacy_id=clinic.pharmacy.id if pharmacy else None,
    )
    with service.database.transaction() as session:
        session.add(patient)
    return patient


def add(service, *rows) -> None:
    with service.database.transaction() as session:
        session.add_all(rows)


def pregnancy_test(clinic: Clinic, patient: Patient, taken_at: dt.datetime, result="negative"):
    return PregnancyTest(
        id=new_id("prg"),
        patient_id=patient.id,
        taken_at=taken_at,
        result=result,
        sensitivity_miu_ml=25.0,
        recorded_by=clinic.recorder_id,
        recorded_at=taken_at,
    )


def counselling(clinic: Clinic, patient: Patient, kind: str, given_on: dt.date):
    return Counselling(
        id=new_id("cns"),
        patient_id=patient.id,
        kind=kind,
        given_on=given_on,
        recorded_by=clinic.recorder_id,
        recorded_at=at(given_on),
    )


def survey(clinic: Clinic, patient: Patient, respondent: str, taken_at: dt.datetime):
    return Survey(
        id=new_id("srv"),
        patient_id=patient.id,
        respondent=respondent,
        taken_at=taken_at,
        recorded_by=clinic.recorder_id,
        recorded_at=taken_at,
    )


def insurance(clinic: Clinic, patient: Patient, prior_authorization: str, when: dt.datetime):
    return Insurance(
        id=new_id("ins"),
        patient_id=patient.id,
        payer="Medicare Part D",
        member_id="1EG4-TE5-MK72",
        prior_authorization=prior_authorization,
        recorded_by=clinic.recorder_id,
        recorded_at=when,
    )


def stored_case(clinic: Clinic, patient: Patient, today: dt.date, version: int = 1):
    return CaseVersion(
        id=new_id("cas"),
        patient_id=patient.id,
        version=version,
        data=case_data(today),
        recorded_by=clinic.recorder_id,
        recorded_at=at(today, 8),
    )


def counselled(clinic: Clinic, patient: Patient, on: dt.date) -> list:
    return [counselling(clinic, patient, kind, on) for kind in ("rems_education", "contraception")]


def pregnancy_tests_for_first_prescription(
    clinic: Clinic, patient: Patient, when: dt.datetime
) -> list[PregnancyTest]:
    """Two negative tests before a prescription at `when`: 12 days before and 2 hours before
    (the REMS's first test 10-14 days before, the second within 24 hours)."""
    return [
        pregnancy_test(clinic, patient, when - dt.timedelta(days=12)),
        pregnancy_test(clinic, patient, when - dt.timedelta(hours=2)),
    ]


def ready_patient(
    service,
    clinic: Clinic,
    category: RemsRiskCategory,
    *,
    today: dt.date,
    when: dt.datetime | None = None,
    **kwargs,
) -> Patient:
    """A patient with everything an authorization at `when` (default: `today` at 10:00)
    needs, enrolled and counselled on `today`."""
    when = when or at(today, 10)
    patient = enroll(service, clinic, category, today=today, **kwargs)
    rows = [
        *counselled(clinic, patient, today),
        survey(clinic, patient, "patient", when - dt.timedelta(hours=1)),
        survey(clinic, patient, "prescriber", when - dt.timedelta(hours=1)),
        stored_case(clinic, patient, today),
        insurance(clinic, patient, "approved", when - dt.timedelta(hours=2)),
    ]
    if category.reproductive_potential:
        rows += pregnancy_tests_for_first_prescription(clinic, patient, when)
    add(service, *rows)
    return patient


def authorize(service, patient_id: str, headers: dict[str, str]):
    """POST /api/v1/authorizations for a standard myeloma prescription (25 mg, 28 days)."""
    return service.client.post(
        "/api/v1/authorizations",
        json={
            "patient_id": patient_id,
            "indication": "mm_combination",
            "dose_mg": 25,
            "days_supply": 28,
        },
        headers=headers,
    )
