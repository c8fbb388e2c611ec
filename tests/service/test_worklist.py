"""GET /api/v1/worklist: the caller's patients' items due or overdue, most urgent first."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.patients.models import Patient
from tests.service import builders as b

TODAY = dt.date(2026, 11, 20)
NOW = b.at(TODAY, 10)
MALE = RemsRiskCategory.ADULT_MALE
FNRP = RemsRiskCategory.ADULT_FEMALE_NOT_REPRODUCTIVE_POTENTIAL
REMS = default_knowledge().get(RemsKnowledge)
WINDOW = REMS.refill_window.max_days_of_therapy_remaining


@pytest.fixture
def clinic(service):
    clinic = b.clinic(service)
    clinic.moment(NOW)
    return clinic


def _worklist(service, clinic, who="prescriber", **params) -> dict:
    response = service.client.get("/api/v1/worklist", params=params, headers=clinic.headers[who])
    assert response.status_code == 200, response.text
    return response.json()


def _by_patient(page) -> dict[str, list[tuple[str, str, str]]]:
    found: dict[str, list[tuple[str, str, str]]] = {}
    for item in page["items"]:
        found.setdefault(item["patient_id"], []).append((item["item"], item["status"], item["due"]))
    return found


def _authorize_and_fill(service, clinic, patient) -> str:
    number = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": patient.id, "indication": "mcl", "dose_mg": 25, "days_supply": 28},
        headers=clinic.headers["prescriber"],
    ).json()["number"]
    confirmation = service.client.post(
        f"/api/v1/authorizations/{number}/confirmations", headers=clinic.headers["pharmacist"]
    ).json()["number"]
    response = service.client.post(
        "/api/v1/dispenses",
        json={
            "confirmation_number": confirmation,
            "capsule_strength_mg": 25,
            "quantity": 21,
            "days_supply": 28,
        },
        headers=clinic.headers["pharmacist"],
    )
    assert response.status_code == 201, response.text
    return number


def test_each_caller_sees_their_own_patients_items(service, clinic):
    mine = b.ready_patient(service, clinic, MALE, today=TODAY)
    elsewhere = b.ready_patient(service, clinic, MALE, today=TODAY, pharmacy=False)
    theirs = b.ready_patient(service, clinic, MALE, today=TODAY, prescriber=clinic.other_prescriber)
    clinic.headers["patient"] = b.patient_headers(service, mine.id)
    seen = {
        who: set(_by_patient(_worklist(service, clinic, who)))
        for who in ("prescriber", "nurse", "pharmacist", "other_prescriber", "admin", "patient")
    }
    assert seen["prescriber"] == seen["nurse"] == {mine.id, elsewhere.id}
    assert seen["pharmacist"] == {mine.id, theirs.id}
    assert seen["other_prescriber"] == {theirs.id}
    assert seen["admin"] == {mine.id, elsewhere.id, theirs.id}
    assert seen["patient"] == {mine.id}
    assert _by_patient(_worklist(service, clinic))[mine.id] == [
        ("authorization", "due", TODAY.isoformat()),
        ("cbc", "due", TODAY.isoformat()),
    ]


def test_overdue_comes_first_then_by_date(service, clinic):
    b.enroll(service, clinic, RemsRiskCategory.FEMALE_CHILD_REPRODUCTIVE_POTENTIAL, today=TODAY)
    late = b.ready_patient(service, clinic, FNRP, today=TODAY - dt.timedelta(days=400))
    with service.database.transaction() as session:
        session.get(Patient, late.id).enrolled_on = TODAY - dt.timedelta(days=400)
    page = _worklist(service, clinic, within_days=90)
    keys = [(item["status"] != "overdue", item["due"]) for item in page["items"]]
    assert keys == sorted(keys)
    assert page["items"][0]["status"] == "overdue"
    assert page["items"][0]["patient_id"] == late.id
    late_items = {
        item["item"]: item["status"] for item in page["items"] if item["patient_id"] == late.id
    }
    assert late_items["patient_survey"] == "overdue"
    assert "authorization" not in late_items  # blocked by the survey: not yet anyone's work
    assert {item["status"] for item in page["items"]} == {"due", "overdue"}


def test_an_authorization_about_to_expire_is_on_the_pharmacists_list(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    response = service.client.post(
        "/api/v1/authorizations",
        json={"patient_id": patient.id, "indication": "mcl", "dose_mg": 25, "days_supply": 28},
        headers=clinic.headers["prescriber"],
    )
    expires = response.json()["expires_on"]
    soon = dt.date.fromisoformat(expires) - dt.timedelta(days=3)
    assert "authorization_expiring" not in {
        i["item"] for i in _worklist(service, clinic, "pharmacist")["items"]
    }
    clinic.moment(b.at(soon, 10))
    items = _worklist(service, clinic, "pharmacist")["items"]
    expiring = next(i for i in items if i["item"] == "authorization_expiring")
    assert (expiring["due"], expiring["owner"], expiring["status"]) == (
        expires,
        "pharmacist",
        "due",
    )


def test_a_refill_is_due_when_its_window_opens_and_overdue_once_the_supply_runs_out(
    service, clinic
):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _authorize_and_fill(service, clinic, patient)
    opens = TODAY + dt.timedelta(days=28 - WINDOW)
    assert "refill" not in {i["item"] for i in _worklist(service, clinic, within_days=0)["items"]}
    clinic.moment(b.at(opens - dt.timedelta(days=1), 10))
    refill = [
        i for i in _worklist(service, clinic, within_days=1)["items"] if i["item"] == "refill"
    ]
    assert [(i["status"], i["due"]) for i in refill] == [("due", opens.isoformat())]
    clinic.moment(b.at(TODAY + dt.timedelta(days=28), 10))
    items = _worklist(service, clinic)["items"]
    refill = next(i for i in items if i["item"] == "refill")
    assert refill["status"] == "overdue" and items[0]["status"] == "overdue"
    assert {"patient_survey", "prescriber_survey"} <= {i["item"] for i in items}


def test_the_list_is_paginated_and_its_read_audited(service, clinic):
    for _ in range(3):
        b.enroll(service, clinic, MALE, today=TODAY, signed=False)
    whole = _worklist(service, clinic, limit=100)
    first = _worklist(service, clinic, limit=4)
    second = _worklist(service, clinic, limit=4, offset=4)
    assert first["total"] == whole["total"] > 8
    assert first["next_offset"] == 4
    assert first["items"] + second["items"] == whole["items"][:8]
    with service.database.transaction() as session:
        entries = session.execute(
            select(AuditEntry).where(AuditEntry.entity == "worklist")
        ).scalars()
        entries = list(entries)
    assert len(entries) == 3 and len({entry.chain for entry in entries}) == 1
    assert entries[0].chain == f"user:{entries[0].actor_id}"
    assert entries[0].actor_role == "prescriber"
    assert set(entries[0].after["patient_ids"]) == {i["patient_id"] for i in first["items"]}


def test_the_horizon_is_bounded(service, clinic):
    response = service.client.get(
        "/api/v1/worklist?within_days=91", headers=clinic.headers["prescriber"]
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.within_days"


def test_a_periodic_survey_shows_once_its_date_is_within_the_horizon(service, clinic):
    patient = b.ready_patient(service, clinic, FNRP, today=TODAY)
    months = REMS.surveys.periodic_every_months
    due = dt.date(
        TODAY.year + (TODAY.month + months - 1) // 12,
        (TODAY.month + months - 1) % 12 + 1,
        TODAY.day,
    )

    def surveys_on(day: dt.date, within: int) -> list[tuple[str, str]]:
        clinic.moment(b.at(day, 10))
        return [
            (i["status"], i["due"])
            for i in _worklist(service, clinic, within_days=within)["items"]
            if i["patient_id"] == patient.id and i["item"] == "patient_survey"
        ]

    assert surveys_on(due - dt.timedelta(days=8), 7) == []
    assert surveys_on(due - dt.timedelta(days=7), 7) == [("due", due.isoformat())]
    assert surveys_on(due, 7) == [("due", due.isoformat())]
    assert surveys_on(due + dt.timedelta(days=1), 7) == [("overdue", due.isoformat())]
