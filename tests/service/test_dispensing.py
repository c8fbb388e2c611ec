"""Pharmacy confirmations and dispenses: who may, 403 versus 409, the 24-hour window, the
quantity check, the refill window, and the lists (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from lenaguard.caseio import default_knowledge
from lenaguard.knowledge.topics.rems import RemsKnowledge
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.audit.models import AuditEntry
from lenaguard.workflow.audit.service import chain_for_patient
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.dispensing.models import Dispense
from lenaguard.workflow.parties.models import Pharmacy
from tests.service import builders as b

TODAY = dt.date(2026, 11, 20)
NOW = b.at(TODAY, 10)
MALE = RemsRiskCategory.ADULT_MALE
REMS = default_knowledge().get(RemsKnowledge)
HOURS = REMS.dispensing.within_hours_of_confirmation
WINDOW = REMS.refill_window.max_days_of_therapy_remaining
MAX_SUPPLY = REMS.prescription_limits.max_days_supply
FILL = {"capsule_strength_mg": 25, "quantity": 21, "days_supply": 28}


@pytest.fixture
def clinic(service):
    clinic = b.clinic(service)
    clinic.moment(NOW)
    return clinic


def _authorize(service, clinic, patient, **changes) -> dict:
    body = {"patient_id": patient.id, "indication": "mm_combination", "dose_mg": 25}
    body["days_supply"] = MAX_SUPPLY
    body.update(changes)
    response = service.client.post(
        "/api/v1/authorizations", json=body, headers=clinic.headers["prescriber"]
    )
    assert response.status_code == 201, response.text
    return response.json()


def _confirm(service, clinic, number: str, who="pharmacist"):
    return service.client.post(
        f"/api/v1/authorizations/{number}/confirmations", headers=clinic.headers[who]
    )


def _dispense(service, clinic, confirmation: str, who="pharmacist", **changes):
    body = {"confirmation_number": confirmation, **FILL, **changes}
    return service.client.post("/api/v1/dispenses", json=body, headers=clinic.headers[who])


def _confirmed(service, clinic, patient) -> tuple[dict, dict]:
    authorization = _authorize(service, clinic, patient)
    response = _confirm(service, clinic, authorization["number"])
    assert response.status_code == 201, response.text
    return authorization, response.json()


def _dispenses(service) -> int:
    with service.database.transaction() as session:
        return session.execute(select(func.count()).select_from(Dispense)).scalar_one()


def _new_surveys(service, clinic, patient, when: dt.datetime) -> None:
    b.add(
        service,
        b.survey(clinic, patient, "patient", when),
        b.survey(clinic, patient, "prescriber", when),
    )


# ---------------------------------------------------------------- the quantity rule


@pytest.mark.parametrize(
    ("supply", "days_on", "cycle", "expected"),
    [(28, (1, 21), 28, 21), (21, (1, 21), 28, 21), (14, (1, 21), 28, 14), (28, (1, 28), 28, 28)],
)
def test_dosing_days_count_one_capsule_per_dosing_day(supply, days_on, cycle, expected):
    assert dispensing.dosing_days(supply, *days_on, cycle) == expected


# ---------------------------------------------------------------- confirmations


def test_a_confirmation_is_valid_for_exactly_the_rems_hours(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization, confirmation = _confirmed(service, clinic, patient)
    assert len(confirmation["number"]) == dispensing.CONFIRMATION_DIGITS
    assert confirmation["authorization_number"] == authorization["number"]
    confirmed = dt.datetime.fromisoformat(confirmation["confirmed_at"])
    deadline = dt.datetime.fromisoformat(confirmation["dispense_deadline"])
    assert confirmed == NOW and deadline - confirmed == dt.timedelta(hours=HOURS)
    assert (confirmation["capsule_strength_mg"], confirmation["quantity"]) == (25, 21)


def test_another_pharmacy_gets_the_same_403_as_an_unknown_number(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient)
    foreign = _confirm(service, clinic, authorization["number"], who="other_pharmacist")
    unknown = _confirm(service, clinic, "9999999999", who="other_pharmacist")
    assert foreign.status_code == unknown.status_code == 403
    assert foreign.json() == unknown.json()


def test_any_certified_pharmacy_confirms_when_the_patient_chose_none(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY, pharmacy=False)
    authorization = _authorize(service, clinic, patient)
    assert _confirm(service, clinic, authorization["number"], "other_pharmacist").status_code == 201


def test_an_uncertified_pharmacy_is_refused_before_the_number_is_looked_up(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient)
    with service.database.transaction() as session:
        session.get(Pharmacy, clinic.pharmacy.id).certification_expires_on = TODAY - dt.timedelta(
            days=1
        )
    for number in (authorization["number"], "9999999999"):
        response = _confirm(service, clinic, number)
        assert response.status_code == 422
        assert [item["code"] for item in response.json()["unmet"]] == ["pharmacy_not_certified"]


@pytest.mark.parametrize("who", ["prescriber", "nurse", "admin"])
def test_only_pharmacists_confirm(service, clinic, who):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient)
    assert _confirm(service, clinic, authorization["number"], who).status_code == 403


def test_a_patient_may_not_confirm(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient)
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    assert _confirm(service, clinic, authorization["number"], "patient").status_code == 403


def test_an_expired_authorization_is_409(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient)
    expires = dt.date.fromisoformat(authorization["expires_on"])
    clinic.moment(b.at(expires, 23))
    assert _confirm(service, clinic, authorization["number"]).status_code == 201
    clinic.moment(b.at(expires + dt.timedelta(days=1), 0))
    response = _confirm(service, clinic, authorization["number"])
    assert response.status_code == 409
    assert response.json()["title"] == "authorization expired"


def test_a_dispensed_authorization_cannot_be_confirmed_again(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization, confirmation = _confirmed(service, clinic, patient)
    assert _dispense(service, clinic, confirmation["number"]).status_code == 201
    response = _confirm(service, clinic, authorization["number"])
    assert response.status_code == 409
    assert response.json()["title"] == "authorization already dispensed"


# ---------------------------------------------------------------- dispenses


def test_a_dispense_is_recorded_once_and_audited(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization, confirmation = _confirmed(service, clinic, patient)
    response = _dispense(service, clinic, confirmation["number"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["authorization_number"] == authorization["number"]
    assert body["dispensed_on"] == TODAY.isoformat()
    assert body["next_fill_from"] == (TODAY + dt.timedelta(days=28 - WINDOW)).isoformat()
    again = _dispense(service, clinic, confirmation["number"])
    assert again.status_code == 409
    assert again.json()["title"] == "confirmation already used"
    assert _dispenses(service) == 1
    with service.database.transaction() as session:
        entities = session.execute(
            select(AuditEntry.entity)
            .where(AuditEntry.chain == chain_for_patient(patient.id))
            .order_by(AuditEntry.seq)
        ).scalars()
        assert list(entities) == ["authorization", "confirmation", "dispense"]


def test_a_second_confirmation_of_a_dispensed_authorization_is_409(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization, first = _confirmed(service, clinic, patient)
    second = _confirm(service, clinic, authorization["number"]).json()
    assert _dispense(service, clinic, first["number"]).status_code == 201
    response = _dispense(service, clinic, second["number"])
    assert response.status_code == 409
    assert response.json()["title"] == "authorization already dispensed"


def test_a_confirmation_expires_after_exactly_its_hours(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _, confirmation = _confirmed(service, clinic, patient)
    clinic.moment(NOW + dt.timedelta(hours=HOURS, seconds=1))
    response = _dispense(service, clinic, confirmation["number"])
    assert response.status_code == 409
    assert response.json()["title"] == "confirmation expired"
    clinic.moment(NOW + dt.timedelta(hours=HOURS))
    assert _dispense(service, clinic, confirmation["number"]).status_code == 201


def test_a_foreign_confirmation_gets_the_same_403_as_an_unknown_one(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY, pharmacy=False)
    _, confirmation = _confirmed(service, clinic, patient)
    foreign = _dispense(service, clinic, confirmation["number"], who="other_pharmacist")
    unknown = _dispense(service, clinic, "999999999999", who="other_pharmacist")
    assert foreign.status_code == unknown.status_code == 403
    assert foreign.json() == unknown.json()
    # even once used: the other pharmacy learns nothing
    assert _dispense(service, clinic, confirmation["number"]).status_code == 201
    used = _dispense(service, clinic, confirmation["number"], who="other_pharmacist")
    assert used.status_code == 403 and used.json() == unknown.json()


@pytest.mark.parametrize("who", ["prescriber", "nurse", "admin"])
def test_only_pharmacists_dispense(service, clinic, who):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _, confirmation = _confirmed(service, clinic, patient)
    assert _dispense(service, clinic, confirmation["number"], who=who).status_code == 403
    assert _dispenses(service) == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"quantity": 28}, "quantity", "expected 21 capsules"),
        ({"days_supply": 21, "quantity": 20}, "quantity", "expected 21 capsules"),
        ({"capsule_strength_mg": 5, "quantity": 105}, "capsule_strength_mg", "expected 25 mg"),
        ({"days_supply": MAX_SUPPLY + 1, "quantity": 21}, "days_supply", "REMS maximum"),
    ],
)
def test_a_fill_that_does_not_match_the_authorization_is_422(
    service, clinic, changes, field, words
):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _, confirmation = _confirmed(service, clinic, patient)
    response = _dispense(service, clinic, confirmation["number"], **changes)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [field]
    assert words in errors[0]["message"]
    assert _dispenses(service) == 0


def test_a_supply_beyond_the_authorized_days_is_422(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    authorization = _authorize(service, clinic, patient, days_supply=14)
    confirmation = _confirm(service, clinic, authorization["number"]).json()
    response = _dispense(service, clinic, confirmation["number"], days_supply=21)
    assert [e["field"] for e in response.json()["errors"]] == ["days_supply"]
    shorter = _dispense(service, clinic, confirmation["number"], days_supply=14, quantity=14)
    assert shorter.status_code == 201


def test_a_new_fill_waits_until_the_refill_window(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _, confirmation = _confirmed(service, clinic, patient)
    assert _dispense(service, clinic, confirmation["number"]).status_code == 201
    opens = TODAY + dt.timedelta(days=FILL["days_supply"] - WINDOW)
    early = b.at(opens - dt.timedelta(days=1), 10)
    clinic.moment(early)
    _new_surveys(service, clinic, patient, early - dt.timedelta(hours=1))
    _, second = _confirmed(service, clinic, patient)
    response = _dispense(service, clinic, second["number"])
    assert response.status_code == 409
    assert response.json()["title"] == "too early for a new fill"
    assert f"from {opens}" in response.json()["errors"][0]["message"]
    on_time = b.at(opens, 9)  # the confirmation of yesterday is still valid (24 hours)
    clinic.moment(on_time)
    assert _dispense(service, clinic, second["number"]).status_code == 201
    assert _dispenses(service) == 2


# ---------------------------------------------------------------- lists


def test_the_lists_are_paginated_and_visible_to_the_patients_people_only(service, clinic):
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    _, confirmation = _confirmed(service, clinic, patient)
    _dispense(service, clinic, confirmation["number"])
    clinic.moment(NOW + dt.timedelta(hours=1))
    _new_surveys(service, clinic, patient, NOW + dt.timedelta(minutes=30))
    newest = _authorize(service, clinic, patient)
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    for who in ("prescriber", "nurse", "pharmacist", "patient", "admin"):
        page = service.client.get(
            f"/api/v1/patients/{patient.id}/authorizations?limit=1", headers=clinic.headers[who]
        ).json()
        assert page["total"] == 2 and page["next_offset"] == 1
        assert page["items"][0]["number"] == newest["number"]
        assert page["items"][0]["status"] == "valid"
        rest = service.client.get(
            f"/api/v1/patients/{patient.id}/authorizations?limit=1&offset=1",
            headers=clinic.headers[who],
        ).json()
        assert rest["items"][0]["status"] == "dispensed" and rest["next_offset"] is None
        dispenses = service.client.get(
            f"/api/v1/patients/{patient.id}/dispenses", headers=clinic.headers[who]
        ).json()
        assert [d["confirmation_number"] for d in dispenses["items"]] == [confirmation["number"]]
    for who in ("other_prescriber", "other_pharmacist"):
        for what in ("authorizations", "dispenses"):
            response = service.client.get(
                f"/api/v1/patients/{patient.id}/{what}", headers=clinic.headers[who]
            )
            assert response.status_code == 403
    unknown = service.client.get(
        "/api/v1/patients/pat_0000000000000000/dispenses", headers=clinic.headers["admin"]
    )
    assert unknown.status_code == 404
    with service.database.transaction() as session:
        reads = session.execute(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.chain == chain_for_patient(patient.id), AuditEntry.action == "read")
        ).scalar_one()
    assert reads == 5 * 3


# ---------------------------------------------------------------- every route × every role

ALL = {"admin", "prescriber", "nurse", "patient", "pharmacist"}
OTHERS = ("other_prescriber", "other_nurse", "other_patient", "other_pharmacist")


def test_every_dispensing_route_for_every_role(service, clinic):
    """Allowed roles get their answer; everyone else 403 — for another owner the very answer an
    unknown patient, authorization or confirmation gets."""
    patient = b.ready_patient(service, clinic, MALE, today=TODAY)
    other = b.ready_patient(service, clinic, MALE, today=TODAY, prescriber=clinic.other_prescriber)
    clinic.headers["patient"] = b.patient_headers(service, patient.id)
    clinic.headers["other_patient"] = b.patient_headers(service, other.id)
    authorization, confirmation = _confirmed(service, clinic, patient)
    moment = [NOW]

    def tick() -> None:  # each request a minute later, with the surveys a new one needs
        moment[0] += dt.timedelta(minutes=1)
        clinic.moment(moment[0])
        _new_surveys(service, clinic, patient, moment[0] - dt.timedelta(seconds=30))

    prescription = {"indication": "mcl", "dose_mg": 25, "days_supply": MAX_SUPPLY}
    fill = {"confirmation_number": confirmation["number"], **FILL}
    routes = [
        (
            "POST",
            "/api/v1/authorizations",
            {"patient_id": patient.id, **prescription},
            {"patient_id": "pat_0000000000000000", **prescription},
            {"prescriber", "nurse"},
        ),
        (
            "POST",
            f"/api/v1/authorizations/{authorization['number']}/confirmations",
            None,
            "/api/v1/authorizations/9999999999/confirmations",
            {"pharmacist"},
        ),
        (
            "POST",
            "/api/v1/dispenses",
            fill,
            {**fill, "confirmation_number": "999999999999"},
            {"pharmacist"},
        ),
        (
            "GET",
            f"/api/v1/patients/{patient.id}/authorizations",
            None,
            "/api/v1/patients/pat_0000000000000000/authorizations",
            ALL,
        ),
        (
            "GET",
            f"/api/v1/patients/{patient.id}/dispenses",
            None,
            "/api/v1/patients/pat_0000000000000000/dispenses",
            ALL,
        ),
        (
            "GET",
            f"/api/v1/patients/{patient.id}/readiness",
            None,
            "/api/v1/patients/pat_0000000000000000/readiness",
            ALL,
        ),
    ]
    for method, path, body, unknown, allowed in routes:
        for role in (*sorted(ALL), *OTHERS):
            tick()
            headers = clinic.headers[role]
            label = f"{method} {path} as {role}"
            response = service.client.request(method, path, json=body, headers=headers)
            if role in allowed:
                assert response.status_code in (200, 201), (label, response.text)
            else:
                assert response.status_code == 403, (label, response.text)
            if role in OTHERS:
                unknown_path, unknown_body = (
                    (unknown, body) if isinstance(unknown, str) else (path, unknown)
                )
                again = service.client.request(
                    method, unknown_path, json=unknown_body, headers=headers
                )
                assert again.status_code == 403 and again.json() == response.json(), label
    for role in (*sorted(ALL), *OTHERS):  # everyone has a worklist: their own patients
        page = service.client.get("/api/v1/worklist", headers=clinic.headers[role])
        assert page.status_code == 200, role
        seen = {item["patient_id"] for item in page.json()["items"]}
        both = {patient.id, other.id}  # the other prescriber's patient chose our pharmacy too
        mine = {"admin": both, "pharmacist": both, "other_pharmacist": set()}
        for role_of_other in ("other_prescriber", "other_nurse", "other_patient"):
            mine[role_of_other] = {other.id}
        assert seen == mine.get(role, {patient.id}), role


def test_a_positive_pregnancy_test_after_the_authorization_stops_confirmation_and_dispense(
    service, clinic
):
    frp = RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL
    patient = b.ready_patient(service, clinic, frp, today=TODAY)
    authorization, confirmation = _confirmed(service, clinic, patient)
    later = NOW + dt.timedelta(hours=2)
    b.add(service, b.pregnancy_test(clinic, patient, later - dt.timedelta(minutes=30), "positive"))
    clinic.moment(later)
    for response in (
        _confirm(service, clinic, authorization["number"]),
        _dispense(service, clinic, confirmation["number"], quantity=21),
    ):
        assert response.status_code == 409
        assert response.json()["title"] == "positive pregnancy test"
    assert _dispenses(service) == 0
