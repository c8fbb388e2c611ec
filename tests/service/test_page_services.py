"""Service functions the REMS pages added: the patient search, a patient's confirmations, one
confirmation for its pharmacist, and the authorization form's access check.

Each is called through the service layer with the clinic's principals (SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt

import pytest

from lenaguard.errors import AccessDenied
from lenaguard.rules.safety.rems import RemsRiskCategory
from lenaguard.workflow.accounts.service import authenticate
from lenaguard.workflow.dispensing import service as dispensing
from lenaguard.workflow.patients import service as patients
from tests.service import builders as b

MALE = RemsRiskCategory.ADULT_MALE


def principal(service, headers):
    with service.database.reading() as session:
        return authenticate(session, headers["Authorization"].removeprefix("Bearer "))


def test_the_patient_search_matches_part_of_a_name_or_a_whole_id(service):
    clinic = b.clinic(service)
    today = service.settings.clinic_today()
    male = b.enroll(service, clinic, MALE, today=today)
    b.enroll(service, clinic, RemsRiskCategory.ADULT_FEMALE_REPRODUCTIVE_POTENTIAL, today=today)
    admin = principal(service, clinic.headers["admin"])
    with service.database.transaction() as session:

        def names(search):
            rows, total = patients.list_patients(session, admin, limit=10, offset=0, search=search)
            assert total == len(rows)
            return [row.id for row in rows]

        assert names("ADULT_MALE") == [male.id]  # any case
        assert names(male.id) == [male.id]
        assert names(male.id[:-1]) == []  # an id matches whole
        assert len(names("patient")) == 2 and len(names(None)) == 2
        assert names("%") == names("_x") == []  # wildcards are plain characters
    other = principal(service, clinic.headers["other_nurse"])
    with service.database.transaction() as session:
        rows, total = patients.list_patients(session, other, limit=10, offset=0, search="adult")
        assert (rows, total) == ([], 0)  # the search never widens what a caller sees


@pytest.fixture
def confirmed(service):
    clinic = b.clinic(service)
    now = dt.datetime.now(dt.UTC)
    patient = b.ready_patient(
        service,
        clinic,
        MALE,
        today=service.settings.clinic_date(now),
        when=now - dt.timedelta(minutes=5),
    )
    number = b.authorize(service, patient.id, clinic.headers["prescriber"]).json()["number"]
    confirmation = service.client.post(
        f"/api/v1/authorizations/{number}/confirmations", headers=clinic.headers["pharmacist"]
    ).json()["number"]
    return clinic, patient, number, confirmation


def test_a_patients_confirmations_are_listed_to_whoever_sees_the_patient(service, confirmed):
    clinic, patient, number, confirmation = confirmed
    for role in ("admin", "prescriber", "nurse", "pharmacist"):
        with service.database.transaction() as session:
            rows, total = dispensing.list_confirmations(
                session, principal(service, clinic.headers[role]), patient.id, limit=5, offset=0
            )
            assert total == 1 and rows[0][0].number == confirmation, role
            assert rows[0][1].number == number and rows[0][2] is None
    for role in ("other_nurse", "other_pharmacist"):
        with pytest.raises(AccessDenied), service.database.transaction() as session:
            dispensing.list_confirmations(
                session, principal(service, clinic.headers[role]), patient.id, limit=5, offset=0
            )


def test_a_confirmation_is_read_only_by_its_own_pharmacy(service, confirmed):
    clinic, _patient, number, confirmation = confirmed
    with service.database.transaction() as session:
        found, authorization, dispense = dispensing.read_confirmation(
            session, principal(service, clinic.headers["pharmacist"]), confirmation
        )
        assert found.number == confirmation and authorization.number == number
        assert dispense is None
    for role, asked in (
        ("other_pharmacist", confirmation),
        ("pharmacist", "999999999999"),
        ("admin", confirmation),
        ("prescriber", confirmation),
    ):
        with pytest.raises(AccessDenied), service.database.transaction() as session:
            dispensing.read_confirmation(session, principal(service, clinic.headers[role]), asked)


def test_only_the_patients_prescriber_or_their_nurse_may_authorize(service):
    clinic = b.clinic(service)
    patient = b.enroll(service, clinic, MALE, today=service.settings.clinic_today())
    for role in ("prescriber", "nurse"):
        with service.database.reading() as session:
            found = dispensing.authorizing_patient(
                session, principal(service, clinic.headers[role]), patient.id
            )
            assert found.id == patient.id
    for role in ("admin", "other_prescriber", "other_nurse", "pharmacist"):
        with pytest.raises(AccessDenied), service.database.reading() as session:
            dispensing.authorizing_patient(
                session, principal(service, clinic.headers[role]), patient.id
            )
