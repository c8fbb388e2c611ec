"""GET /api/v1/patients/{id}/readiness: the checklist from enrollment to the first fill."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient
from tests.service import builders as b

TODAY = dt.date(2026, 11, 20)
NOW = b.at(TODAY, 10)
FRP = RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
MALE = RemsRiskCategory.ADULT_MALE
REMS = default_knowledge().get(RemsKnowledge)
PREREQUISITES = [
    "prescriber_certified",
    "patient_enrolled",
    "counselling",
    "pregnancy_tests",
    "patient_survey",
    "prescriber_survey",
]
ITEMS = [
    *PREREQUISITES,
    "insurance",
    "prior_authorization",
    "authorization",
    "pharmacy_chosen",
    "dispensed",
]


@pytest.fixture
def clinic(service):
    clinic = b.clinic(service)
    clinic.moment(NOW)
    return clinic


def _readiness(service, clinic, patient_id, who="prescriber"):
    return service.client.get(
        f"/api/v1/patients/{patient_id}/readiness", headers=clinic.headers[who]
    )


def _statuses(body) -> dict[str, tuple[str, str]]:
    assert [item["item"] for item in body["items"]] == ITEMS
    return {item["item"]: (item["status"], item["owner"]) for item in body["items"]}


def test_a_new_patient_has_everything_ahead(service, clinic):
    patient = b.enroll(service, clinic, FRP, today=TODAY, signed=False, pharmacy=False)
    response = _readiness(service, clinic, patient.id)
    assert response.status_code == 200
    body = response.json()
    assert (body["ready"], body["readiness"], body["cycle"]) == (False, None, "next")
    assert body["risk_category"] == FRP.value
    assert _statuses(body) == {
        "prescriber_certified": ("done", "prescriber"),
        "patient_enrolled": ("due", "patient"),
        "counselling": ("due", "nurse"),
        "pregnancy_tests": ("due", "prescriber"),
        "patient_survey": ("due", "patient"),
        "prescriber_survey": ("due", "prescriber"),
        "insurance": ("due", "nurse"),
        "prior_authorization": ("blocked", "payer"),
        "authorization": ("blocked", "prescriber"),
        "pharmacy_chosen": ("due", "patient"),
        "dispensed": ("blocked", "pharmacist"),
    }
    authorization = next(item for item in body["items"] if item["item"] == "authorization")
    assert authorization["next_step"].startswith("Waiting for: patient enrolled, counselling")
    assert all(item["next_step"] for item in body["items"])


def test_the_checklist_follows_the_prescription_to_the_fill_and_the_next_one(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    body = _readiness(service, clinic, patient.id).json()
    statuses = _statuses(body)
    assert {item for item, (status, _) in statuses.items() if status != "done"} == {
        "pregnancy_tests",
        "authorization",
        "dispensed",
    }
    assert statuses["pregnancy_tests"][0] == "not_applicable"
    assert statuses["authorization"] == ("due", "prescriber")
    assert body["ready"] is False and body["readiness"] == "ready"

    number = b.authorize(service, patient.id, clinic.headers["prescriber"]).json()["number"]
    body = _readiness(service, clinic, patient.id).json()
    items = {item["item"]: item for item in body["items"]}
    assert (body["cycle"], body["ready"]) == ("authorized", True)
    assert items["dispensed"]["status"] == "due"
    expires = TODAY + dt.timedelta(days=REMS.authorization_validity.other_days_from_issue - 1)
    assert items["dispensed"]["date"] == expires.isoformat()
    assert number in items["dispensed"]["next_step"]

    confirmation = service.client.post(
        f"/api/v1/authorizations/{number}/confirmations", headers=clinic.headers["pharmacist"]
    ).json()["number"]
    service.client.post(
        "/api/v1/dispenses",
        json={
            "confirmation_number": confirmation,
            "capsule_strength_mg": 25,
            "quantity": 21,
            "days_supply": 28,
        },
        headers=clinic.headers["pharmacist"],
    )
    body = _readiness(service, clinic, patient.id).json()
    assert (body["cycle"], body["ready"]) == ("filled", True)
    assert {item["status"] for item in body["items"]} == {"done", "not_applicable"}

    window = REMS.refill_window.max_days_of_therapy_remaining
    clinic.moment(b.at(TODAY + dt.timedelta(days=28 - window), 10))
    body = _readiness(service, clinic, patient.id).json()
    statuses = _statuses(body)
    assert (body["cycle"], body["ready"]) == ("next", False)
    assert statuses["patient_survey"] == ("due", "patient")
    assert statuses["prescriber_survey"] == ("due", "prescriber")
    assert statuses["authorization"] == ("blocked", "prescriber")
    assert statuses["dispensed"] == ("blocked", "pharmacist")


@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ("approved", ("done", "payer")),
        ("not_required", ("not_applicable", "payer")),
        ("pending", ("due", "payer")),
        ("denied", ("blocked", "prescriber")),
    ],
)
def test_the_newest_insurance_record_decides_the_prior_authorization(
    service, clinic, decision, expected
):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    b.add(service, b.insurance(clinic, patient, decision, NOW - dt.timedelta(minutes=5)))
    statuses = _statuses(_readiness(service, clinic, patient.id).json())
    assert statuses["prior_authorization"] == expected
    assert statuses["insurance"] == ("done", "nurse")


def test_insurance_is_on_the_checklist_but_not_an_authorization_requirement(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    b.add(service, b.insurance(clinic, patient, "denied", NOW - dt.timedelta(minutes=5)))
    assert _readiness(service, clinic, patient.id).json()["ready"] is False
    response = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": patient.id, "indication": "mcl", "dose_mg": 25, "days_supply": 28},
        headers=clinic.headers["prescriber"],
    )
    assert response.status_code == 201


def test_a_positive_pregnancy_test_blocks(service, clinic):
    patient = b.ready_patient(service, clinic, FRP, today=TODAY)
    assert _statuses(_readiness(service, clinic, patient.id).json())["pregnancy_tests"][0] == "done"
    b.add(service, b.pregnancy_test(clinic, patient, b.at(TODAY, 9), result="positive"))
    body = _readiness(service, clinic, patient.id).json()
    assert _statuses(body)["pregnancy_tests"] == ("blocked", "prescriber")
    assert body["readiness"] == "not_ready"


def test_an_overdue_periodic_survey_is_overdue(service, clinic):
    category = RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
    patient = b.ready_patient(service, clinic, category, today=TODAY)
    later = TODAY + dt.timedelta(days=200)
    clinic.moment(b.at(later, 10))
    item = next(
        i
        for i in _readiness(service, clinic, patient.id).json()["items"]
        if i["item"] == "patient_survey"
    )
    assert item["status"] == "overdue" and item["date"] < later.isoformat()


@pytest.mark.parametrize("category", b.CATEGORIES, ids=str)
def test_readiness_and_authorization_agree(service, clinic, category):
    """The REMS items not met are exactly what the authorization refuses on."""
    patient = b.enroll(service, clinic, category, today=TODAY, signed=False)
    b.add(service, *b.counselled(clinic, patient, TODAY))
    body = _readiness(service, clinic, patient.id).json()
    not_met = [
        item["item"]
        for item in body["items"]
        if item["item"] in PREREQUISITES and item["status"] not in ("done", "not_applicable")
    ]
    refused = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": patient.id, "indication": "fl", "dose_mg": 20, "days_supply": 28},
        headers=clinic.headers["prescriber"],
    )
    assert refused.status_code == 422
    codes = [item["code"] for item in refused.json()["unmet"]]
    expected = ["patient_enrolled", "patient_survey", "prescriber_survey"]
    if category.reproductive_potential:
        expected.insert(1, "pregnancy_tests")
        assert "pregnancy_test_missing" in codes
    assert not_met == expected
    assert "counselling" not in not_met and not any("counselling" in c for c in codes)


def test_who_may_read_the_checklist_and_the_read_is_audited(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    for who in ("prescriber", "nurse", "pharmacist", "patient", "admin"):
        assert _readiness(service, clinic, patient.id, who).status_code == 200
    other = _readiness(service, clinic, patient.id, "other_prescriber")
    unknown = _readiness(service, clinic, "pat_0000000000000000", "other_prescriber")
    assert other.status_code == unknown.status_code == 403 and other.json() == unknown.json()
    assert _readiness(service, clinic, patient.id, "other_pharmacist").status_code == 403
    assert _readiness(service, clinic, "pat_0000000000000000", "admin").status_code == 404
    with service.database.transaction() as session:
        reads = session.execute(
            select(AuditEntry.entity).where(
                AuditEntry.chain == chain_for_patient(patient.id), AuditEntry.action == "read"
            )
        ).scalars()
        assert list(reads) == ["readiness"] * 5
